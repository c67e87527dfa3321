"""The wave back office in a real Chromium: create a wave with files, import a sample with an
error and then without, and axe-core (WCAG 2.2 AA) on every page on the way.

Set DEFUS_SCREENSHOTS=<folder> to keep screenshots of the pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from defus.fieldwork.models import SamplePerson, Wave
from defus.fieldwork.services.responses import record_response
from tests.conftest import PASSWORD, make_person
from tests.support import check_axe

from .test_waves_support import districts_csv, geojson, places_csv, sample_csv, sample_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_wave_and_sample_in_the_browser(page: Any, live_server: Any, org_a: Any, tmp_path: Path):
    make_person("admin@musterstadt.example", org_a, "admin")
    page.goto(live_server.url + "/en/accounts/login/")
    page.fill("input[name=login]", "admin@musterstadt.example")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")

    base = f"{live_server.url}/en/o/{org_a.slug}/waves/"
    page.goto(base + "new/")
    check_axe(page, "new wave form")
    (tmp_path / "districts.csv").write_text(districts_csv(delimiter=";"))
    (tmp_path / "bad.csv").write_text("code;name\nN1;Nord\n")
    (tmp_path / "boundaries.geojson").write_bytes(geojson(["N1", "M2", "S3"]))
    (tmp_path / "places.csv").write_text(places_csv())
    page.get_by_label("Title").fill("Sicherheit in Musterstadt 2026")
    page.get_by_label("Short name").fill("musterstadt-2026")
    page.get_by_label("Start of fieldwork").fill("2026-03-01")
    page.get_by_label("End of fieldwork").fill("2026-04-15")
    page.get_by_label("Districts (CSV)").set_input_files(str(tmp_path / "bad.csv"))
    with page.expect_navigation():
        page.get_by_role("button", name="Create wave").click()
    assert "Missing columns" in page.content()
    check_axe(page, "new wave form with errors")

    page.get_by_label("Districts (CSV)").set_input_files(str(tmp_path / "districts.csv"))
    page.get_by_label("District boundaries").set_input_files(str(tmp_path / "boundaries.geojson"))
    page.get_by_label("Named places").set_input_files(str(tmp_path / "places.csv"))
    page.get_by_label("Open link without code").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Create wave").click()
    wave = Wave.objects.get(slug="musterstadt-2026")
    assert page.url.endswith(f"/waves/{wave.slug}/")
    assert "Südviertel" in page.content()
    check_axe(page, "wave detail")

    page.get_by_role("link", name="Sample", exact=True).click()
    check_axe(page, "sample page")
    rows = sample_rows(50)
    rows[15][6] = "X9"
    (tmp_path / "sample-bad.csv").write_text(sample_csv(rows))
    (tmp_path / "sample.csv").write_text(sample_csv(sample_rows(50)))
    page.get_by_label("Sample from the residents' register").set_input_files(
        str(tmp_path / "sample-bad.csv")
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Check and import").click()
    assert "line 17: district “X9” is not a district of this wave" in page.content()
    check_axe(page, "sample import with errors")
    page.get_by_label("Sample from the residents' register").set_input_files(
        str(tmp_path / "sample.csv")
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Check and import").click()
    assert SamplePerson.objects.filter(wave=wave).count() == 50

    page.goto(base + f"{wave.slug}/letters/")
    check_axe(page, "letters")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download invitation letters (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")

    first = SamplePerson.objects.filter(wave=wave).select_related("access_code").first()
    record_response(wave, {}, mode="web", language="de", access_code=first.access_code)
    page.goto(base + f"{wave.slug}/monitoring/")
    assert "2.0 %" in page.content()
    check_axe(page, "monitoring")

    page.goto(base + f"{wave.slug}/sample/delete/")
    check_axe(page, "delete sample")
    page.get_by_label("I understand").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Delete names and addresses").click()
    assert not SamplePerson.objects.filter(wave=wave).exists()
    page.goto(base)
    check_axe(page, "wave list")
