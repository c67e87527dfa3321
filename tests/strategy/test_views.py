"""The strategy pages: findings from the survey, priorities and measures with validation,
documents behind a permission check, and one city never reaching another's strategy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from defus.analysis.dashboard import figures
from defus.instrument.definition import standard_instrument
from defus.strategy.models import Finding, Measure, MeasureDocument, Priority
from defus.strategy.services import figure_estimate, format_figure
from tests.analysis.support import make_analysis_wave
from tests.conftest import make_person
from tests.strategy.support import page_text

from .support import make_finding, make_measure, make_priority, two_waves

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def base(org: Any) -> str:
    return f"/en/o/{org.slug}/strategy/"


def test_pages_show_baseline_now_and_target(client: Client, admin_a: Any, org_a: Any) -> None:
    before, now = two_waves(org_a, per_district=20)
    priority = make_priority(org_a, before, group_by="gender", group="female", target=70)
    make_measure(priority)
    finding = make_finding(org_a)
    priority.findings.add(finding)
    client.force_login(admin_a)
    listing = page_text(client.get(base(org_a)))
    row = figure_estimate(before, "A1", [1, 2], "gender", "female", "en")
    assert priority.problem in listing and "Better lighting" in listing
    assert format_figure(row, "en").split(" (")[0] in listing
    assert now.title in listing and "70%" in listing
    detail = page_text(client.get(f"{base(org_a)}priorities/{priority.pk}/"))
    assert "chart-evaluation-spec" in detail and "Dark underpass" in detail
    assert "25,000" in detail and "in progress" in detail
    assert "No repeat walks" in detail


def test_finding_from_the_survey_is_prefilled_and_saved(
    client: Client, admin_a: Any, org_a: Any
) -> None:
    wave = make_analysis_wave(org_a, per_district=20)
    client.force_login(admin_a)
    url = f"{base(org_a)}findings/new/"
    page = client.get(url, {"from": "survey", "wave": wave.slug, "figure": "SAFE_NIGHT_AREA"})
    text = page.context["form"].initial["text"]
    row = figure_estimate(wave, "A1", [1, 2], "", "", "en")
    assert text == (
        f"{wave.title} – feel safe walking alone in their neighbourhood after dark: "
        f"{format_figure(row, 'en')}"
    )
    assert "95 % CI" in text and f"n = {row.n}" in text
    response = client.post(url, {"source": "survey", "text": text, "wave": wave.pk})
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.organisation, finding.wave, finding.source) == (org_a, wave, "survey")
    # Hand-edited queries give a message, never an error page.
    for query in (
        {"from": "survey", "wave": "nope"},
        {"from": "survey", "wave": wave.slug, "figure": "X"},
        {"from": "survey", "wave": wave.slug, "figure": "SAFE_CITY", "who": "district:99"},
        {"from": "walk", "stop": "abc"},
        {"from": "workshop", "workshop_finding": "1"},
        {"crime": "x"},
    ):
        assert client.get(url, query).status_code == 200, query
    # A group of one district, in the text.
    page = client.get(
        url, {"from": "survey", "wave": wave.slug, "figure": "SAFE_CITY", "who": "district:02"}
    )
    assert "Bahnhofsviertel (02)" in page.context["form"].initial["text"]


def test_priority_form_stores_the_indicator_and_checks_the_target(
    client: Client, admin_a: Any, org_a: Any
) -> None:
    wave = make_analysis_wave(org_a, per_district=10)
    finding = make_finding(org_a)
    client.force_login(admin_a)
    url = f"{base(org_a)}priorities/new/?wave={wave.slug}"
    assert client.get(url).status_code == 200
    data = {
        "baseline_wave": wave.slug,
        "problem": "Unsafe at the station",
        "place": wave.places.get(code="HBF").pk,
        "who": "age_group:60-74",
        "figure": "SAFE_STATIONS_NIGHT",
        "target": "150",
        "findings": [finding.pk],
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "A share is a per cent between 0 and 100." in page_text(response)
    assert not Priority.objects.exists()
    response = client.post(url, {**data, "target": "55"})
    assert response.status_code == 302
    priority = Priority.objects.get()
    assert (priority.item, priority.share, priority.group_by, priority.group) == (
        "A3_07",
        [1, 2],
        "age_group",
        "60-74",
    )
    assert priority.baseline_wave == wave and list(priority.findings.all()) == [finding]
    assert priority.indicator_label == "feel safe at stations and stops after dark"
    # An index: the target lies on its scale.
    index = next(f for f in figures(standard_instrument(), "en") if f.code == "SAFETY_NIGHT")
    edit = f"{base(org_a)}priorities/{priority.pk}/edit/"
    response = client.post(edit, {**data, "figure": index.code, "target": "7"})
    assert "The indicator's scale runs from 1 to 5." in page_text(response)
    response = client.post(edit, {**data, "figure": index.code, "target": "2.5", "who": ""})
    assert response.status_code == 302
    priority.refresh_from_db()
    assert (priority.item, priority.share, priority.group_by) == ("SAFETY_NIGHT", [], "")
    # A place of another wave is refused.
    other = make_analysis_wave(org_a, slug="andere-2025", per_district=0)
    place = other.places.first()
    assert place is not None
    response = client.post(edit, {**data, "place": place.pk, "target": "50"})
    assert response.status_code == 200 and "errorlist" in page_text(response)


def test_measure_validation_and_documents(
    client: Client, admin_a: Any, member_a: Any, admin_b: Any, org_a: Any, settings: Any
) -> None:
    wave = make_analysis_wave(org_a, per_district=0)
    priority = make_priority(org_a, wave)
    client.force_login(admin_a)
    url = f"{base(org_a)}priorities/{priority.pk}/measures/new/"
    data = {
        "title": "Lighting in the underpass",
        "department": "Civil engineering",
        "budget": "-5",
        "start": "2026-10-01",
        "end": "2026-09-01",
        "status": "planned",
    }
    page = page_text(client.post(url, data))
    assert "The budget cannot be negative." in page
    assert "The end lies before the start." in page
    assert not Measure.objects.exists()
    response = client.post(url, {**data, "budget": "12500", "end": "2027-01-31"})
    measure = Measure.objects.get()
    assert response["Location"].endswith(f"/measures/{measure.pk}/edit/")

    upload = f"{base(org_a)}measures/{measure.pk}/documents/"
    pdf = b"%PDF-1.4\n% plan\n"
    response = client.post(upload, {"title": "Plan", "file": SimpleUploadedFile("plan.pdf", pdf)})
    assert response.status_code == 302
    document = MeasureDocument.objects.get()
    assert not (document.file.name or "").startswith("plan")  # stored under a random folder
    response = client.post(
        upload, {"title": "Tool", "file": SimpleUploadedFile("tool.exe", b"MZ....")}
    )
    assert response.status_code == 400
    assert "The file “tool.exe” is not of an allowed type." in page_text(response)
    response = client.post(
        upload, {"title": "Tool", "file": SimpleUploadedFile("tool.pdf", b"MZ....")}
    )
    assert "does not match its extension .pdf" in page_text(response)
    settings.DEFUS_DOCUMENT_MAX_BYTES = 10
    response = client.post(upload, {"title": "Big", "file": SimpleUploadedFile("big.pdf", pdf)})
    assert "The file “big.pdf” is too large" in page_text(response)
    assert MeasureDocument.objects.count() == 1

    download = f"{base(org_a)}documents/{document.pk}/"
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]
    client.force_login(member_a)
    assert client.get(download).status_code == 200  # members may read
    assert client.post(url, {**data, "budget": "1", "end": ""}).status_code == 403
    assert client.get(f"{base(org_a)}measures/{measure.pk}/edit/").status_code == 403
    client.force_login(admin_b)
    assert client.get(download).status_code == 404

    client.force_login(admin_a)
    response = client.post(f"{base(org_a)}documents/{document.pk}/delete/")
    assert response.status_code == 302 and not MeasureDocument.objects.exists()
    assert not Path(settings.MEDIA_ROOT, document.file.name or "-").exists()


def test_another_citys_objects_are_not_found(
    client: Client, admin_a: Any, org_a: Any, org_b: Any
) -> None:
    """admin_a has a role in both cities but reaches city B's objects only under city B."""
    from defus.organisations.models import Membership

    Membership.objects.create(user=admin_a, organisation=org_b, role="admin")
    wave_b = make_analysis_wave(org_b, slug="b-2026", per_district=0)
    priority = make_priority(org_b, wave_b)
    measure = make_measure(priority)
    finding = make_finding(org_b)
    document = MeasureDocument(measure=measure, title="Plan")
    document.file.save("plan.pdf", ContentFile(b"%PDF"), save=True)
    client.force_login(admin_a)
    a = base(org_a)
    for path in (
        f"priorities/{priority.pk}/",
        f"priorities/{priority.pk}/edit/",
        f"priorities/{priority.pk}/delete/",
        f"priorities/{priority.pk}/measures/new/",
        f"measures/{measure.pk}/edit/",
        f"measures/{measure.pk}/delete/",
        f"findings/{finding.pk}/edit/",
        f"findings/{finding.pk}/delete/",
        f"documents/{document.pk}/",
        f"documents/{document.pk}/delete/",
    ):
        assert client.get(a + path).status_code == 404, path
        assert client.post(a + path).status_code in (404, 405), path
    assert client.get(f"{base(org_b)}documents/{document.pk}/").status_code == 200
    assert Priority.objects.filter(pk=priority.pk).exists()
    assert Finding.objects.filter(pk=finding.pk).exists()


def test_member_reads_but_cannot_change(client: Client, member_a: Any, org_a: Any) -> None:
    wave = make_analysis_wave(org_a, per_district=0)
    priority = make_priority(org_a, wave)
    finding = make_finding(org_a)
    client.force_login(member_a)
    a = base(org_a)
    for path in ("", "findings/", "crime/", "overview/", f"priorities/{priority.pk}/"):
        assert client.get(a + path).status_code == 200, path
    for path in (
        "priorities/new/",
        f"priorities/{priority.pk}/edit/",
        f"priorities/{priority.pk}/delete/",
        "findings/new/",
        f"findings/{finding.pk}/delete/",
    ):
        assert client.get(a + path).status_code == 403, path
        assert client.post(a + path, {"problem": "x"}).status_code == 403, path
    assert Priority.objects.filter(pk=priority.pk).exists()
    # A person of no role in the city: 404; nobody logged in: the login page.
    outsider = make_person("someone@elsewhere.example")
    client.force_login(outsider)
    assert client.get(a).status_code == 404
    client.logout()
    assert (
        client.get(a)["Location"].startswith("/accounts/login/")
        or "login" in client.get(a)["Location"]
    )


def test_delete_priority_and_finding(client: Client, admin_a: Any, org_a: Any) -> None:
    wave = make_analysis_wave(org_a, per_district=0)
    priority = make_priority(org_a, wave)
    make_measure(priority)
    finding = make_finding(org_a)
    client.force_login(admin_a)
    a = base(org_a)
    assert "with its 1 measures" in page_text(client.get(f"{a}priorities/{priority.pk}/delete/"))
    assert client.post(f"{a}priorities/{priority.pk}/delete/").status_code == 302
    assert client.post(f"{a}findings/{finding.pk}/delete/").status_code == 302
    assert not Priority.objects.exists() and not Measure.objects.exists()
    assert not Finding.objects.exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", ["Schwerpunkte und Maßnahmen", "Ausgangswert", "Ziel"]),
        ("fr", ["Priorités et mesures", "Valeur de départ", "Objectif"]),
    ],
)
def test_pages_in_german_and_french(
    client: Client, admin_a: Any, org_a: Any, language: str, words: list[str]
) -> None:
    wave = make_analysis_wave(org_a, per_district=10)
    priority = make_priority(org_a, wave)
    measure = make_measure(priority)
    finding = make_finding(org_a)
    client.force_login(admin_a)
    prefix = "" if language == "de" else f"/{language}"
    root = f"{prefix}/o/{org_a.slug}/strategy/"
    page = page_text(client.get(root))
    assert f'<html lang="{language}">' in page
    for word in words:
        assert word in page
    for path in (
        f"priorities/{priority.pk}/",
        f"priorities/{priority.pk}/edit/",
        "priorities/new/",
        f"priorities/{priority.pk}/measures/new/",
        f"measures/{measure.pk}/edit/",
        "findings/",
        "findings/new/",
        f"findings/{finding.pk}/edit/",
        "crime/",
        "overview/",
    ):
        assert client.get(root + path).status_code == 200, path
