"""The organisers' pages to create and edit events, their programme and documents, and the
import from a YAML file: same rules, messages in the user's language, nothing lost."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from defus.events import services
from defus.events.models import Event, EventAuditEntry, EventDocument, Registration, Session
from defus.events.yamlfile import load_event_file
from tests.conftest import make_person

from .support import BERLIN, make_event

Status = Registration.Status


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def sync_background(settings: Any) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def event_post(**changes: Any) -> dict[str, Any]:
    data = {
        "title_de": "Sicherheit im Quartier",
        "title_en": "Safety in the neighbourhood",
        "title_fr": "Sécurité dans le quartier",
        "description_de": "Ein Tag über Prävention.",
        "description_en": "A day about prevention.",
        "description_fr": "Une journée sur la prévention.",
        "slug": "",
        "kind": "seminar",
        "format": "hybrid",
        "start_date": "2030-06-12",
        "start_time": "09:30",
        "end_date": "2030-06-12",
        "end_time": "16:00",
        "venue": "Rathaus Stuttgart",
        "address": "Marktplatz 1, 70173 Stuttgart",
        "online_link": "https://meet.example/quartier",
        "capacity": "40",
        "access": "public",
        "registration_open": "on",
        "offer_hours": "48",
        "ask_diet": "on",
        "topics": "Prävention, Quartier",
        "delete_personal_data_after_days": "90",
    }
    data.update(changes)
    return data


def programme_post(event: Event, rows: list[dict[str, str]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sessions-TOTAL_FORMS": str(len(rows)),
        "sessions-INITIAL_FORMS": str(initial),
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
    }
    for number, row in enumerate(rows):
        for key, value in row.items():
            data[f"sessions-{number}-{key}"] = value
    return data


@pytest.mark.django_db
def test_staff_creates_an_event_with_programme_and_document(
    client: Any, forum_staff: Any, media: Path
) -> None:
    client.force_login(forum_staff)
    listing = client.get(reverse("events:list"))
    assert reverse("events:create").encode() in listing.content

    form = client.get(reverse("events:create"))
    assert form.status_code == 200
    assert "Titel (Deutsch)" in form.content.decode()

    response = client.post(reverse("events:create"), event_post())
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("events:detail", kwargs={"event": event.slug})
    assert event.slug == "sicherheit-im-quartier"
    assert event.title == {
        "de": "Sicherheit im Quartier",
        "en": "Safety in the neighbourhood",
        "fr": "Sécurité dans le quartier",
    }
    assert event.description["fr"] == "Une journée sur la prévention."
    # typed in German time: 09:30 in summer is 07:30 UTC
    assert event.start == datetime.datetime(2030, 6, 12, 7, 30, tzinfo=datetime.UTC)
    assert event.end == datetime.datetime(2030, 6, 12, 16, 0, tzinfo=BERLIN)
    assert (event.capacity, event.ask_diet, event.ask_notes) == (40, True, False)
    assert EventAuditEntry.objects.filter(event=event, action="create", actor=forum_staff).exists()

    page = client.get(response["Location"])
    assert "Sicherheit im Quartier" in page.content.decode()

    # the programme: two items in three languages
    programme_url = reverse("events:programme", kwargs={"event": event.slug})
    assert client.get(programme_url).status_code == 200
    rows = [
        {
            "title_de": "Begrüßung",
            "title_en": "Welcome",
            "title_fr": "Accueil",
            "day": "2030-06-12",
            "start_time": "09:30",
            "end_time": "10:00",
            "speakers": "Dr. Erika Muster",
        },
        {
            "title_de": "Workshop",
            "day": "2030-06-12",
            "start_time": "10:15",
            "end_time": "12:00",
            "speakers": "",
        },
    ]
    response = client.post(programme_url, programme_post(event, rows))
    assert response.status_code == 302
    welcome, workshop = event.sessions.all()
    assert welcome.title == {"de": "Begrüßung", "en": "Welcome", "fr": "Accueil"}
    assert welcome.start == datetime.datetime(2030, 6, 12, 9, 30, tzinfo=BERLIN)
    assert workshop.end == datetime.datetime(2030, 6, 12, 12, 0, tzinfo=BERLIN)

    # edit the first item, delete the second
    rows = [
        {"id": str(welcome.pk), **rows[0], "title_de": "Begrüßung und Einführung"},
        {"id": str(workshop.pk), **rows[1], "DELETE": "on"},
    ]
    response = client.post(programme_url, programme_post(event, rows, initial=2))
    assert response.status_code == 302
    assert [s.title["de"] for s in event.sessions.all()] == ["Begrüßung und Einführung"]
    assert (
        "Begrüßung und Einführung"
        in client.get(reverse("events:detail", kwargs={"event": event.slug})).content.decode()
    )

    # a document: a program named .pdf is refused with the file's name, a real PDF is kept
    documents_url = reverse("events:documents_manage", kwargs={"event": event.slug})
    assert client.get(documents_url).status_code == 200
    fake = SimpleUploadedFile("agenda.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = client.post(
        documents_url,
        {"title": "Tagesordnung", "kind": "agenda", "visibility": "public", "file": fake},
    )
    assert response.status_code == 200
    assert "agenda.pdf" in response.content.decode()
    assert 'value="Tagesordnung"' in response.content.decode()
    assert not EventDocument.objects.exists()
    real = SimpleUploadedFile("agenda.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = client.post(
        documents_url,
        {"title": "Tagesordnung", "kind": "agenda", "visibility": "members", "file": real},
    )
    assert response.status_code == 302
    document = EventDocument.objects.get()
    assert (document.event, document.kind, document.visibility) == (event, "agenda", "members")
    stored = Path(document.file.path)
    assert stored.read_bytes().startswith(b"%PDF-")
    assert EventAuditEntry.objects.filter(action="document", detail="added: Tagesordnung").exists()

    delete_url = reverse(
        "events:delete_document", kwargs={"event": event.slug, "event_document": document.pk}
    )
    assert client.get(delete_url).status_code == 405
    response = client.post(delete_url)
    assert response.status_code == 302
    assert not EventDocument.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_deleted_document_leaves_no_file(client: Any, forum_staff: Any, media: Path) -> None:
    event = make_event("akten")
    client.force_login(forum_staff)
    real = SimpleUploadedFile("folien.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    client.post(
        reverse("events:documents_manage", kwargs={"event": event.slug}),
        {"title": "Folien", "kind": "slides", "visibility": "public", "file": real},
    )
    stored = Path(EventDocument.objects.get().file.path)
    assert stored.exists()
    client.post(
        reverse(
            "events:delete_document",
            kwargs={"event": event.slug, "event_document": EventDocument.objects.get().pk},
        )
    )
    assert not stored.exists()


@pytest.mark.django_db
def test_german_title_required_and_wrong_times_keep_typed_values(
    client: Any, forum_staff: Any
) -> None:
    client.force_login(forum_staff)
    response = client.post(
        reverse("events:create"),
        event_post(title_de="", end_time="08:00", venue="", online_link=""),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert not Event.objects.exists()
    assert 'class="error-summary"' in page
    assert '<a href="#id_title_de">Titel (Deutsch): Dieses Feld muss ausgefüllt werden.' in page
    assert "Die Veranstaltung muss nach ihrem Beginn enden." in page
    assert "Eine Veranstaltung vor Ort oder hybrid braucht einen Veranstaltungsort." in page
    assert "Eine Online- oder Hybridveranstaltung braucht den Online-Link." in page
    # what was typed is still there
    assert 'value="Safety in the neighbourhood"' in page
    assert 'value="08:00"' in page
    assert 'value="2030-06-12"' in page
    assert "Une journée sur la prévention." in page


@pytest.mark.django_db
def test_messages_in_french(client: Any, forum_staff: Any) -> None:
    client.force_login(forum_staff)
    response = client.post("/fr/events/new/", event_post(end_time="08:00"))
    assert "L’événement doit se terminer après son début." in response.content.decode()


@pytest.mark.django_db
def test_slug_is_unique_and_not_a_calendar_word(client: Any, forum_staff: Any) -> None:
    make_event("sicherheit-im-quartier")
    client.force_login(forum_staff)
    client.post(reverse("events:create"), event_post())
    assert Event.objects.filter(slug="sicherheit-im-quartier-2").exists()
    response = client.post(reverse("events:create"), event_post(slug="new"))
    assert response.status_code == 200
    assert Event.objects.count() == 2
    response = client.post(reverse("events:create"), event_post(slug="sicherheit-im-quartier"))
    assert "Eine andere Veranstaltung hat bereits den Kurznamen" in response.content.decode()


@pytest.mark.django_db
def test_only_forum_staff_organise(client: Any, admin_a: Any) -> None:
    event = make_event("geschuetzt")
    urls = [
        reverse("events:create"),
        reverse("events:edit", kwargs={"event": event.slug}),
        reverse("events:programme", kwargs={"event": event.slug}),
        reverse("events:documents_manage", kwargs={"event": event.slug}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    client.force_login(admin_a)
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url, event_post()).status_code == 403
    assert Event.objects.count() == 1
    assert b"/events/new/" not in client.get(reverse("events:list")).content


@pytest.mark.django_db
def test_edit_shows_the_values_and_saves(client: Any, forum_staff: Any) -> None:
    event = make_event("bearbeiten", start=datetime.datetime(2030, 1, 15, 10, 0, tzinfo=BERLIN))
    client.force_login(forum_staff)
    url = reverse("events:edit", kwargs={"event": event.slug})
    page = client.get(url).content.decode()
    assert 'value="2030-01-15"' in page and 'value="10:00"' in page
    assert 'value="Seminar bearbeiten (en)"' in page
    participants = client.get(reverse("events:participants", kwargs={"event": event.slug}))
    assert url.encode() in participants.content
    response = client.post(
        url,
        event_post(slug="bearbeiten", start_date="2030-01-15", end_date="2030-01-15", title_fr=""),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == {"de": "Sicherheit im Quartier", "en": "Safety in the neighbourhood"}
    assert event.start == datetime.datetime(2030, 1, 15, 8, 30, tzinfo=datetime.UTC)  # winter
    assert EventAuditEntry.objects.filter(event=event, action="edit").exists()


@pytest.mark.django_db
def test_capacity_lower_than_the_confirmed_is_refused(client: Any, forum_staff: Any) -> None:
    event = make_event("voll", capacity=3)
    for number in range(3):
        services.register(event, name=f"P{number}", email=f"p{number}@example.org")
    client.force_login(forum_staff)
    url = reverse("events:edit", kwargs={"event": event.slug})
    response = client.post(url, event_post(slug="voll", capacity="2"))
    assert response.status_code == 200
    assert "3 Plätze sind bereits vergeben" in response.content.decode()
    assert 'value="2"' in response.content.decode()
    event.refresh_from_db()
    assert event.capacity == 3
    assert client.post(url, event_post(slug="voll", capacity="3")).status_code == 302


@pytest.mark.django_db
def test_more_places_are_offered_to_the_waiting_list(
    client: Any, forum_staff: Any, sync_background: None
) -> None:
    event = make_event("nachruecken", capacity=1)
    people = [make_person(f"w{number}@example.org") for number in range(4)]
    made = [services.register(event, user=person) for person in people]
    assert [r.status for r in made] == ["confirmed", "waiting", "waiting", "waiting"]
    client.force_login(forum_staff)
    url = reverse("events:edit", kwargs={"event": event.slug})
    response = client.post(url, event_post(slug=event.slug, capacity="3"), follow=True)
    assert "2 Personen auf der Warteliste wurde ein Platz angeboten." in response.content.decode()
    statuses = [Registration.objects.get(pk=r.pk).status for r in made]
    assert statuses == ["confirmed", "offered", "offered", "waiting"]
    # without a limit, everyone still waiting is in
    client.post(url, event_post(slug=event.slug, capacity=""))
    assert Registration.objects.get(pk=made[3].pk).status == Status.CONFIRMED


@pytest.mark.django_db
def test_programme_refuses_items_outside_the_event(client: Any, forum_staff: Any) -> None:
    event = make_event("programm", start=datetime.datetime(2030, 3, 3, 9, 0, tzinfo=BERLIN))
    client.force_login(forum_staff)
    rows = [
        {"title_de": "", "title_en": "Only English", "day": "2030-03-03"}
        | {"start_time": "11:00", "end_time": "10:00"},
        {"title_de": "Später", "day": "2030-03-09", "start_time": "09:00", "end_time": "10:00"},
    ]
    response = client.post(
        reverse("events:programme", kwargs={"event": event.slug}), programme_post(event, rows)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ein Programmpunkt muss nach seinem Beginn enden." in page
    assert "Das Datum muss innerhalb der Veranstaltungstage liegen." in page
    assert 'value="Only English"' in page
    assert not Session.objects.exists()


# --- the YAML file ------------------------------------------------------------------------------

GOOD_FILE = """\
slug: fachtag-2030
kind: conference
format: in_person
title: {de: Fachtag Prävention, en: Prevention day, fr: Journée de la prévention}
description: {de: Vorträge und Workshops}
start: 2030-10-20T09:00:00+02:00
end: 2030-10-20 17:00
venue: Kongresshaus
address: Am See 1, 78462 Konstanz
capacity: 120
access: members
questions: [diet, accessibility]
topics: [Prävention, Jugend]
sessions:
  - title: {de: Eröffnung, en: Opening, fr: Ouverture}
    start: 2030-10-20 09:00
    end: 2030-10-20 09:30
    speakers: Bürgermeisterin
  - title: Mittagspause
    start: "2030-10-20T12:00"
    end: "2030-10-20T13:00"
"""


@pytest.mark.django_db
def test_yaml_file_creates_then_updates_an_event(tmp_path: Path) -> None:
    path = tmp_path / "fachtag.yaml"
    path.write_text(GOOD_FILE, encoding="utf-8")
    event = load_event_file(path)
    assert event.slug == "fachtag-2030"
    assert event.title["fr"] == "Journée de la prévention"
    assert event.start == datetime.datetime(2030, 10, 20, 9, 0, tzinfo=BERLIN)
    assert event.end == datetime.datetime(2030, 10, 20, 17, 0, tzinfo=BERLIN)
    assert (event.kind, event.access, event.capacity) == ("conference", "members", 120)
    assert (event.ask_diet, event.ask_accessibility, event.ask_notes) == (True, True, False)
    assert event.topics == "Prävention, Jugend"
    assert [s.title_text() for s in event.sessions.all()] == ["Eröffnung", "Mittagspause"]
    assert event.sessions.first().speakers == "Bürgermeisterin"  # type: ignore[union-attr]
    assert EventAuditEntry.objects.filter(event=event, action="create").exists()

    # the same file again with a change: updated, not duplicated; the programme replaced
    path.write_text(
        GOOD_FILE.replace("capacity: 120", "capacity: 150").split("sessions:")[0]
        + "sessions: []\n",
        encoding="utf-8",
    )
    again = load_event_file(path)
    assert again.pk == event.pk and Event.objects.count() == 1
    assert again.capacity == 150
    assert not again.sessions.exists()
    # keys left out keep their value
    path.write_text("slug: fachtag-2030\nvenue: Stadthalle\n", encoding="utf-8")
    updated = load_event_file(path)
    assert (updated.venue, updated.capacity, updated.title["en"]) == (
        "Stadthalle",
        150,
        "Prevention day",
    )


@pytest.mark.django_db
def test_yaml_file_with_mistakes_lists_them_and_saves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.yaml"
    path.write_text(
        GOOD_FILE.replace("title: {de: Fachtag Prävention, ", "title: {")
        .replace("end: 2030-10-20 17:00", "end: 2030-10-19 17:00")
        .replace("venue: Kongresshaus\n", ""),
        encoding="utf-8",
    )
    with pytest.raises(ValueError) as refused:
        load_event_file(path)
    message = str(refused.value)
    assert "kaputt.yaml" in message
    assert "title.de:" in message
    assert "end:" in message
    assert "venue:" in message
    assert not Event.objects.exists()

    path.write_text(GOOD_FILE.replace("end: 2030-10-20 09:30", "end: 2030-10-20 08:30"))
    with pytest.raises(ValueError, match=r"sessions\[1\]\.end"):
        load_event_file(path)
    assert not Event.objects.exists()

    path.write_text(GOOD_FILE + "colour: blue\n")
    with pytest.raises(ValueError, match="unknown keys: colour"):
        load_event_file(path)
    path.write_text("slug: [unclosed\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_event_file(path)
    path.write_text(GOOD_FILE.replace("start: 2030-10-20T09:00:00+02:00", "start: tomorrow"))
    with pytest.raises(ValueError, match="start: “tomorrow” is not a date and time"):
        load_event_file(path)
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_yaml_file_cannot_lower_capacity_below_the_taken(tmp_path: Path) -> None:
    event = make_event("fachtag-2030", capacity=5)
    for number in range(4):
        services.register(event, name=f"P{number}", email=f"p{number}@example.org")
    path = tmp_path / "fachtag.yaml"
    path.write_text("slug: fachtag-2030\ncapacity: 2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="capacity: 4"):
        load_event_file(path)
    event.refresh_from_db()
    assert event.capacity == 5
