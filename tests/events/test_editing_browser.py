"""The organisers' pages in a real Chromium: forum staff create an event with the keyboard
(first with a mistake, then right) and see its page; axe-core (WCAG 2.2 AA) finds nothing on
the form with and without errors, the programme and the documents pages.

Set DEFUS_SCREENSHOTS=<folder> to keep screenshots of the pages.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from defus.events.models import Event
from tests.conftest import PASSWORD
from tests.support import check_axe

from .support import BERLIN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def type_into(page: Any, label: str, text: str) -> None:
    """Move the focus to a field as a keyboard user would reach it, then type."""
    page.get_by_label(label, exact=True).focus()
    page.keyboard.type(text)


def test_staff_create_an_event_with_the_keyboard(
    page: Any, live_server: Any, forum_staff: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    log_in(page, base, forum_staff.email)

    page.goto(f"{base}/events/")
    with page.expect_navigation():
        page.get_by_role("link", name="Neue Veranstaltung").click()
    check_axe(page, "new event form", "events")

    type_into(page, "Titel (Deutsch)", "Sicherheit im Quartier")
    page.keyboard.press("Tab")  # on to the English title
    page.keyboard.type("Safety in the neighbourhood")
    page.keyboard.press("Tab")
    page.keyboard.type("Sécurité dans le quartier")
    page.get_by_label("Format", exact=True).focus()
    page.keyboard.type("Online")  # chooses the option by its text
    # Date and time inputs take their typing order from the system's locale, not the page's:
    # set their values directly (as a date picker does); everything else is typed.
    page.get_by_label("Beginn (Datum)", exact=True).fill("2030-06-12")
    page.get_by_label("Beginn (Uhrzeit)", exact=True).fill("09:30")
    page.get_by_label("Ende (Datum)", exact=True).fill("2030-06-12")
    page.get_by_label("Ende (Uhrzeit)", exact=True).fill("08:00")  # before the start: a mistake
    type_into(page, "Online-Link (optional)", "https://meet.example/quartier")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    assert summary.count() == 1
    assert "Die Veranstaltung muss nach ihrem Beginn enden." in summary.inner_text()
    assert page.get_by_label("Titel (Englisch) (optional)", exact=True).input_value() == (
        "Safety in the neighbourhood"
    )
    assert not Event.objects.exists()
    check_axe(page, "new event form with errors", "events")

    # the summary's link leads to the field
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_end_date"
    page.get_by_label("Ende (Uhrzeit)", exact=True).fill("16:00")
    page.get_by_label("Online-Link (optional)", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    event = Event.objects.get()
    assert page.url.split("#")[0].endswith(f"/events/{event.slug}/")
    assert page.locator("h1").inner_text() == "Sicherheit im Quartier"
    assert "Die Veranstaltung ist angelegt." in page.content()
    assert event.format == Event.Format.ONLINE
    assert event.start == datetime.datetime(2030, 6, 12, 9, 30, tzinfo=BERLIN)
    assert event.end == datetime.datetime(2030, 6, 12, 16, 0, tzinfo=BERLIN)
    assert event.title["fr"] == "Sécurité dans le quartier"

    # the organisers' pages of the event
    with page.expect_navigation():
        page.get_by_role("link", name="Teilnehmende (Organisation)").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Programm", exact=True).click()
    check_axe(page, "programme form", "events")
    page.get_by_label("Titel (Deutsch)", exact=True).first.focus()  # the first empty item
    page.keyboard.type("Begrüßung")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # no times: errors, named per item
    assert page.locator(".error-summary").count() == 1
    check_axe(page, "programme form with errors", "events")

    with page.expect_navigation():
        page.get_by_role("link", name="Dokumente", exact=True).click()
    check_axe(page, "documents page", "events")
    page.get_by_label("Datei", exact=True).set_input_files(
        files=[{"name": "programm.exe", "mimeType": "application/pdf", "buffer": b"MZ\x90"}]
    )
    type_into(page, "Titel des Dokuments", "Programm")
    with page.expect_navigation():
        page.get_by_role("button", name="Hochladen").click()
    assert "programm.exe" in page.locator(".error-summary").inner_text()
    check_axe(page, "documents page with errors", "events")
