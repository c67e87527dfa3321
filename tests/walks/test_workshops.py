"""Focused workshops through real HTTP: the workshop with participant counts, findings tied to
a place, group or module, documents (size, type, permission-checked download), permissions,
the `defus walks workshops` command and the dashboard link."""

from __future__ import annotations

import datetime
import io
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import NoReverseMatch, reverse

from defus.fieldwork.models import District, Place, Wave
from defus.walks.models import Workshop, WorkshopDocument, WorkshopFinding
from defus.walks.services import workshops as service

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def make_wave(organisation: Any, slug: str, start: datetime.date | None = None) -> Wave:
    start = start or datetime.date(2026, 3, 1)
    wave = Wave.objects.create(
        organisation=organisation,
        title=f"Wave {slug}",
        slug=slug,
        instrument_version="2026.1",
        field_start=start,
        field_end=start + datetime.timedelta(days=40),
    )
    for number, name in enumerate(("Nord", "Mitte"), start=1):
        District.objects.create(
            wave=wave, code=f"{slug[:2]}{number}", name=f"{name} {slug}", answer_code=number
        )
    Place.objects.create(wave=wave, code="HBF", name=f"Station {slug}", kind="station")
    return wave


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def wave_a(org_a: Any) -> Wave:
    return make_wave(org_a, "ms-2026")


@pytest.fixture
def other_wave_a(org_a: Any) -> Wave:
    return make_wave(org_a, "ms-2024", datetime.date(2024, 3, 1))


@pytest.fixture
def workshop_a(org_a: Any, wave_a: Wave) -> Workshop:
    return Workshop.objects.create(
        organisation=org_a,
        wave=wave_a,
        title="Older residents of Nord",
        topic="Feeling safe after dark",
        date=datetime.date(2026, 5, 4),
        participants={"older": 12, "staff": 2},
    )


@pytest.fixture
def workshop_b(org_b: Any) -> Workshop:
    wave = make_wave(org_b, "bb-2026")
    workshop = Workshop.objects.create(
        organisation=org_b, wave=wave, title="Secret Beispielburg", topic="t", date=wave.field_start
    )
    WorkshopFinding.objects.create(workshop=workshop, text="secret finding", group="women")
    return workshop


def url(name: str, organisation: Any, **kwargs: Any) -> str:
    return reverse(f"walks:{name}", kwargs={"org": organisation.slug, **kwargs})


def workshop_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Young people at the station",
        "topic": "The station square at night",
        "date": "2026-05-20",
        "wave": "",
        "district": "",
        "agenda": "1. Welcome\n2. Results of the survey\n3. Walk to the square",
        "participants_young": "9",
        "participants_staff": "2",
        "participants_police": "0",
        "participants_women": "",
    }
    data.update(overrides)
    return data


def upload(client: Any, workshop: Workshop, name: str, content: bytes, title: str = "") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        url("workshop_document_upload", workshop.organisation, workshop=workshop.pk),
        {"file": SimpleUploadedFile(name, content), "title": title},
    )


# --- workshops ---------------------------------------------------------------------------------


def test_create_and_edit_a_workshop_with_participant_counts(
    client: Any, analyst_a: Any, org_a: Any, wave_a: Wave
):
    client.force_login(analyst_a)
    district = wave_a.districts.get(answer_code=2)
    response = client.post(
        url("workshop_create", org_a),
        workshop_post(wave=str(wave_a.pk), district=str(district.pk)),
    )
    workshop = Workshop.objects.get(organisation=org_a)
    assert response.status_code == 302
    assert response["Location"] == url("workshop_detail", org_a, workshop=workshop.pk)
    assert workshop.participants == {"young": 9, "staff": 2}  # zeros and empty left out
    assert workshop.wave == wave_a and workshop.district == district

    page = client.get(response["Location"]).content.decode()
    assert "The workshop “Young people at the station” was created." in page
    assert "young people: 9" in page and "11 people in all" in page

    edit = client.get(url("workshop_edit", org_a, workshop=workshop.pk)).content.decode()
    assert 'value="9"' in edit and "Walk to the square" in edit
    response = client.post(
        url("workshop_edit", org_a, workshop=workshop.pk),
        workshop_post(title="Young people, second round", participants_young="14"),
    )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.title == "Young people, second round"
    assert workshop.participants == {"young": 14, "staff": 2}
    assert workshop.wave is None and workshop.district is None

    listing = client.get(url("workshop_list", org_a)).content.decode()
    assert "Young people, second round" in listing


def test_bad_counts_and_missing_fields_are_shown_not_stored(client: Any, admin_a: Any, org_a: Any):
    client.force_login(admin_a)
    response = client.post(
        url("workshop_create", org_a),
        workshop_post(title="", participants_young="-3", participants_staff="lots", date="soon"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please correct the following" in page
    assert "Ensure this value is greater than or equal to 0." in page
    assert "Enter a whole number." in page
    assert "Enter a valid date." in page
    assert 'aria-invalid="true"' in page
    assert "Walk to the square" in page  # nothing typed is lost
    assert not Workshop.objects.exists()
    with pytest.raises(service.WorkshopError, match="whole number from 0"):
        service.clean_participants({"women": "-1"})
    with pytest.raises(service.WorkshopError, match="not a participant group"):
        service.clean_participants({"names": "Anna, Berta"})


def test_district_must_belong_to_the_chosen_wave(
    client: Any, admin_a: Any, org_a: Any, wave_a: Wave, other_wave_a: Wave
):
    client.force_login(admin_a)
    foreign_district = other_wave_a.districts.first()
    assert foreign_district is not None
    response = client.post(
        url("workshop_create", org_a),
        workshop_post(wave=str(wave_a.pk), district=str(foreign_district.pk)),
    )
    assert response.status_code == 400
    assert "belongs to the wave “Wave ms-2024”, not to “Wave ms-2026”" in response.content.decode()
    assert not Workshop.objects.exists()

    # a district alone: the workshop takes the district's wave
    response = client.post(
        url("workshop_create", org_a), workshop_post(district=str(foreign_district.pk))
    )
    assert response.status_code == 302
    assert Workshop.objects.get().wave == other_wave_a


def test_a_wave_or_district_of_another_city_is_refused(
    client: Any, admin_a: Any, org_a: Any, workshop_b: Workshop
):
    client.force_login(admin_a)
    wave_b = workshop_b.wave
    assert wave_b is not None
    response = client.post(url("workshop_create", org_a), workshop_post(wave=str(wave_b.pk)))
    assert response.status_code == 400
    assert "Choose one of your organisation&#x27;s waves." in response.content.decode()
    district_b = wave_b.districts.first()
    response = client.post(
        url("workshop_create", org_a), workshop_post(district=str(district_b.pk))
    )
    assert response.status_code == 400
    assert "Secret Beispielburg" not in response.content.decode()
    assert not Workshop.objects.filter(organisation=org_a).exists()


def test_the_wave_cannot_change_while_findings_name_its_places(
    client: Any, admin_a: Any, org_a: Any, workshop_a: Workshop, other_wave_a: Wave
):
    place = Place.objects.get(wave=workshop_a.wave)
    service.save_finding(workshop_a, "Dark underpass", place=place)
    client.force_login(admin_a)
    response = client.post(
        url("workshop_edit", org_a, workshop=workshop_a.pk),
        workshop_post(wave=str(other_wave_a.pk)),
    )
    assert response.status_code == 400
    assert "1 finding of this workshop is tied to a place of its wave" in response.content.decode()
    workshop_a.refresh_from_db()
    assert workshop_a.wave_id != other_wave_a.pk


def test_delete_a_workshop_with_its_documents(
    client: Any, admin_a: Any, org_a: Any, workshop_a: Workshop, media: Path
):
    client.force_login(admin_a)
    upload(client, workshop_a, "minutes.pdf", PDF)
    stored = media / WorkshopDocument.objects.get().file.name
    assert stored.exists()
    page = client.get(url("workshop_delete", org_a, workshop=workshop_a.pk))
    assert "cannot be undone" in page.content.decode()
    response = client.post(url("workshop_delete", org_a, workshop=workshop_a.pk))
    assert response.status_code == 400  # the box was not ticked
    response = client.post(url("workshop_delete", org_a, workshop=workshop_a.pk), {"confirm": "on"})
    assert response.status_code == 302
    assert not Workshop.objects.exists() and not stored.exists()


# --- findings ----------------------------------------------------------------------------------


def test_a_finding_needs_a_tie(client: Any, admin_a: Any, org_a: Any, workshop_a: Workshop):
    client.force_login(admin_a)
    create = url("workshop_finding_create", org_a, workshop=workshop_a.pk)
    response = client.post(create, {"text": "The square is too dark.", "group": "", "module": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tie the finding to a place, a group or a module of the questionnaire" in page
    assert "The square is too dark." in page  # kept for the next try
    assert not WorkshopFinding.objects.exists()

    place = Place.objects.get(wave=workshop_a.wave)
    response = client.post(
        create, {"text": "The square is too dark.", "place": str(place.pk), "module": "AFF"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#findings")
    finding = WorkshopFinding.objects.get()
    assert (finding.place, finding.group, finding.module) == (place, "", "AFF")
    detail = client.get(url("workshop_detail", org_a, workshop=workshop_a.pk)).content.decode()
    assert "Place: Station ms-2026" in detail
    assert "Module: How safe you feel" in detail  # the module's title in the page's language

    response = client.post(
        url("workshop_finding_edit", org_a, workshop=workshop_a.pk, finding=finding.pk),
        {"text": "Too dark, and no one around.", "group": "older"},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.text, finding.place, finding.group, finding.module) == (
        "Too dark, and no one around.",
        None,
        "older",
        "",
    )
    response = client.post(
        url("workshop_finding_delete", org_a, workshop=workshop_a.pk, finding=finding.pk)
    )
    assert response.status_code == 302
    assert not WorkshopFinding.objects.exists()


def test_module_titles_follow_the_language(client: Any, admin_a: Any, workshop_a: Workshop):
    WorkshopFinding.objects.create(workshop=workshop_a, text="x", module="CON")
    client.force_login(admin_a)
    page = client.get(
        f"/o/{workshop_a.organisation.slug}/walks/workshops/{workshop_a.pk}/"
    ).content.decode()
    assert "Modul: Ihr Alltag" in page
    page = client.get(
        f"/fr/o/{workshop_a.organisation.slug}/walks/workshops/{workshop_a.pk}/"
    ).content.decode()
    assert "Votre vie quotidienne" in page


def test_a_place_of_another_wave_is_rejected(
    client: Any, admin_a: Any, org_a: Any, workshop_a: Workshop, other_wave_a: Wave
):
    other_place = Place.objects.get(wave=other_wave_a)
    client.force_login(admin_a)
    response = client.post(
        url("workshop_finding_create", org_a, workshop=workshop_a.pk),
        {"text": "Dark", "place": str(other_place.pk), "group": "women"},
    )
    assert response.status_code == 400
    assert "Choose a place of this workshop&#x27;s wave." in response.content.decode()
    assert not WorkshopFinding.objects.exists()
    # the rule holds outside the form too (the command line, other callers)
    with pytest.raises(service.WorkshopError, match="not a place of this workshop's wave"):
        service.save_finding(workshop_a, "Dark", place=other_place)
    with pytest.raises(service.WorkshopError, match="not a module of the questionnaire"):
        service.save_finding(workshop_a, "Dark", module="XYZ")


def test_a_workshop_without_wave_offers_groups_and_modules_but_no_places(
    client: Any, admin_a: Any, org_a: Any
):
    workshop = Workshop.objects.create(
        organisation=org_a, title="Open meeting", topic="t", date=datetime.date(2026, 1, 1)
    )
    client.force_login(admin_a)
    page = client.get(url("workshop_finding_create", org_a, workshop=workshop.pk)).content.decode()
    assert 'name="place"' not in page
    assert "Places can be chosen once the workshop belongs to a survey wave." in page
    assert "What matters for feeling safe" in page  # modules of the standard questionnaire


# --- documents ---------------------------------------------------------------------------------


def test_upload_download_and_delete_a_document(
    client: Any, admin_a: Any, member_a: Any, org_a: Any, workshop_a: Workshop, media: Path
):
    client.force_login(admin_a)
    response = upload(client, workshop_a, "Protokoll Mai.pdf", PDF, title="Minutes")
    assert response.status_code == 302
    document = WorkshopDocument.objects.get()
    assert document.title == "Minutes"
    assert (media / document.file.name).read_bytes() == PDF

    client.force_login(member_a)
    download = url(
        "workshop_document_download", org_a, workshop=workshop_a.pk, document=document.pk
    )
    detail = client.get(url("workshop_detail", org_a, workshop=workshop_a.pk)).content.decode()
    assert download in detail and "Upload a document" not in detail
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Protokoll" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    delete = url("workshop_document_delete", org_a, workshop=workshop_a.pk, document=document.pk)
    assert client.post(delete).status_code == 403

    client.force_login(admin_a)
    assert client.post(delete).status_code == 302
    assert not WorkshopDocument.objects.exists()
    assert not (media / document.file.name).exists()
    assert client.get(download).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "The file “tool.exe” is not of an allowed type."),
        ("minutes.pdf", b"MZ\x90\x00 a program", "The content of “minutes.pdf” does not match"),
        ("notes.txt", b"\x00\x01\x02binary", "The content of “notes.txt” does not match"),
        ("empty.docx", b"", "The submitted file is empty."),
    ],
)
def test_a_document_of_the_wrong_type_is_refused(
    client: Any,
    admin_a: Any,
    workshop_a: Workshop,
    media: Path,
    name: str,
    content: bytes,
    message: str,
):
    client.force_login(admin_a)
    response = upload(client, workshop_a, name, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Please correct the following" in page
    assert not WorkshopDocument.objects.exists()


def test_a_document_too_large_is_refused_with_its_name(
    client: Any, admin_a: Any, workshop_a: Workshop, media: Path, settings: Any
):
    settings.DEFUS_DOCUMENT_MAX_BYTES = 2048
    client.force_login(admin_a)
    response = upload(client, workshop_a, "photos.pdf", PDF + b"x" * 5000)
    assert response.status_code == 400
    assert "The file “photos.pdf” is too large (5 KB); at most 2 KB are allowed." in (
        response.content.decode()
    )
    assert not WorkshopDocument.objects.exists()
    assert not media.exists() or not any(media.rglob("*.pdf"))
    # text and office documents of the allowed kinds pass
    for name, content in [
        ("list.csv", b"Ort;Anzahl\nBahnhof;3\n"),
        ("slides.pptx", b"PK\x03\x04rest"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
        ("flipchart.jpg", b"\xff\xd8\xff\xe0rest"),
    ]:
        assert upload(client, workshop_a, name, content).status_code == 302, name
    assert WorkshopDocument.objects.count() == 4
    # a long name is shortened to fit the database column, not a 500
    long_name = "Protokoll des Workshops mit älteren Menschen " * 4 + ".pdf"
    assert upload(client, workshop_a, long_name, PDF).status_code == 302
    stored = WorkshopDocument.objects.latest("pk")
    assert len(stored.file.name) <= 100 and stored.file.name.endswith(".pdf")
    assert stored.title.startswith("Protokoll des Workshops")


# --- permissions -------------------------------------------------------------------------------


def test_another_citys_workshop_and_document_are_404(
    client: Any, admin_a: Any, org_a: Any, workshop_b: Workshop, media: Path
):
    document = service.add_document(workshop_b, io.BytesIO(PDF), "secret.pdf", len(PDF))
    finding = workshop_b.findings.get()
    org_b = workshop_b.organisation
    client.force_login(admin_a)
    ids = {"workshop": workshop_b.pk}
    for name, kwargs, methods in [
        ("workshop_detail", ids, ["get"]),
        ("workshop_edit", ids, ["get", "post"]),
        ("workshop_delete", ids, ["get", "post"]),
        ("workshop_finding_create", ids, ["get", "post"]),
        ("workshop_finding_edit", {**ids, "finding": finding.pk}, ["get", "post"]),
        ("workshop_finding_delete", {**ids, "finding": finding.pk}, ["post"]),
        ("workshop_document_upload", ids, ["post"]),
        ("workshop_document_download", {**ids, "document": document.pk}, ["get"]),
        ("workshop_document_delete", {**ids, "document": document.pk}, ["post"]),
    ]:
        for method in methods:
            response = getattr(client, method)(url(name, org_b, **kwargs))
            assert response.status_code == 404, (name, method)
            assert b"Secret" not in response.content
    # a workshop of B under A's address is not found either
    response = client.get(url("workshop_document_download", org_a, **ids, document=document.pk))
    assert response.status_code == 404
    assert WorkshopDocument.objects.filter(pk=document.pk).exists()
    assert workshop_b.findings.exists()


def test_a_member_reads_but_cannot_change(
    client: Any, member_a: Any, org_a: Any, workshop_a: Workshop
):
    finding = WorkshopFinding.objects.create(workshop=workshop_a, text="x", group="older")
    client.force_login(member_a)
    assert client.get(url("workshop_list", org_a)).status_code == 200
    page = client.get(url("workshop_detail", org_a, workshop=workshop_a.pk)).content.decode()
    assert "Older residents of Nord" in page and "Edit workshop" not in page
    ids = {"workshop": workshop_a.pk}
    for name, kwargs in [
        ("workshop_create", {}),
        ("workshop_edit", ids),
        ("workshop_delete", ids),
        ("workshop_finding_create", ids),
        ("workshop_finding_edit", {**ids, "finding": finding.pk}),
        ("workshop_finding_delete", {**ids, "finding": finding.pk}),
        ("workshop_document_upload", ids),
    ]:
        assert client.post(url(name, org_a, **kwargs), workshop_post()).status_code == 403, name
    assert Workshop.objects.count() == 1 and WorkshopFinding.objects.count() == 1


def test_anonymous_visitors_are_sent_to_login(client: Any, org_a: Any, workshop_a: Workshop):
    response = client.get(url("workshop_detail", org_a, workshop=workshop_a.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- command line and dashboard ----------------------------------------------------------------


def test_command_lists_and_shows_workshops(org_a: Any, workshop_a: Workshop):
    place = Place.objects.get(wave=workshop_a.wave)
    service.save_finding(workshop_a, "Dark underpass", place=place, group="older")
    out = StringIO()
    call_command("walks", "workshops", "list", org_a.slug, stdout=out)
    assert "Older residents of Nord" in out.getvalue()
    assert "  14  " in out.getvalue()  # participants in all

    out = StringIO()
    call_command("walks", "workshops", "show", str(workshop_a.pk), stdout=out)
    data = json.loads(out.getvalue())
    assert data["title"] == "Older residents of Nord"
    assert data["wave"] == "ms-2026"
    assert data["participants"]["older"] == 12 and data["participants"]["women"] == 0
    assert data["findings"] == [
        {
            "id": workshop_a.findings.get().pk,
            "text": "Dark underpass",
            "place": {"code": "HBF", "name": "Station ms-2026"},
            "group": "older",
            "module": None,
        }
    ]
    with pytest.raises(CommandError, match="no organisation"):
        call_command("walks", "workshops", "list", "nowhere")
    with pytest.raises(CommandError, match="no workshop number 999"):
        call_command("walks", "workshops", "show", "999")


def test_dashboard_links_to_walks_and_workshops(client: Any, member_a: Any, org_a: Any):
    client.force_login(member_a)
    page = client.get(reverse("core:dashboard")).content.decode()
    try:
        walks = reverse("walks:walk_list", kwargs={"org": org_a.slug})
    except NoReverseMatch:
        walks = url("workshop_list", org_a)
    assert f'href="{walks}">Walks and workshops' in page
    try:
        strategy = reverse("strategy:priority_list", kwargs={"org": org_a.slug})
    except NoReverseMatch:
        strategy = None
    if strategy:
        assert f'href="{strategy}">Strategy and measures' in page
