"""The project pages in a real Chromium: a member expresses interest with the keyboard (after
a too short statement is refused, the text kept) and axe-core (WCAG 2.2 AA) finds nothing on
the list, the project page, the form with errors and the staff's pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from defus.projects.models import Interest, ProjectPartner
from tests.conftest import PASSWORD
from tests.support import check_axe

from .support import make_call, make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def as_user(page: Any, base: str, user: Any) -> None:
    """Log in through a session made by the test client (staff logins ask for two factors)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


def test_project_pages_in_the_browser(
    page: Any, live_server: Any, member_a: Any, org_a: Any, forum_staff: Any
) -> None:
    project = make_project()
    ProjectPartner.objects.create(project=project, organisation=org_a)
    call = make_call(project)
    base = live_server.url
    page.goto(f"{base}/projects/")
    assert page.locator("h2 a", has_text="Sichere Plätze").count() == 1
    check_axe(page, "projects list", "projects")
    page.goto(f"{base}/projects/{project.slug}/")
    check_axe(page, "project page", "projects")

    login(page, base, member_a.email)
    page.goto(f"{base}/projects/{project.slug}/")
    page.click('a.button:has-text("Interesse bekunden")')
    page.wait_for_selector("textarea[name=statement]")
    page.fill("textarea[name=statement]", "Zu kurz")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    assert page.input_value("textarea[name=statement]") == "Zu kurz"
    check_axe(page, "interest form with errors", "projects")
    page.fill("textarea[name=statement]", "Musterstadt bringt ihren Präventionsrat ein.")
    page.focus("main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/projects/{project.slug}/")
    assert Interest.objects.get(call=call).organisation == org_a

    page.context.clear_cookies()
    as_user(page, base, forum_staff)
    page.goto(f"{base}/projects/{project.slug}/calls/{call.pk}/interests/")
    assert page.locator("article.interest").count() == 1
    check_axe(page, "interests", "projects")
    page.goto(f"{base}/projects/{project.slug}/edit/")
    check_axe(page, "project form", "projects")
