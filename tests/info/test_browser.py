"""The information service in a real Chromium: axe-core (WCAG 2.2 AA) finds nothing on the
home page, the news list, a news page and a publication, in German and French."""

from __future__ import annotations

from typing import Any

import pytest

from defus.info.demo import build_info_site
from tests.support import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_have_no_accessibility_violations(page: Any, live_server: Any) -> None:
    build_info_site()
    for path in (
        "/",
        "/aktuelles/",
        "/aktuelles/defus-monitor/",
        "/publikationen/info-flyer-defus/",
        "/fr/",
        "/fr/actualites/",
        "/fr/actualites/defus-monitor-les-villes-mesurent-elles-memes-le-sentiment-de-securite/",
        "/fr/publications/depliant-dinformation-du-defus/",
    ):
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1, path
        check_axe(page, path, prefix="info")
    # The language switch by keyboard lands on the translation.
    page.goto(live_server.url + "/aktuelles/defus-monitor/")
    page.locator(".language-choice a[lang=en]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(
        "/en/news/defus-monitor-cities-measure-the-feeling-of-safety-themselves/"
    )
    assert "cities measure the feeling of safety" in page.locator("h1").inner_text()
