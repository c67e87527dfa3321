"""The newsletter's pages in a real Chromium: a visitor subscribes with the keyboard (after a
wrong address is refused, the text kept); axe-core (WCAG 2.2 AA) finds nothing on the form,
the archive, the staff's compose page and the preview."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from defus.newsletter.models import Subscriber
from tests.events.support import make_event
from tests.projects.support import make_project
from tests.support import check_axe

from .support import make_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(page: Any, base: str, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


def test_newsletter_pages_in_the_browser(
    page: Any, live_server: Any, settings: Any, forum_staff: Any
) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_event("tagung")
    make_project()
    make_issue(number=1, status="sent", sent_at=datetime.datetime.now(datetime.UTC))
    draft = make_issue(number=2)
    base = live_server.url

    page.goto(f"{base}/newsletter/subscribe/")
    page.fill("input[name=email]", "keine-adresse")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    assert page.input_value("input[name=email]") == "keine-adresse"
    check_axe(page, "subscribe with errors", "newsletter")
    page.fill("input[name=email]", "lea@example.org")
    page.check("input[name=language][value=fr]")
    page.focus("input[name=email]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Subscriber.objects.get().status == "pending"

    page.goto(f"{base}/newsletter/")
    check_axe(page, "archive", "newsletter")
    page.goto(f"{base}/newsletter/1/")
    check_axe(page, "archived issue", "newsletter")

    as_user(page, base, forum_staff)
    page.goto(f"{base}/newsletter/manage/")
    check_axe(page, "manage", "newsletter")
    page.goto(f"{base}/newsletter/manage/{draft.number}/")
    assert page.locator("input[name=events]").count() == 1
    check_axe(page, "compose", "newsletter")
    page.goto(f"{base}/newsletter/manage/{draft.number}/preview/fr/")
    check_axe(page, "preview", "newsletter")
