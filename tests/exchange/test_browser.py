"""The exchange's pages in a real Chromium: a member replies with the keyboard (after an empty
reply is refused) and axe-core (WCAG 2.2 AA) finds nothing on the pages."""

from __future__ import annotations

from typing import Any

import pytest

from defus.exchange import services
from defus.exchange.models import GroupMember, Post
from tests.conftest import PASSWORD
from tests.support import check_axe

from .support import make_group, pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def test_exchange_pages_in_the_browser(
    page: Any, live_server: Any, settings: Any, member_a: Any, admin_b: Any, forum_staff: Any
) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True
    group = make_group("raeume", forum_staff, members=(member_a, admin_b))
    GroupMember.objects.filter(group=group, user=member_a).update(role="moderator")
    make_group("ag", forum_staff, open_=False)
    thread = services.post_thread(group, admin_b, "Beleuchtung am Bahnhof", "Wer hat Zahlen?")
    services.add_document(group, admin_b, "Leitfaden", pdf())
    post = services.reply(thread, admin_b, "Unfreundlicher Beitrag")
    services.report_post(post, member_a, "Ton")
    services.ask_peers(admin_b, "Wer hat Erfahrung mit Videoschutz?", "Details")
    base = live_server.url
    login(page, base, member_a.email)

    page.goto(f"{base}/groups/")
    assert page.locator("h1").inner_text() == "Arbeitsgruppen und Themenräume"
    check_axe(page, "groups", "exchange")
    page.goto(f"{base}/groups/raeume/")
    check_axe(page, "group page", "exchange")
    page.goto(f"{base}/groups/raeume/threads/{thread.pk}/")
    # an empty reply is refused with a message; then a reply typed with the keyboard
    with page.expect_navigation():
        page.click("main form button[type=submit]:has-text('Veröffentlichen')")
    assert page.locator(".error-summary").count() == 1
    check_axe(page, "thread with a reply error", "exchange")
    page.focus("textarea[name=body]")
    page.keyboard.type("Wir haben 2024 umgebaut.")
    page.keyboard.press("Tab")  # the mention field
    page.keyboard.press("Tab")  # the button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Post.objects.filter(body="Wir haben 2024 umgebaut.", author=member_a).exists()
    check_axe(page, "thread", "exchange")
    page.goto(f"{base}/groups/questions/")
    check_axe(page, "questions", "exchange")
    page.goto(f"{base}/groups/questions/new/")
    check_axe(page, "new question", "exchange")
    page.goto(f"{base}/groups/raeume/documents/new/")
    check_axe(page, "new document", "exchange")
    page.goto(f"{base}/notifications/")
    assert page.locator(".notification-list li").count() >= 1
    check_axe(page, "notifications", "exchange")
    page.goto(f"{base}/notifications/settings/")
    page.check("input[value=weekly]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert services.settings_for(member_a).digest == "weekly"
    check_axe(page, "notification settings", "exchange")
    page.goto(f"{base}/groups/moderation/")
    assert page.locator("text=Ton").count() >= 1
    check_axe(page, "moderation", "exchange")
