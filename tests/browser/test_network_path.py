"""The network's path in a real Chromium (information service and events): a visitor
switches to French and gets the French flyer; a member registers for a full seminar and
waits; another registrant cancels; the member is offered the place by email (with the
.ics), accepts it and sees the online link."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import icalendar
import pytest
from django.core import mail

from defus.events import services
from defus.events.models import Event, Registration
from defus.info.demo import build_info_site
from tests.conftest import PASSWORD, make_person
from tests.events.support import make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_french_flyer_then_waiting_list_offer_and_online_link(
    page: Any, live_server: Any, settings: Any, org_a: Any
) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True  # emails within the request: the outbox shows them
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFUS_PUBLIC_URL = live_server.url
    build_info_site()
    base = live_server.url

    # A visitor switches the site to French and downloads the flyer in French.
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.click(".language-choice a[hreflang=fr]")
    assert page.url == f"{base}/fr/"
    page.goto(f"{base}/fr/publications/depliant-dinformation-du-defus/")
    offered = page.locator("main a.button[download]")
    assert offered.get_attribute("hreflang") == "fr"
    with page.expect_download() as download_info:
        offered.click()
    download = download_info.value
    assert "-fr" in download.suggested_filename
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"

    # The seminar is full: its one place is taken.
    seminar = make_event("praevention", capacity=1, format=Event.Format.ONLINE)
    first = services.register(seminar, user=make_person("first@beispiel.example"))
    assert first.status == Registration.Status.CONFIRMED
    member = make_person("member@musterstadt.example", org_a, "member")

    # A member logs in (German pages) and registers: the waiting list.
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.goto(f"{base}/events/{seminar.slug}/")
    assert seminar.online_link not in page.content()
    page.click('a.button:has-text("Teilnahme anmelden")')
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    waiting = Registration.objects.get(event=seminar, user=member)
    assert waiting.status == Registration.Status.WAITING
    assert "Warteliste" in page.inner_text("main")

    # The other registrant cancels with the link from their email.
    page.goto(f"{base}/events/registration/{first.token}/")
    with page.expect_navigation():
        page.click("form.actions button[type=submit]")
    assert Registration.objects.get(pk=first.pk).status == Registration.Status.CANCELLED

    # The member is offered the place: an email with the link and the .ics.
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.OFFERED
    offer = [m for m in mail.outbox if m.to == [member.email]][-1]
    link = re.search(r"https?://\S+/events/registration/\S+/", offer.body)
    assert link is not None
    attachments = {name: content for name, content, *_ in offer.attachments}
    ics = next(content for name, content in attachments.items() if name.endswith(".ics"))
    calendar = icalendar.Calendar.from_ical(ics)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Seminar praevention"]

    # The member accepts the place and sees the online link.
    page.goto(link.group(0))
    with page.expect_navigation():
        page.click('main form button:has-text("Platz annehmen")')
    assert Registration.objects.get(pk=waiting.pk).status == Registration.Status.CONFIRMED
    assert page.locator(".online-link a").get_attribute("href") == seminar.online_link
