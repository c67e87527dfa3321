"""Paper entry in a real Chromium: typing a sheet with the keyboard only, and axe-core on the
answers pages (entry with errors, comparison, one sheet, export, import with errors).

Set DEFUS_SCREENSHOTS=<folder> to keep screenshots of the pages.
"""

from __future__ import annotations

from typing import Any

import pytest

from defus.fieldwork.models import PaperEntry, Response
from tests.conftest import PASSWORD, make_person
from tests.fieldwork.test_paper_helpers import make_code, make_wave, wave_url
from tests.support import check_axe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def active_name(page: Any) -> str:
    return str(page.evaluate("document.activeElement.name || ''"))


def test_typing_a_sheet_with_the_keyboard_only(page: Any, live_server: Any, org_a: Any) -> None:
    make_person("admin@musterstadt.example", org_a, "admin")
    wave = make_wave(org_a)
    make_code(wave, "ABCDEFGHJK", answer_code=2)
    log_in(page, live_server.url, "admin@musterstadt.example")
    page.goto(live_server.url + wave_url(wave, "paper_entry"))
    check_axe(page, "empty entry form")

    # The sheet number has the focus; Tab walks the header, then every item in order.
    assert active_name(page) == "sheet"
    page.keyboard.type("12")
    page.keyboard.press("Tab")
    assert active_name(page) == "access_code"
    page.keyboard.type("abcde-fghjk")
    page.keyboard.press("Tab")
    assert active_name(page) == "language"
    page.keyboard.press("Tab")
    assert active_name(page) == "double"
    typed = {"X1": "1", "X2_B": "1", "X3": "Unterführung", "X4": "2"}
    for item in wave.instrument.items:
        page.keyboard.press("Tab")
        assert active_name(page) == f"i_{item.code}"
        if item.code in typed:
            page.keyboard.type(typed[item.code])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Sheet 12 stored." in page.content()
    stored = Response.objects.get(wave=wave)
    assert stored.answers == {
        "X1": 1,
        "X2_A": 0,
        "X2_B": 1,
        "X2_C": 0,
        "X3": "Unterführung",
        "X4": 2,
    }
    assert stored.sample_district is not None and stored.sample_district.answer_code == 2

    # Errors: summary first, each field marked, what was typed kept.
    page.fill("#f-sheet", "13")
    page.fill("#f-i_X4", "500")
    with page.expect_navigation():
        page.press("#f-i_X4", "Enter")
    assert page.locator("#error-summary").is_visible()
    assert page.input_value("#f-i_X4") == "500"
    assert page.get_attribute("#f-i_X4", "aria-invalid") == "true"
    check_axe(page, "entry form with errors")


def test_answers_pages_pass_axe(page: Any, live_server: Any, org_a: Any) -> None:
    make_person("admin@musterstadt.example", org_a, "admin")
    wave = make_wave(org_a)
    PaperEntry.objects.create(wave=wave, sheet="5", round=1, answers={"X1": 1, "X4": 3})
    PaperEntry.objects.create(wave=wave, sheet="5", round=2, answers={"X1": 2, "X4": 3})
    PaperEntry.objects.create(wave=wave, sheet="6", round=1, answers={"X1": 1})
    log_in(page, live_server.url, "admin@musterstadt.example")
    base = live_server.url
    page.goto(base + wave_url(wave, "paper_differences"))
    check_axe(page, "comparison")
    page.goto(base + wave_url(wave, "paper_sheet", sheet="5"))
    check_axe(page, "one sheet with differences")
    with page.expect_navigation():
        page.click("button[value=resolve]")
    assert page.locator("#error-summary").is_visible()
    check_axe(page, "one sheet with a missing choice")
    page.check("#pick-X1-2")
    with page.expect_navigation():
        page.click("button[value=resolve]")
    assert Response.objects.get(wave=wave).answers == {"X1": 2, "X4": 3}
    page.goto(base + wave_url(wave, "paper_sheet", sheet="6"))
    check_axe(page, "a sheet waiting for its second entry")
    page.goto(base + wave_url(wave, "data_export"))
    check_axe(page, "export")
    page.goto(base + wave_url(wave, "data_import"))
    check_axe(page, "import")
    page.set_input_files(
        "#f-file",
        files=[
            {
                "name": "answers.csv",
                "mimeType": "text/csv",
                "buffer": b"mode,source,language,completed_on,X1\nweb,sample,de,2026-03-02,9\n",
            }
        ],
    )
    with page.expect_navigation():
        page.click("form[enctype] button[type=submit]")
    assert "line 2, column X1" in page.content()
    check_axe(page, "import with errors")
