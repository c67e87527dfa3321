"""The dashboard in a real Chromium: charts drawn from their specs, the breakdown changed with
the keyboard replaces only its section, and axe-core (WCAG 2.2 AA) finds nothing.

Set DEFUS_SCREENSHOTS=<folder> to keep screenshots of the pages.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD, make_person
from tests.support import check_axe

from .support import make_analysis_wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/en/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def test_dashboard_in_the_browser(page: Any, live_server: Any, org_a: Any) -> None:
    make_person("admin@musterstadt.example", org_a, "admin")
    wave = make_analysis_wave(org_a, per_district=40, open_link=6)
    log_in(page, live_server.url, "admin@musterstadt.example")

    page.goto(f"{live_server.url}/en/o/{org_a.slug}/analysis/{wave.slug}/")
    page.wait_for_selector("#breakdown-results .chart[data-ready] svg")
    page.wait_for_selector("#map-results .chart[data-ready] svg")
    assert page.locator(".chart[data-ready]").count() == page.locator(".chart").count()
    check_axe(page, "dashboard")
    before = page.locator("#breakdown-results table").first.inner_text()
    assert "Altstadt" in before

    # Keyboard only: focus the breakdown, choose the next entry (gender).
    page.locator("#by").focus()
    with page.expect_response(lambda r: "part=breakdown" in r.url):
        page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "document.querySelector('#breakdown-results table').innerText.includes('women')"
    )
    page.wait_for_selector("#breakdown-results .chart[data-ready] svg")
    assert page.evaluate("document.activeElement.id") == "by"
    assert page.locator("#by").input_value() == "gender"
    status = page.locator("#breakdown-status").inner_text()
    assert "by gender" in status
    # Only that section changed: the map still shows districts and was not drawn again.
    assert "Altstadt" in page.locator("#map-results table").inner_text()
    assert page.url.endswith(f"/analysis/{wave.slug}/")
    check_axe(page, "dashboard after a new breakdown")


def test_dashboard_without_javascript_is_a_form(chromium: Any, live_server: Any, org_a) -> None:
    make_person("admin@musterstadt.example", org_a, "admin")
    wave = make_analysis_wave(org_a, per_district=20)
    context = chromium.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    try:
        log_in(page, live_server.url, "admin@musterstadt.example")
        page.goto(f"{live_server.url}/o/{org_a.slug}/analysis/{wave.slug}/")
        page.select_option("#by", "age_group")
        with page.expect_navigation():
            page.locator("#breakdown-heading ~ .filters button").click()
        assert "by=age_group" in page.url
        assert "18-29" in page.locator("#breakdown-results table").first.inner_text()
        # No chart without JavaScript: the tables carry the figures.
        assert page.locator(".chart:visible").count() == 0
    finally:
        context.close()
