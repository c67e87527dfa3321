"""An organisation registers several of its people (web page and command line), reminders
before the event and the organisers' message to registrants – counted in the outbox."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from defus.events.models import Event, Registration
from defus.organisations.models import Organisation
from tests.conftest import make_person

from .support import BERLIN, make_event

Status = Registration.Status


@pytest.fixture
def city(db: Any, settings: Any) -> dict[str, Any]:
    settings.DEFUS_BACKGROUND_SYNC = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org = Organisation.objects.create(name="Nahstadt", slug="nahstadt")
    other = Organisation.objects.create(name="Fernstadt", slug="fernstadt")
    return {
        "org": org,
        "admin": make_person("chefin@nahstadt.example", org, "admin", first_name="Clara"),
        "people": [
            make_person(
                f"p{i}@nahstadt.example",
                org,
                "member",
                first_name=f"Person{i}",
                last_name="Nah",
                preferred_language=("de", "en", "fr")[i],
            )
            for i in range(3)
        ],
        "stranger": make_person("x@fernstadt.example", other, "member"),
        "other_admin": make_person("admin@fernstadt.example", other, "admin"),
    }


def _url(event: Event) -> str:
    return reverse("events:register_group", kwargs={"event": event.slug})


def test_the_admin_registers_a_group_places_then_waiting_list(
    client: Any, city: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    event = make_event("gruppe", capacity=2)
    client.force_login(city["admin"])
    page = client.get(_url(event))
    assert page.status_code == 200
    assert b"Person0 Nah" in page.content and b"x@fernstadt" not in page.content
    ids = [str(p.pk) for p in city["people"]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(event), {"organisation": "nahstadt", "people": ids})
    assert response.status_code == 302
    made = {r.user.email: r for r in Registration.objects.filter(event=event)}
    statuses = sorted(r.status for r in made.values())
    assert statuses == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITING]
    assert {(r.registered_by, r.organisation) for r in made.values()} == {
        (city["admin"], city["org"])
    }
    # one email each, in each person's own language
    assert sorted(m.to[0] for m in mail.outbox) == sorted(made)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert "Séminaire gruppe" in subjects["p2@nahstadt.example"]
    assert "(en)" in subjects["p1@nahstadt.example"]
    # the page now lists them; registering the same people again is not offered, the
    # admin (not registered yet) still is
    again = client.get(response["Location"]).content.decode()
    assert again.count("Person") >= 3
    assert all(f'value="{pk}"' not in again for pk in ids)
    assert f'value="{city["admin"].pk}"' in again


def test_a_person_of_another_organisation_cannot_be_slipped_in(
    client: Any, city: dict[str, Any]
) -> None:
    event = make_event("fremd")
    client.force_login(city["admin"])
    response = client.post(
        _url(event), {"organisation": "nahstadt", "people": [str(city["stranger"].pk)]}
    )
    assert response.status_code == 200
    assert "Auswahl" in response.content.decode()  # "Bitte eine gültige Auswahl treffen"
    # asking for another organisation falls back to one's own
    page = client.get(_url(event) + "?organisation=fernstadt")
    assert b"x@fernstadt" not in page.content
    assert not Registration.objects.exists()


def test_only_an_organisation_admin_registers_groups(client: Any, city: dict[str, Any]) -> None:
    event = make_event("nur-admin")
    assert client.get(_url(event)).status_code == 302  # anonymous: to the login
    client.force_login(city["people"][0])
    assert client.get(_url(event)).status_code == 403
    detail = client.get(reverse("events:detail", kwargs={"event": event.slug}))
    assert _url(event).encode() not in detail.content
    client.force_login(city["admin"])
    detail = client.get(reverse("events:detail", kwargs={"event": event.slug}))
    assert _url(event).encode() in detail.content


def test_assembly_one_voting_representative_chosen_among_the_group(
    client: Any, city: dict[str, Any]
) -> None:
    event = make_event("versammlung", kind=Event.Kind.ASSEMBLY, capacity=None)
    client.force_login(city["admin"])
    first, second, third = city["people"]
    refused = client.post(
        _url(event),
        {"people": [first.pk], "voting_representative": second.pk},
    )
    assert refused.status_code == 200
    assert "muss eine der angemeldeten Personen sein" in refused.content.decode()
    client.post(_url(event), {"people": [first.pk, second.pk], "voting_representative": second.pk})
    assert Registration.objects.get(user=second).voting_representative
    # a second vote for the same organisation is refused with the reason
    again = client.post(_url(event), {"people": [third.pk], "voting_representative": third.pk})
    assert "hat bereits eine stimmberechtigte" in again.content.decode()
    assert not Registration.objects.filter(user=third).exists()


def test_group_registration_from_the_command_line(city: dict[str, Any]) -> None:
    event = make_event("cli", capacity=1)
    out = StringIO()
    call_command(
        "events",
        "register-group",
        event.slug,
        "nahstadt",
        "--by",
        "chefin@nahstadt.example",
        "--people",
        "p0@nahstadt.example",
        "P1@nahstadt.example",
        stdout=out,
    )
    assert out.getvalue().splitlines() == [
        "p0@nahstadt.example\tconfirmed",
        "p1@nahstadt.example\twaiting",
    ]
    with pytest.raises(CommandError, match="Nur die Administration"):
        call_command(
            "events",
            "register-group",
            event.slug,
            "nahstadt",
            "--by",
            "p2@nahstadt.example",
            "--people",
            "p2@nahstadt.example",
        )
    with pytest.raises(CommandError, match=r"no account for: nobody@x\.example"):
        call_command(
            "events",
            "register-group",
            event.slug,
            "nahstadt",
            "--by",
            "chefin@nahstadt.example",
            "--people",
            "nobody@x.example",
        )


def test_reminders_go_once_to_confirmed_registrants_with_link_and_ics(
    city: dict[str, Any],
) -> None:
    soon = datetime.datetime.now(BERLIN).replace(microsecond=0) + datetime.timedelta(hours=10)
    event = make_event("bald", start=soon, capacity=1)
    later = make_event("spaeter", start=soon + datetime.timedelta(days=5))
    first, second, third = city["people"]
    Registration.objects.create(event=event, user=first, status=Status.CONFIRMED, language="fr")
    Registration.objects.create(
        event=event, user=second, status=Status.WAITING, waiting_number=1, language="de"
    )
    Registration.objects.create(event=later, user=third, status=Status.CONFIRMED, language="de")
    out = StringIO()
    call_command("events", "tick", stdout=out)
    assert "reminders sent: 1" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["p0@nahstadt.example"]]
    reminder = mail.outbox[0]
    assert reminder.subject.startswith("Rappel")
    assert "https://meet.example/bald-secret" in reminder.body
    _name, content, mimetype = reminder.attachments[0]
    assert mimetype == "text/calendar"
    assert icalendar.Calendar.from_ical(content).walk("VEVENT")[0]["SUMMARY"] == "Séminaire bald"
    call_command("events", "tick", stdout=StringIO())
    assert len(mail.outbox) == 1


def test_organisers_message_reaches_confirmed_and_offered_registrants_only(
    client: Any, city: dict[str, Any], forum_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    event = make_event("nachricht")
    first, second, third = city["people"]
    Registration.objects.create(event=event, user=first, status=Status.CONFIRMED)
    Registration.objects.create(event=event, user=second, status=Status.OFFERED)
    Registration.objects.create(event=event, user=third, status=Status.WAITING, waiting_number=1)
    Registration.objects.create(
        event=event, name="Gast", email="gast@example.org", status=Status.CANCELLED
    )
    url = reverse("events:message", kwargs={"event": event.slug})
    client.force_login(city["admin"])  # a city's admin is no organiser
    assert client.post(url, {"subject": "S", "body": "B"}).status_code == 403
    client.force_login(forum_staff)
    empty = client.post(url, {"subject": "", "body": ""}, follow=True)
    assert "Bitte geben Sie einen Betreff und eine Nachricht an" in empty.content.decode()
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"subject": "Raumänderung", "body": "Wir tagen in Saal 2."})
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@nahstadt.example", "p1@nahstadt.example"]
    assert {m.subject for m in mail.outbox} == {"Raumänderung"}
    assert event.pk and event.registrations.count() == 4
    from defus.events.models import EventAuditEntry

    assert EventAuditEntry.objects.filter(event=event, action="message").count() == 1


def test_import_an_event_from_a_file(db: Any, tmp_path: Any) -> None:
    good = tmp_path / "event.yaml"
    good.write_text(
        "slug: quartier\n"
        "kind: seminar\n"
        "format: online\n"
        "title: {de: Sicherheit im Quartier, fr: Sécurité au quartier}\n"
        "start: 2030-03-30 10:00\n"
        "end: 2030-03-30 12:00\n"
        "online_link: https://meet.example/quartier\n"
        "sessions:\n"
        "  - {title: {de: Begrüßung}, start: 2030-03-30 10:00, end: 2030-03-30 10:15}\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("events", "import", str(good), stdout=out)
    assert out.getvalue() == "quartier\tSicherheit im Quartier\n"
    event = Event.objects.get(slug="quartier")
    assert event.start == datetime.datetime(2030, 3, 30, 10, 0, tzinfo=BERLIN)
    assert event.sessions.count() == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("slug: kaputt\nformat: hybrid\ntitle: {en: No German title}\n", encoding="utf-8")
    with pytest.raises(CommandError) as problem:
        call_command("events", "import", str(bad))
    assert "title.de" in str(problem.value)
    assert not Event.objects.filter(slug="kaputt").exists()
