"""The exports page: formats by permission, the state of files (polled with htmx while one is
being prepared, a refresh link without JavaScript), downloads only for the wave's own city."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from defus.analysis.exports import get_or_start_export, settings_key
from defus.analysis.models import ExportFile
from defus.fieldwork.models import Wave

from .support import make_analysis_wave

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEFUS_BACKGROUND_SYNC = True
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(autouse=True)
def german() -> Any:
    """German URLs and texts; a request under /fr/ leaves its language active in the test
    thread, which must not reach the next test."""
    with translation.override("de"):
        yield


def url(wave: Wave, name: str = "exports", **extra: Any) -> str:
    return reverse(
        f"analysis:{name}", kwargs={"org": wave.organisation.slug, "wave": wave.slug, **extra}
    )


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_an_analyst_prepares_and_downloads_microdata(client, analyst_a, org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=10)
    client.force_login(analyst_a)
    page = page_text(client.get(url(wave)))
    assert "SPSS (.sav)" in page and "Tabellen (Excel)" in page
    assert 'aria-current="page">Exporte</a>' in page
    response = client.post(url(wave), {"kind": "sav", "language": "de", "by": "district"})
    assert response.status_code == 302
    export = ExportFile.objects.get(wave=wave)
    assert export.kind == "sav" and export.status == ExportFile.Status.READY
    assert export.settings_key.count(":by=") == 0  # a breakdown only matters for tables
    page = page_text(client.get(response["Location"]))
    assert "SPSS (.sav), Deutsch steht zum Herunterladen bereit." in page
    assert url(wave, "export_download", export=export.pk) in page
    assert "hx-trigger" not in page  # nothing pending: no polling
    download = client.get(url(wave, "export_download", export=export.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert f'filename="{wave.slug}-microdata-de.sav"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content)[:4] == b"$FL2"  # an SPSS system file


def test_a_second_request_reuses_the_file(client, analyst_a, org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=10)
    client.force_login(analyst_a)
    for _round in (1, 2):
        client.post(url(wave), {"kind": "tables", "language": "en", "by": "gender"})
    export = ExportFile.objects.get(wave=wave)
    assert export.kind == "tables" and export.language == "en"
    page = page_text(client.get(url(wave)))
    assert "Tabellen (Excel), English, nach Geschlecht" in page


def test_pending_files_are_polled_and_can_be_refreshed_without_javascript(
    client, analyst_a, org_a
) -> None:
    wave = make_analysis_wave(org_a, per_district=5)
    ExportFile.objects.create(
        wave=wave,
        kind="csv",
        language="de",
        revision=wave.answers_revision,
        settings_key=settings_key(wave, "csv"),
    )
    client.force_login(analyst_a)
    page = page_text(client.get(url(wave)))
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="{url(wave)}?part=files"' in page
    assert f'<a href="{url(wave)}">Seite neu laden</a>' in page
    assert "Eine Datei wird erstellt." in page
    part = page_text(client.get(url(wave) + "?part=files"))
    assert part.lstrip().startswith('<section id="export-files"')
    assert "<html" not in part and "hx-swap-oob" not in part
    ExportFile.objects.filter(wave=wave).update(status=ExportFile.Status.READY)
    part = page_text(client.get(url(wave) + "?part=files"))
    assert "hx-trigger" not in part
    assert 'id="export-status" role="status" class="note" hx-swap-oob="true"' in part


def test_a_failed_export_shows_its_reason_not_a_server_error(client, analyst_a, org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=5)
    wave.districts.filter(code="03").update(population={})
    client.force_login(analyst_a)
    response = client.post(url(wave), {"kind": "dta", "language": "de"}, follow=True)
    assert response.status_code == 200
    page = page_text(response)
    assert "fehlgeschlagen" in page
    assert "Die Datei konnte nicht erstellt werden:" in page and "03" in page
    export = ExportFile.objects.get(wave=wave)
    assert client.get(url(wave, "export_download", export=export.pk)).status_code == 404


def test_bad_choices_are_answered_in_the_users_language(client, analyst_a, org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=5)
    client.force_login(analyst_a)
    response = client.post(url(wave), {"kind": "pdf", "language": "xx", "by": "moon"})
    assert response.status_code == 400
    page = page_text(response)
    assert "Bitte wählen Sie ein Format." in page
    assert "Bitte wählen Sie eine Sprache des Fragebogens." in page
    response = client.post("/fr" + url(wave), {"kind": "tables", "language": "de", "by": "moon"})
    assert response.status_code == 400
    assert "Veuillez choisir une ventilation dans la liste." in page_text(response)
    assert not ExportFile.objects.exists()


def test_a_member_gets_tables_but_no_microdata(client, member_a, org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=25)
    client.force_login(member_a)
    page = page_text(client.get(url(wave)))
    assert "Tabellen (Excel)" in page and "SPSS (.sav)" not in page
    assert ">Gewichtung</a>" not in page  # the weighting page needs analysis.manage
    assert client.post(url(wave), {"kind": "sav", "language": "de"}).status_code == 403
    microdata = get_or_start_export(wave, "sav", "de")
    tables = get_or_start_export(wave, "tables", "de")
    assert client.get(url(wave, "export_download", export=microdata.pk)).status_code == 403
    assert tables.status == ExportFile.Status.READY, tables.error
    assert client.get(url(wave, "export_download", export=tables.pk)).status_code == 200
    page = page_text(client.get(url(wave)))
    assert "SPSS" not in page  # the microdata file is not even listed


def test_another_citys_people_reach_neither_page_nor_file(
    client, admin_a, admin_b, org_a, org_b
) -> None:
    wave = make_analysis_wave(org_a, per_district=25)
    export = get_or_start_export(wave, "sav", "de")
    assert export.status == ExportFile.Status.READY
    client.force_login(admin_b)
    assert client.get(url(wave)).status_code == 404
    assert client.get(url(wave, "export_download", export=export.pk)).status_code == 404
    report = ExportFile.objects.create(wave=wave, kind="report-pdf", revision=0, status="ready")
    client.force_login(admin_a)
    assert client.get(url(wave, "export_download", export=report.pk)).status_code == 404
    client.force_login(admin_b)
    # Their own wave's URL with this city's file number finds nothing either.
    own = make_analysis_wave(org_b, slug="eigen-2026", per_district=3)
    response = client.get(url(own, "export_download", export=export.pk))
    assert response.status_code == 404


def test_the_pages_of_a_wave_that_cannot_be_weighted_still_work(client, admin_b, org_b) -> None:
    wave = make_analysis_wave(org_b, slug="ohne-zahlen", per_district=3)
    wave.districts.update(population={})
    client.force_login(admin_b)
    assert client.get(url(wave)).status_code == 200
    page = page_text(client.get(url(wave, "weighting")))
    assert (
        "Mit den aktuellen Einstellungen lässt sich die Zufallsstichprobe nicht gewichten" in page
    )
