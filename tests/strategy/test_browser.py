"""The strategy pages in a real Chromium: axe-core (WCAG 2.2 AA) finds nothing on the
priorities, a priority with its chart, and the measure form – also with its errors – and the
form works by keyboard without JavaScript.

Set DEFUS_SCREENSHOTS=<folder> to keep screenshots of the pages.
"""

from __future__ import annotations

from typing import Any

import pytest

from defus.strategy.models import Measure
from tests.conftest import PASSWORD, make_person
from tests.support import check_axe

from .support import make_finding, make_measure, make_priority, two_waves

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/en/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def test_strategy_pages_pass_axe(page: Any, live_server: Any, org_a: Any) -> None:
    make_person("admin@musterstadt.example", org_a, "admin")
    before, _now = two_waves(org_a, per_district=20)
    priority = make_priority(org_a, before, group_by="gender", group="female", target=65)
    make_measure(priority)
    priority.findings.add(make_finding(org_a))
    log_in(page, live_server.url, "admin@musterstadt.example")
    base = f"{live_server.url}/en/o/{org_a.slug}/strategy/"

    page.goto(base)
    assert "Women avoid the station square at night" in page.inner_text("main")
    check_axe(page, "priorities", "strategy")

    page.goto(f"{base}priorities/{priority.pk}/")
    page.wait_for_selector(".chart[data-ready] svg")
    check_axe(page, "priority with evaluation", "strategy")

    page.goto(f"{base}priorities/{priority.pk}/measures/new/")
    check_axe(page, "measure form", "strategy")
    page.fill("#id_title", "Night bus stop lighting")
    page.fill("#id_department", "Transport office")
    page.fill("#id_budget", "-100")
    page.fill("#id_start", "2026-10-01")
    page.fill("#id_end", "2026-09-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Save measure").click()
    summary = page.inner_text("#error-summary")
    assert "Budget" in summary and "End" in summary
    assert "The end lies before the start." in page.inner_text("main")
    check_axe(page, "measure form with errors", "strategy")
    page.fill("#id_budget", "4800")
    page.fill("#id_end", "2027-03-31")
    with page.expect_navigation():
        page.press("#id_end", "Enter")
    measure = Measure.objects.get(title="Night bus stop lighting")
    assert measure.budget == 4800
    assert page.url.endswith(f"/measures/{measure.pk}/edit/")
    check_axe(page, "measure with documents", "strategy")

    for path in ("findings/", "findings/new/", "crime/", "overview/", "priorities/new/"):
        page.goto(base + path)
        check_axe(page, path, "strategy")
