"""The instrument pages in a real Chromium: reachable by links, and axe-core finds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD, make_person
from tests.support import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_instrument_pages(page: Any, live_server: Any) -> None:
    make_person("analyst@city.example")
    page.goto(live_server.url + "/en/instrument/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=login]", "analyst@city.example")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.goto(live_server.url + "/en/instrument/")
    check_axe(page, "versions")

    page.click("text=Questionnaire overview")
    assert "How old are you?" in page.content() or "Wie alt sind Sie?" in page.content()
    page.select_option("#instrument-language", "fr")
    with page.expect_navigation():
        page.click("form.language-choice button")
    assert "Quel âge avez-vous" in page.content()
    check_axe(page, "overview")

    page.click("a[href$='/codebook/']")
    assert page.locator("#var-A1").count() == 1
    check_axe(page, "codebook")
