"""The project pages: public list and project page, the members' interest in a call (own
organisation only, one per organisation, closed after the deadline), and the staff's pages:
interests with export and answers."""

from __future__ import annotations

import datetime
import html
import io
from typing import Any

import pytest
from django.core import mail
from openpyxl import load_workbook

from defus.events.models import Event
from defus.organisations.models import Organisation
from defus.projects.models import Interest, Project, ProjectOutput, ProjectPartner
from tests.conftest import make_person

from .support import make_call, make_project

pytestmark = pytest.mark.django_db

STATEMENT = "Musterstadt möchte als Pilotstadt mitmachen und bringt ihren Präventionsrat ein."


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_list_is_public_and_filters(client: Any) -> None:
    make_project()
    make_project(
        "monitor",
        title={"de": "DEFUS-Monitor"},
        programme="ISF",
        status=Project.Status.COMPLETED,
        topics="Befragung",
    )
    page = text(client.get("/projects/"))
    assert "Sichere Plätze" in page and "DEFUS-Monitor" in page
    page = text(client.get("/projects/?status=completed"))
    assert "DEFUS-Monitor" in page and "Sichere Plätze" not in page
    page = text(client.get("/projects/?programme=Horizon+Europe"))
    assert "Sichere Plätze" in page and "DEFUS-Monitor" not in page
    page = text(client.get("/projects/?topic=befragung"))
    assert "DEFUS-Monitor" in page and "Sichere Plätze" not in page
    assert "Safe squares" in text(client.get("/en/projects/"))
    # an unknown filter value is a message in the form, never a 500
    assert client.get("/projects/?status=nonsense").status_code == 200


def test_project_page_shows_partners_outputs_and_links(client: Any, org_a: Any) -> None:
    project = make_project()
    ProjectPartner.objects.create(project=project, organisation=org_a, role="partner")
    ProjectPartner.objects.create(project=project, name="Ville de Lyon", country="FR")
    start = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=20)
    event = Event.objects.create(
        slug="abschluss", title={"de": "Abschlusskonferenz"}, start=start, end=start
    )
    ProjectOutput.objects.create(project=project, kind="event", event=event)
    ProjectOutput.objects.create(
        project=project, kind="publication", title={"de": "Leitfaden"}, url="https://ex.org/l.pdf"
    )
    call = make_call(project)
    make_call(project, title={"de": "Alter Aufruf"}, open=False)
    page = text(client.get("/projects/sichere-plaetze/"))
    assert "Musterstadt" in page and "Ville de Lyon" in page
    assert '<a href="/events/abschluss/">Abschlusskonferenz</a>' in page
    assert '<a href="https://ex.org/l.pdf">Leitfaden</a>' in page
    assert f"/projects/sichere-plaetze/calls/{call.pk}/interest/" in page
    assert "Alter Aufruf" not in page  # closed calls only for the staff
    assert client.get("/projects/unknown/").status_code == 404


def test_member_expresses_interest_for_own_organisation(client: Any, member_a: Any) -> None:
    call = make_call(make_project())
    url = f"/projects/sichere-plaetze/calls/{call.pk}/interest/"
    client.force_login(member_a)
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url, {"organisation": member_a.memberships.get().organisation_id, "statement": STATEMENT}
    )
    assert response.status_code == 302
    interest = Interest.objects.get()
    assert (interest.organisation.slug, interest.person, interest.statement) == (
        "musterstadt",
        member_a,
        STATEMENT,
    )
    # the page now shows the recorded interest
    assert STATEMENT in text(client.get(url))


def test_only_own_organisation_and_one_per_organisation(
    client: Any, member_a: Any, admin_a: Any, org_b: Any
) -> None:
    call = make_call(make_project())
    url = f"/projects/sichere-plaetze/calls/{call.pk}/interest/"
    client.force_login(member_a)
    # another member organisation's id: refused, text kept
    response = client.post(url, {"organisation": org_b.pk, "statement": STATEMENT})
    assert response.status_code == 200
    assert Interest.objects.count() == 0
    assert STATEMENT in text(response)
    assert "error-summary" in text(response)
    client.post(
        url, {"organisation": member_a.memberships.get().organisation_id, "statement": STATEMENT}
    )
    assert Interest.objects.count() == 1
    # a colleague of the same organisation cannot add a second one
    client.force_login(admin_a)
    second = "Noch einmal von uns, mit einer anderen Begründung als vorher."
    response = client.post(
        url, {"organisation": admin_a.memberships.get().organisation_id, "statement": second}
    )
    assert response.status_code == 200
    assert "hat an diesem Aufruf bereits Interesse bekundet" in text(response)
    assert second in text(response)  # nothing lost
    assert Interest.objects.count() == 1


def test_bad_input_keeps_the_text(client: Any, member_a: Any) -> None:
    call = make_call(make_project())
    client.force_login(member_a)
    response = client.post(
        f"/projects/sichere-plaetze/calls/{call.pk}/interest/",
        {"organisation": member_a.memberships.get().organisation_id, "statement": "Kurz"},
    )
    assert response.status_code == 200
    page = text(response)
    assert "mindestens ein bis zwei Sätze" in page, page
    assert ">\nKurz</textarea>" in page
    assert Interest.objects.count() == 0


def test_deadline_closes_the_form(client: Any, member_a: Any) -> None:
    call = make_call(make_project(), days=-1)
    url = f"/projects/sichere-plaetze/calls/{call.pk}/interest/"
    client.force_login(member_a)
    page = text(client.get(url))
    assert "Die Frist dieses Aufrufs ist abgelaufen" in page
    assert 'name="statement"' not in page
    response = client.post(
        url, {"organisation": member_a.memberships.get().organisation_id, "statement": STATEMENT}
    )
    assert response.status_code == 200
    assert Interest.objects.count() == 0


def test_anonymous_goes_to_login_and_non_member_gets_403(client: Any) -> None:
    call = make_call(make_project())
    url = f"/projects/sichere-plaetze/calls/{call.pk}/interest/"
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    outsider_org = Organisation.objects.create(name="Nichtmitglied", slug="nm", is_member=False)
    client.force_login(make_person("x@nm.example", outsider_org, "admin"))
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"organisation": outsider_org.pk, "statement": STATEMENT}).status_code
        == 403
    )
    assert Interest.objects.count() == 0


def test_staff_pages_refused_to_members(client: Any, member_a: Any) -> None:
    call = make_call(make_project())
    client.force_login(member_a)
    for url in (
        "/projects/new/",
        "/projects/sichere-plaetze/edit/",
        "/projects/sichere-plaetze/calls/new/",
        f"/projects/sichere-plaetze/calls/{call.pk}/interests/",
        f"/projects/sichere-plaetze/calls/{call.pk}/interests.csv",
        f"/projects/sichere-plaetze/calls/{call.pk}/interests.xlsx",
    ):
        assert client.get(url).status_code == 403, url


def _interest(call: Any, person: Any, statement: str = STATEMENT) -> Interest:
    return Interest.objects.create(
        call=call,
        organisation=person.memberships.get().organisation,
        person=person,
        statement=statement,
    )


def test_staff_export_csv_and_xlsx(
    client: Any, member_a: Any, admin_b: Any, forum_staff: Any
) -> None:
    call = make_call(make_project())
    _interest(call, member_a)
    _interest(call, admin_b, '=HYPERLINK("http://evil")')
    client.force_login(forum_staff)
    page = text(client.get(f"/projects/sichere-plaetze/calls/{call.pk}/interests/"))
    assert "Musterstadt" in page and "Beispielburg" in page
    csv_text = client.get(
        f"/projects/sichere-plaetze/calls/{call.pk}/interests.csv"
    ).content.decode("utf-8-sig")
    assert "Musterstadt" in csv_text and STATEMENT in csv_text
    assert ";\"'=HYPERLINK" in csv_text
    response = client.get(f"/projects/sichere-plaetze/calls/{call.pk}/interests.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Organisation"
    assert {r[0] for r in rows[1:]} == {"Musterstadt", "Beispielburg"}
    statements = {r[4] for r in rows[1:]}
    assert STATEMENT in statements and '\'=HYPERLINK("http://evil")' in statements


def test_staff_answer_sends_email_in_persons_language(
    client: Any,
    member_a: Any,
    forum_staff: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True
    member_a.preferred_language = "fr"
    member_a.save()
    call = make_call(make_project())
    interest = _interest(call, member_a)
    client.force_login(forum_staff)
    url = f"/projects/sichere-plaetze/calls/{call.pk}/interests/{interest.pk}/answer/"
    # an empty answer: error, nothing sent
    response = client.post(url, {"answer": ""})
    assert response.status_code == 400
    assert "Bitte schreiben Sie eine Antwort." in text(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"answer": "Merci, vous êtes retenus."})
    assert response.status_code == 302
    interest.refresh_from_db()
    assert interest.status == "answered" and interest.answered_by == forum_staff
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@musterstadt.example"]
    assert "Votre intérêt" in message.subject
    assert "Merci, vous êtes retenus." in message.body
    assert "Forum germano-européen pour la sécurité urbaine" in message.body
    assert client.get(url).status_code == 405


def test_staff_create_and_edit_project_and_call(client: Any, forum_staff: Any, org_a: Any) -> None:
    client.force_login(forum_staff)
    form = client.get("/projects/new/")
    assert form.status_code == 200
    data = {
        "slug": "neu",
        "title_de": "Neues Projekt",
        "title_en": "New project",
        "programme": "Erasmus+",
        "status": "planned",
        "start": "2026-01-01",
        "end": "2025-01-01",  # before the start: error, nothing lost
        "partners-TOTAL_FORMS": "2",
        "partners-INITIAL_FORMS": "0",
        "partners-0-organisation": str(org_a.pk),
        "partners-0-country": "DE",
        "partners-0-role": "partner",
        "partners-1-country": "DE",
        "partners-1-role": "partner",
        "outputs-TOTAL_FORMS": "1",
        "outputs-INITIAL_FORMS": "0",
        "outputs-0-kind": "other",
    }
    response = client.post("/projects/new/", data)
    assert response.status_code == 200
    assert "Neues Projekt" in text(response)
    assert not Project.objects.exists()
    data["end"] = "2027-12-31"
    response = client.post("/projects/new/", data)
    assert response.status_code == 302, text(response)
    project = Project.objects.get(slug="neu")
    assert project.title == {"de": "Neues Projekt", "en": "New project"}
    assert [p.display_name for p in project.partners.all()] == ["Musterstadt"]
    assert client.get("/projects/neu/edit/").status_code == 200
    response = client.post(
        "/projects/neu/calls/new/",
        {"title_de": "Aufruf", "deadline": "2030-05-01T12:00", "open": "on"},
    )
    assert response.status_code == 302
    call = project.calls.get()
    assert call.accepts_interest and call.title == {"de": "Aufruf"}
    response = client.post("/projects/neu/calls/new/", {"title_de": "", "deadline": "morgen"})
    assert response.status_code == 200 and "error-summary" in text(response)


def test_every_staff_route_needs_forum_staff(client: Any, member_a: Any, forum_staff: Any) -> None:
    """Read from the resolver: a staff page added later is covered too."""
    from tests.test_url_permissions import all_routes, fill

    call = make_call(make_project())
    interest = _interest(call, member_a)
    values = {"project": "sichere-plaetze", "call": str(call.pk), "interest": str(interest.pk)}
    public = {
        "projects/",
        "projects/<slug:project>/",
        "projects/<slug:project>/calls/<int:call>/interest/",
    }
    routes = [r for r in all_routes() if r.startswith("projects/") and r not in public]
    assert len(routes) >= 7
    client.force_login(member_a)
    for route in routes:
        assert client.get(fill(route, values)).status_code in (403, 405), route
        assert client.post(fill(route, values)).status_code == 403, route
    client.force_login(forum_staff)
    reached = sum(client.get(fill(route, values)).status_code == 200 for route in routes)
    assert reached >= 6
    assert Interest.objects.get().status == "new"


def test_output_links_to_the_info_page_in_the_visitors_language(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from wagtail.models import Locale

    from defus.info.demo import build_info_site
    from defus.info.models import NewsPage

    with django_capture_on_commit_callbacks(execute=True):
        build_info_site()
    news = NewsPage.objects.filter(locale__language_code="de").first()
    assert news is not None
    english = news.get_translation(Locale.objects.get(language_code="en"))
    project = make_project()
    ProjectOutput.objects.create(project=project, kind="publication", page=news)
    german_page = text(client.get("/projects/sichere-plaetze/"))
    assert f'<a href="{news.get_url()}">{news.title}</a>' in german_page
    english_page = text(client.get("/en/projects/sichere-plaetze/"))
    assert f'<a href="{english.get_url()}">{english.title}</a>' in english_page
    assert english.get_url() != news.get_url()
