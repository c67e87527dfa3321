"""The public event pages in a real Chromium: a visitor registers with the keyboard, and
axe-core (WCAG 2.2 AA) finds nothing on the list, the detail page and the form."""

from __future__ import annotations

from typing import Any

import pytest

from defus.events.models import Registration
from tests.support import check_axe

from .support import make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_event_pages_in_the_browser(page: Any, live_server: Any, settings: Any) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    event = make_event("sicherheit", ask_diet=True, ask_accessibility=True, ask_notes=True)
    base = live_server.url
    page.goto(f"{base}/events/")
    assert page.locator("h2 a", has_text="Seminar sicherheit").count() == 1
    check_axe(page, "events list", "events")
    page.goto(f"{base}/events/month/")
    check_axe(page, "events month", "events")
    page.goto(f"{base}/events/{event.slug}/")
    check_axe(page, "event detail", "events")
    page.click('a.button:has-text("Teilnahme anmelden")')
    page.wait_for_selector("form input[name=name]")
    check_axe(page, "registration form", "events")
    # submit empty: errors in German, nothing lost
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    check_axe(page, "registration form with errors", "events")
    page.fill("input[name=name]", "Erika Muster")
    page.fill("input[name=email]", "erika@example.org")
    page.fill("input[name=diet]", "vegetarisch")
    with page.expect_navigation():
        page.press("input[name=diet]", "Enter")
    assert "/events/registration/" in page.url
    assert Registration.objects.get(email="erika@example.org").answers == {"diet": "vegetarisch"}
    check_axe(page, "own registration", "events")


def test_group_registration_in_the_browser(page: Any, live_server: Any, settings: Any) -> None:
    """An organisation's admin ticks two colleagues with the keyboard; axe finds nothing on
    the form, with the error of an empty choice and after registering."""
    from defus.organisations.models import Organisation
    from tests.conftest import PASSWORD, make_person

    settings.DEFUS_BACKGROUND_SYNC = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org = Organisation.objects.create(name="Nahstadt", slug="nahstadt")
    make_person("chefin@nahstadt.example", org, "admin")
    for name in ("Ada", "Bert"):
        make_person(f"{name.lower()}@nahstadt.example", org, "member", first_name=name)
    event = make_event("gruppe", capacity=1)
    base = live_server.url
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", "chefin@nahstadt.example")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.goto(f"{base}/events/{event.slug}/")
    with page.expect_navigation():
        page.click("text=Mehrere Personen Ihrer Organisation anmelden")
    check_axe(page, "group registration", "events")
    with page.expect_navigation():
        page.click("main form[method=post] button[type=submit]")
    assert "Bitte wählen Sie mindestens eine Person." in page.locator("main").inner_text()
    check_axe(page, "group registration with errors", "events")
    for name in ("Ada", "Bert"):
        page.locator("label", has_text=name).locator("input").focus()
        page.keyboard.press("Space")
    with page.expect_navigation():
        page.click("main form[method=post] button[type=submit]")
    assert "1 angemeldet, 1 auf der Warteliste" in page.locator(".messages").inner_text()
    statuses = sorted(Registration.objects.values_list("status", flat=True))
    assert statuses == ["confirmed", "waiting"]
    check_axe(page, "group registration done", "events")
