"""Event pages over HTTP: iCalendar across DST, who sees members-only events, documents and
links, the organisers' exports, certificates and deleting personal data."""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any

import icalendar
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from defus.events import services
from defus.events.models import EventAuditEntry, EventDocument, Registration
from defus.organisations.models import Organisation
from tests.conftest import make_person

from .support import BERLIN, make_event


@pytest.mark.django_db
def test_ics_times_are_right_in_winter_and_summer(client: Any) -> None:
    make_event("winter", start=datetime.datetime(2030, 1, 15, 10, 0, tzinfo=BERLIN))
    make_event("summer", start=datetime.datetime(2030, 7, 15, 10, 0, tzinfo=BERLIN))
    response = client.get(reverse("events:calendar_ics"))
    assert response["Content-Type"] == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    starts = {
        str(e["UID"]).split("-")[2].split("@")[0]: e.decoded("DTSTART")
        for e in calendar.walk("VEVENT")
    }
    for slug, utc_hour in (("winter", 9), ("summer", 8)):
        start = starts[slug]
        assert (start.hour, start.utcoffset()) == (10, datetime.timedelta(hours=10 - utc_hour))
        assert start.astimezone(datetime.UTC).hour == utc_hour
    assert b"DTSTART;TZID=Europe/Berlin:20300715T100000" in response.content
    # the feed never carries online links
    assert b"meet.example" not in response.content
    single = client.get(reverse("events:event_ics", kwargs={"event": "summer"}))
    assert len(icalendar.Calendar.from_ical(single.content).walk("VEVENT")) == 1


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    member_org = Organisation.objects.create(name="Nahstadt", slug="nahstadt")
    other_org = Organisation.objects.create(name="Fernstadt", slug="fernstadt", is_member=False)
    return {
        "member": make_person("m@nahstadt.example", member_org, "member"),
        "outsider": make_person("o@fernstadt.example", other_org, "admin"),
    }


def _document(event: Any, visibility: str, title: str) -> EventDocument:
    document = EventDocument(event=event, title=title, visibility=visibility)
    document.file.save(f"{title}.txt", ContentFile(title.encode()), save=True)
    return document


@pytest.mark.django_db
def test_members_only_pages_documents_and_links(
    client: Any, people: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    closed = make_event("intern", access="members", title={"de": "Internes Treffen"})
    open_event = make_event("offen", title={"de": "Offene Tagung"})
    members_doc = _document(open_event, "members", "member-slides")
    registrants_doc = _document(open_event, "registrants", "registrant-minutes")
    public_doc = _document(open_event, "public", "agenda")
    detail = reverse("events:detail", kwargs={"event": closed.slug})
    register = reverse("events:register", kwargs={"event": closed.slug})
    closed_ics = reverse("events:event_ics", kwargs={"event": closed.slug})

    def doc_url(document: EventDocument) -> str:
        return reverse(
            "events:document", kwargs={"event": open_event.slug, "event_document": document.pk}
        )

    # anonymous: neither listed nor reachable; documents beyond public ones ask for login
    assert "Internes Treffen" not in client.get(reverse("events:list")).content.decode()
    for url in (detail, register, closed_ics):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(doc_url(public_doc)).status_code == 200
    assert client.get(doc_url(members_doc)).status_code == 302
    assert client.get(doc_url(registrants_doc)).status_code == 302
    page = client.get(reverse("events:detail", kwargs={"event": open_event.slug})).content
    assert b"member-slides" not in page and b"meet.example" not in page

    # a person of a non-member organisation: not found
    client.force_login(people["outsider"])
    assert "Internes Treffen" not in client.get(reverse("events:list")).content.decode()
    for url in (detail, register, closed_ics, doc_url(members_doc), doc_url(registrants_doc)):
        assert client.get(url).status_code == 404, url
    assert b"Internes Treffen" not in client.get(reverse("events:calendar_ics")).content

    # a member: sees the event and members' documents, not the registrants' or the link
    client.force_login(people["member"])
    assert "Internes Treffen" in client.get(reverse("events:list")).content.decode()
    page = client.get(detail).content.decode()
    assert "Internes Treffen" in page and closed.online_link not in page
    assert client.get(doc_url(members_doc)).status_code == 200
    assert client.get(doc_url(registrants_doc)).status_code == 404
    # … until registered and confirmed
    services.register(open_event, user=people["member"])
    page = client.get(reverse("events:detail", kwargs={"event": open_event.slug})).content
    assert open_event.online_link.encode() in page
    assert b"registrant-minutes" in page
    assert client.get(doc_url(registrants_doc)).status_code == 200
    own_ics = client.get(reverse("events:event_ics", kwargs={"event": open_event.slug}))
    assert open_event.online_link.encode() in own_ics.content


@pytest.mark.django_db
def test_list_filters_and_month(client: Any) -> None:
    make_event("webinar-a", kind="webinar", format="online", topics="Inklusion")
    make_event("konferenz-b", kind="conference", format="in_person", topics="Resilienz")
    listing = client.get(reverse("events:list"), {"kind": "webinar"}).content.decode()
    assert "webinar-a" in listing and "konferenz-b" not in listing
    listing = client.get(reverse("events:list"), {"format": "in_person"}).content.decode()
    assert "konferenz-b" in listing and "webinar-a" not in listing
    listing = client.get(reverse("events:list"), {"q": "resilienz"}).content.decode()
    assert "konferenz-b" in listing and "webinar-a" not in listing
    assert client.get(reverse("events:list"), {"kind": "nonsense"}).status_code == 200
    start = make_event("im-mai", start=datetime.datetime(2030, 5, 20, 9, tzinfo=BERLIN)).start
    month = client.get(reverse("events:month"), {"month": "2030-05"}).content.decode()
    assert "im-mai" in month and start.year == 2030
    assert client.get(reverse("events:month"), {"month": "x-13"}).status_code == 200


@pytest.mark.django_db
def test_organiser_pages_exports_certificates_and_purge(
    client: Any, forum_staff: Any, admin_a: Any, settings: Any
) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True
    past = datetime.datetime.now(BERLIN).replace(microsecond=0) - datetime.timedelta(days=3)
    training = make_event(
        "fortbildung", kind="training", capacity=1, ask_diet=True, registration_open=True
    )
    services.register(
        training, name="Erika Muster", email="erika@example.org", answers={"diet": "vegan"}
    )
    services.register(training, name="Max Mustermann", email="max@example.org")
    erika = Registration.objects.get(email="erika@example.org")
    # city admins are not organisers
    client.force_login(admin_a)
    manage = reverse("events:participants", kwargs={"event": training.slug})
    assert client.get(manage).status_code == 403

    client.force_login(forum_staff)
    page = client.get(manage).content.decode()
    assert "Erika Muster" in page and "Max Mustermann" in page
    client.post(
        reverse("events:check_in", kwargs={"event": training.slug, "registration": erika.pk}),
        {"present": "1"},
    )
    erika.refresh_from_db()
    assert erika.checked_in
    csv_text = client.get(reverse("events:export_csv", kwargs={"event": training.slug}))
    assert "erika@example.org" in csv_text.content.decode("utf-8-sig")
    assert "vegan" in csv_text.content.decode("utf-8-sig")
    xlsx = client.get(reverse("events:export_xlsx", kwargs={"event": training.slug}))
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == 3
    pdf = client.get(reverse("events:certificates", kwargs={"event": training.slug}))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert len(pdf.content) > 2000

    # purge: refused before the end, then by button; counts remain, people are gone
    purge = reverse("events:purge", kwargs={"event": training.slug})
    client.post(purge)
    assert Registration.objects.filter(anonymised=True).count() == 0
    training.start, training.end = past, past + datetime.timedelta(hours=6)
    training.save()
    client.post(purge)
    rows = Registration.objects.filter(event=training)
    assert rows.count() == 2 and rows.filter(status="confirmed").count() == 1
    assert rows.filter(checked_in=True).count() == 1
    for row in rows:
        assert (row.name, row.email, row.answers, row.user) == ("", "", {}, None)
    assert services.counts(training).confirmed == 1
    assert EventAuditEntry.objects.filter(event=training, action="purge").exists()
    page = client.get(manage).content.decode()
    assert "Erika" not in page and "erika@example.org" not in page


@pytest.mark.django_db
def test_purge_command_respects_the_retention_period(capsys: Any) -> None:
    long_ago = datetime.datetime.now(BERLIN) - datetime.timedelta(days=120)
    recent = datetime.datetime.now(BERLIN) - datetime.timedelta(days=10)
    old = make_event("alt", start=long_ago, registration_open=False)
    new = make_event("neu", start=recent)
    for event in (old, new):
        Registration.objects.create(
            event=event, name="N", email="n@example.org", status="confirmed"
        )
    call_command("events", "purge")
    assert "alt: 1 registrations anonymised" in capsys.readouterr().out
    assert Registration.objects.get(event=old).email == ""
    assert Registration.objects.get(event=new).email == "n@example.org"
    assert Registration.objects.filter(event=old).count() == 1
