"""Workshops in a real Chromium: from the dashboard to a new workshop (first with a mistake),
a finding without and then with a tie, a document refused and then uploaded; axe-core
(WCAG 2.2 AA) on the list, form and detail pages on the way.

Set DEFUS_SCREENSHOTS=<folder> to keep screenshots of the pages.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from defus.fieldwork.models import District, Place, Wave
from defus.walks.models import Workshop, WorkshopDocument
from tests.conftest import PASSWORD, make_person
from tests.support import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/en/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def test_workshop_in_the_browser(
    page: Any, live_server: Any, org_a: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    make_person("analyst@musterstadt.example", org_a, "analyst")
    wave = Wave.objects.create(
        organisation=org_a,
        title="Safety in Musterstadt 2026",
        slug="musterstadt-2026",
        instrument_version="2026.1",
        field_start=datetime.date(2026, 3, 1),
        field_end=datetime.date(2026, 4, 15),
    )
    District.objects.create(wave=wave, code="N1", name="Nordstadt", answer_code=1)
    Place.objects.create(wave=wave, code="HBF", name="Main station", kind="station")
    log_in(page, live_server.url, "analyst@musterstadt.example")

    page.goto(live_server.url + "/en/")
    page.get_by_role("link", name="My organisations").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Walks and workshops").click()
    if "/workshops/" not in page.url:  # the walk list, once it exists, links to workshops
        page.goto(f"{live_server.url}/en/o/{org_a.slug}/walks/workshops/")
    assert "No workshops yet." in page.content()
    check_axe(page, "workshop list, empty")

    page.get_by_role("link", name="New workshop").click()
    check_axe(page, "new workshop form")
    page.get_by_label("Title").fill("Older residents of Nordstadt")
    page.get_by_label("Date").fill("2026-05-04")
    page.get_by_label("Survey wave").select_option(label="Safety in Musterstadt 2026")
    page.get_by_label("District").select_option(label="Nordstadt")
    page.get_by_label("older people").fill("12")
    page.get_by_label("city staff").fill("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Create workshop").click()
    assert "Please correct the following" in page.content()  # the topic is missing
    assert page.get_by_label("older people").input_value() == "12"  # nothing lost
    check_axe(page, "new workshop form with errors")
    page.get_by_label("Topic").fill("Feeling safe at the station after dark")
    with page.expect_navigation():
        page.get_by_role("button", name="Create workshop").click()
    workshop = Workshop.objects.get()
    assert workshop.participants == {"older": 12, "staff": 2}
    assert "14 people in all" in page.content()
    check_axe(page, "workshop detail")

    # A finding without a tie is refused on its own page, with the text kept.
    page.get_by_label("Finding", exact=True).fill("The underpass is dark and smells.")
    with page.expect_navigation():
        page.get_by_role("button", name="Add finding").click()
    assert "Tie the finding to a place, a group" in page.content()
    check_axe(page, "finding form with errors")
    page.get_by_label("Place").select_option(label="Main station")
    page.get_by_label("Module of the questionnaire").select_option(label="How safe you feel")
    with page.expect_navigation():
        page.get_by_role("button", name="Add finding").click()
    assert "The finding was added." in page.content()
    assert "Module: How safe you feel" in page.content()

    # Documents: a program is refused with its name, a PDF is stored and downloads.
    (tmp_path / "tool.exe").write_bytes(b"MZ\x90\x00")
    (tmp_path / "minutes.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.get_by_label("Document", exact=True).set_input_files(str(tmp_path / "tool.exe"))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload").click()
    assert "The file “tool.exe” is not of an allowed type." in page.content()
    check_axe(page, "workshop detail with a refused document")
    page.get_by_label("Document", exact=True).set_input_files(str(tmp_path / "minutes.pdf"))
    page.get_by_label("Title of the document").fill("Minutes")
    with page.expect_navigation():
        page.get_by_role("button", name="Upload").click()
    assert WorkshopDocument.objects.get().title == "Minutes"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Minutes").click()
    assert Path(download_info.value.path()).read_bytes() == b"%PDF-1.4\n%%EOF\n"
    check_axe(page, "workshop detail with finding and document")

    page.get_by_role("link", name="Workshops", exact=True).click()
    assert "Older residents of Nordstadt" in page.content()
    check_axe(page, "workshop list")
