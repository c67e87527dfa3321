import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_in_three_languages(client):
    assert "Forum" in client.get("/").content.decode()
    english = client.get("/en/")
    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="fr">' in client.get("/fr/").content.decode()


def test_language_switch_keeps_the_page(client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert client.get(response["Location"]).content.decode().count('lang="fr"') >= 1


def test_dashboard_requires_login(client):
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert (
        "Seite nicht gefunden" in response.content.decode()
        or "not found" in response.content.decode()
    )


def test_start_page_links_only_to_pages_the_person_may_open(client, member_a, admin_a):
    """A member (results only) and an admin (everything): every link on the start page opens."""
    import re

    from defus.fieldwork.models import Wave

    Wave.objects.create(
        organisation=member_a.memberships.first().organisation,
        title="Befragung 2026",
        slug="befragung-2026",
        instrument_version="2026.1",
        field_start="2026-03-01",
        field_end="2026-04-15",
    )
    for person, expected in ((member_a, "/analysis/befragung-2026/"), (admin_a, "/waves/")):
        client.force_login(person)
        page = client.get("/dashboard/").content.decode()
        links = re.findall(r'href="(/o/[^"]+)"', page)
        assert any(expected in link for link in links), links
        for link in links:
            assert client.get(link).status_code == 200, (person.email, link)
