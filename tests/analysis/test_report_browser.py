"""The report page in a real Chromium: charts drawn, keyboard reaches the PDF, axe finds
nothing (WCAG 2.2 AA) in German and French."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD, make_person
from tests.support import check_axe

from .support import make_analysis_wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_page_is_accessible(page: Any, live_server: Any, org_a: Any) -> None:
    wave = make_analysis_wave(org_a, per_district=20)
    make_person("member@musterstadt.example", org_a, "member")
    page.goto(live_server.url + "/en/accounts/login/")
    page.fill("input[name=login]", "member@musterstadt.example")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")

    for language, heading in (("", "1 Zusammenfassung"), ("/fr", "1 Synthèse")):
        page.goto(f"{live_server.url}{language}/o/{org_a.slug}/analysis/{wave.slug}/report/")
        assert page.locator("h2", has_text=heading).count() == 1
        assert page.locator("figure.chart svg").count() > 10
        box = page.locator("figure.chart svg").first.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 20
        check_axe(page, f"report{language or '/de'}")

    pdf_link = page.locator("a[href$='/report.pdf']")
    pdf_link.focus()
    assert page.evaluate("document.activeElement.getAttribute('href')").endswith("/report.pdf")
