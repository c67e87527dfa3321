"""The exports and weighting pages in a real Chromium: axe-core (WCAG 2.2 AA), the file list
updating itself while a file is prepared, and a failed margins upload.

Set DEFUS_SCREENSHOTS=<folder> to keep screenshots of the pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from defus.analysis.exports import settings_key
from defus.analysis.models import ExportFile
from defus.fieldwork.models import Wave
from tests.conftest import make_person
from tests.fieldwork.test_paper_browser import log_in
from tests.support import check_axe

from .support import make_analysis_wave

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]


def page_url(wave: Wave, name: str) -> str:
    return reverse(f"analysis:{name}", kwargs={"org": wave.organisation.slug, "wave": wave.slug})


def test_exports_page_updates_itself_and_passes_axe(
    page: Any, live_server: Any, org_a: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.DEFUS_BACKGROUND_SYNC = True
    make_person("analyst@musterstadt.example", org_a, "analyst")
    wave = make_analysis_wave(org_a, per_district=20)
    pending = ExportFile.objects.create(
        wave=wave,
        kind="dta",
        language="de",
        revision=wave.answers_revision,
        settings_key=settings_key(wave, "dta"),
    )
    log_in(page, live_server.url, "analyst@musterstadt.example")
    page.goto(live_server.url + page_url(wave, "exports"))
    assert page.locator("#export-files").get_attribute("hx-trigger") == "every 2s"
    check_axe(page, "exports with a file being prepared")
    ExportFile.objects.filter(pk=pending.pk).update(status=ExportFile.Status.FAILED, error="x")
    page.locator("#export-status").filter(has_text="Done").wait_for()
    assert page.locator("#export-files").get_attribute("hx-trigger") is None
    page.check("#f-kind-tables")
    page.select_option("#f-by", "district")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Prepare the file')")
    # The labels default to the interface's language.
    message = page.locator(".messages").inner_text()
    assert message == "Tables (Excel), English, by district is ready for download."
    check_axe(page, "exports with a ready file")


def test_weighting_page_passes_axe_also_with_an_error(
    page: Any, live_server: Any, org_a: Any, tmp_path: Any
) -> None:
    make_person("analyst@musterstadt.example", org_a, "analyst")
    wave = make_analysis_wave(org_a, per_district=20)
    log_in(page, live_server.url, "analyst@musterstadt.example")
    page.goto(live_server.url + page_url(wave, "weighting"))
    check_axe(page, "weighting")
    margins = tmp_path / "margins.csv"
    margins.write_text("variable;category;population\ngender;female;x\n", encoding="utf-8")
    page.set_input_files("#f-margins", str(margins))
    with page.expect_navigation():
        page.click("button:has-text('Use these margins')")
    assert "Line 2: population x is not a number." in page.locator("#error-summary").inner_text()
    check_axe(page, "weighting with an upload error")
