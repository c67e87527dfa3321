"""The members' pages in a real Chromium: axe-core (WCAG 2.2 AA) finds nothing on the list of
member organisations with its map, the directory, one's profile (with and without errors),
the application form with errors, an invitation, an organisation's people and a review."""

from __future__ import annotations

from typing import Any

import pytest

from defus.members.models import Application, Invitation
from defus.members.services import profile_for
from tests.conftest import PASSWORD
from tests.support import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def test_members_pages_in_the_browser(
    page: Any,
    live_server: Any,
    settings: Any,
    org_a: Any,
    admin_a: Any,
    member_a: Any,
    forum_staff: Any,
) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org_a.latitude, org_a.longitude, org_a.population = 49.95, 8.5, 148300
    org_a.save()
    profile = profile_for(member_a)
    profile.phone = "+49 30 1234567"
    profile.save()
    invitation = Invitation.objects.create(organisation=org_a, email="neu@musterstadt.example")
    application = Application.objects.create(
        organisation_name="Seewalden",
        country="DE",
        contact_name="Miriam Albrecht",
        contact_email="m@seewalden.example",
        contact_function="Prävention",
    )
    base = live_server.url

    page.goto(f"{base}/members/")
    page.wait_for_selector("[data-chart=members-map][data-ready] svg")
    assert page.locator("table th[scope=row]", has_text="Musterstadt").count() == 1
    check_axe(page, "member organisations", "members")

    page.goto(f"{base}/members/apply/")
    page.fill("input[name=organisation_name]", "Seewalden")
    page.fill("input[name=contact_email]", "kein-email")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    assert page.input_value("input[name=organisation_name]") == "Seewalden"
    check_axe(page, "application with errors", "members")

    page.goto(f"{base}/members/invitation/{invitation.token}/")
    assert page.locator("input[name=password1]").count() == 1
    check_axe(page, "invitation", "members")

    _login(page, base, admin_a.email)
    page.goto(f"{base}/members/people/")
    assert page.locator("td", has_text="+49 30 1234567").count() == 1  # the admin sees it
    check_axe(page, "directory", "members")

    page.goto(f"{base}/members/me/")
    check_axe(page, "my profile", "members")
    page.fill("input[name=phone]", "call me maybe")
    page.check("input[name=phone_visibility][value=members]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    check_axe(page, "my profile with errors", "members")
    page.fill("input[name=phone]", "+49 6151 12 0")
    with page.expect_navigation():
        page.press("input[name=phone]", "Enter")
    assert page.locator(".message-success").count() == 1

    page.goto(f"{base}/o/{org_a.slug}/people/")
    assert page.locator("th", has_text="neu@musterstadt.example").count() == 1
    check_axe(page, "organisation people", "members")

    page.context.clear_cookies()
    _login(page, base, forum_staff.email)
    page.goto(f"{base}/members/applications/{application.pk}/")
    check_axe(page, "application review", "members")
    page.check("input[name=decision][value=reject]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    check_axe(page, "application review with errors", "members")
