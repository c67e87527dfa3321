"""The members' directory keeps each person's hidden details hidden, on every view.

A person hides their phone and their "about me". Over every page of the members' app (read
from the resolver: a new directory view is covered the day it is added), the CSV export, the
JSON API and the `defus members people/export` command, the hidden values never reach an
anonymous visitor, a person of another member city, a colleague of the same city or the
forum's staff – and they do reach the person and their organisation's admin.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import get_resolver

from defus.members import directory
from defus.members.models import Application, Invitation, Profile, Visibility
from defus.members.services import profile_for
from tests.conftest import make_person
from tests.test_url_permissions import _walk, fill

PHONE = "+49 30 98765432"
BIO = "Zitherspiel im Geheimclub"
# The directory's own views; every other route of the members' app is requested too.
DIRECTORY_VIEWS = ("people/", "people/<int:person>/", "people.csv", "api/people.json")


def member_routes() -> list[str]:
    routes = []
    for route, _pattern in _walk(get_resolver().url_patterns):
        route = route.replace("^", "").replace("$", "").removeprefix("/")
        route = re.sub(r"^(de|en|fr)/", "", route)
        if route.startswith("members/"):
            routes.append(route)
    return sorted(set(routes))


@pytest.fixture
def world(org_a: Any, org_b: Any, admin_a: Any, member_a: Any, admin_b: Any, forum_staff: Any):
    person = make_person("erika@musterstadt.example", org_a, "member", first_name="Erika")
    person.last_name = "Muster"
    person.save()
    person.memberships.update(position="Leiterin Ordnungsamt")
    profile = profile_for(person)
    profile.phone = PHONE
    profile.bio = BIO
    profile.function = Profile.Function.MAYOR
    profile.phone_visibility = Visibility.NOBODY
    profile.bio_visibility = Visibility.NOBODY
    profile.save()
    application = Application.objects.create(
        organisation_name="Seewalden",
        country="DE",
        contact_name="M",
        contact_email="m@seewalden.example",
        contact_function="f",
    )
    invitation = Invitation.objects.create(organisation=org_a, email="new@musterstadt.example")
    values = {
        "person": str(person.pk),
        "application": str(application.pk),
        "invitation_token": invitation.token,
        "organisation": org_a.slug,
    }
    return {
        "person": person,
        "values": values,
        "viewers": {
            "anonymous": None,
            "other city": admin_b,
            "colleague": member_a,
            "forum staff": forum_staff,
        },
        "privileged": {"themself": person, "own admin": admin_a},
    }


def _pages(client: Any, user: Any, values: dict[str, str]) -> dict[str, bytes]:
    client.logout()
    if user is not None:
        client.force_login(user)
    pages = {}
    routes = member_routes()
    assert len(routes) >= 8, routes
    for route in routes:
        for prefix in ("", "/en", "/fr"):
            url = prefix + fill(route, values)
            response = client.get(url)
            assert response.status_code != 500, url
            pages[url] = response.content
    return pages


def _command(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("members", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_hidden_fields_reach_nobody_but_the_person_and_their_admin(
    client: Any, world: dict[str, Any], tmp_path: Path
) -> None:
    person = world["person"]
    secrets = (PHONE.encode(), BIO.encode())
    for who, viewer in world["viewers"].items():
        for url, content in _pages(client, viewer, world["values"]).items():
            for secret in secrets:
                assert secret not in content, (who, url, secret)
        # the function rule directly
        shown = directory.visible_fields(person, viewer)
        assert shown.get("phone", "") == "" and shown.get("bio", "") == "", who
        if viewer is not None:
            text = _command("people", "--as", viewer.email) if directory.can_use(viewer) else ""
            assert PHONE not in text and BIO not in text, who
            if directory.can_use(viewer):
                target = tmp_path / f"{viewer.pk}.csv"
                _command("export", "-o", str(target), "--as", viewer.email)
                exported = target.read_text(encoding="utf-8")
                assert "Erika" in exported, who  # listed: the name shows …
                assert PHONE not in exported and BIO not in exported, who  # … the rest not
    staff_view = _command("people")
    assert "Erika Muster" in staff_view
    assert PHONE not in staff_view and BIO not in staff_view

    # The counterpart: the same views do show them to the person and to their admin.
    for who, viewer in world["privileged"].items():
        pages = _pages(client, viewer, world["values"])
        for view in DIRECTORY_VIEWS:
            url = fill("members/" + view, world["values"])
            assert PHONE.encode() in pages[url], (who, url)
        person_page = fill("members/people/<int:person>/", world["values"])
        assert BIO.encode() in pages[person_page], who
        assert PHONE in _command("people", "--as", viewer.email), who
        target = tmp_path / f"privileged-{viewer.pk}.csv"
        _command("export", "-o", str(target), "--as", viewer.email)
        assert BIO in target.read_text(encoding="utf-8"), who


@pytest.mark.django_db
def test_visible_fields_show_to_members_and_unlisted_people_vanish(
    client: Any, world: dict[str, Any]
) -> None:
    person = world["person"]
    colleague = world["viewers"]["colleague"]
    shown = directory.visible_fields(person, colleague)
    assert shown["name"] == "Erika Muster"
    assert shown["organisations"] == ["Musterstadt"]
    assert shown["email"] == "erika@musterstadt.example"
    assert shown["position"] == "Leiterin Ordnungsamt"
    assert shown["function"] == "Bürgermeister/in"
    client.force_login(world["viewers"]["other city"])
    listing = client.get("/members/people/?q=muster").content.decode()
    assert "Erika Muster" in listing and "erika@musterstadt.example" in listing
    # searching by a hidden value finds nobody
    assert "Erika" not in client.get("/members/people/?q=Zitherspiel").content.decode()

    profile = person.profile
    profile.listed = False
    profile.save()
    assert directory.visible_fields(person, colleague) == {}
    assert "Erika" not in client.get("/members/people/").content.decode()
    assert client.get(f"/members/people/{person.pk}/").status_code == 404
    # … but the person and their admin still see the entry
    assert directory.visible_fields(person, person)["phone"] == PHONE
    assert directory.visible_fields(person, world["privileged"]["own admin"])["bio"] == BIO


@pytest.mark.django_db
def test_directory_is_for_members_only(client: Any, world: dict[str, Any], org_b: Any) -> None:
    for view in (*DIRECTORY_VIEWS, "me/"):
        url = fill("members/" + view, world["values"])
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    outsider = make_person("outsider@example.org")
    org_b.is_member = False
    org_b.save()
    former_member = make_person("former@beispielburg.example", org_b, "admin")
    for user in (outsider, former_member):
        client.force_login(user)
        for view in DIRECTORY_VIEWS:
            url = fill("members/" + view, world["values"])
            assert client.get(url).status_code == 403, (user, url)
        assert client.get("/members/me/").status_code == 200  # one's own profile


@pytest.mark.django_db
def test_public_organisation_pages_show_only_public_fields(
    client: Any, world: dict[str, Any], org_a: Any, org_b: Any
) -> None:
    org_a.population = 148300
    org_a.latitude, org_a.longitude = 49.95, 8.5
    org_a.country = "DE"
    org_a.main_contact = world["person"]
    org_a.save()
    org_b.country = "AT"
    org_b.kind = "county"
    org_b.save()
    data = client.get("/members/organisations.json").json()["organisations"]
    assert [o["name"] for o in data] == ["Beispielburg", "Musterstadt"]
    assert set(data[1]) == {
        "name",
        "slug",
        "kind",
        "country",
        "population",
        "member_since",
        "website",
        "latitude",
        "longitude",
    }
    assert data[1]["population"] == 148300
    filtered = client.get("/members/organisations.json?country=AT").json()["organisations"]
    assert [o["name"] for o in filtered] == ["Beispielburg"]
    page = client.get("/members/?kind=county").content.decode()
    assert "Beispielburg" in page and '<th scope="row">Musterstadt' not in page
    page = client.get("/members/").content.decode()
    assert "148.300" in page  # German number format
    assert 'data-chart="members-map"' in page and '"lat": 49.95' in page
    assert "erika" not in page.lower()
