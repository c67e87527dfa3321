"""The page cache (core/pagecache.py): public pages for visitors without a session come from
the cache; a logged-in person, the questionnaire and the back office always get fresh pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from defus.core.pagecache import is_public_page
from defus.info.demo import build_info_site
from defus.info.models import NewsPage
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings: Any) -> None:
    settings.DEFUS_PAGE_CACHE_SECONDS = 300
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "defus.core.pagecache.PublicPageCacheMiddleware"]
    cache.clear()


def test_a_public_page_is_served_from_the_cache_to_visitors_without_a_session(
    page_cache: None,
) -> None:
    build_info_site()
    news = NewsPage.objects.filter(locale__language_code="de").live().first()
    assert news is not None
    url = news.url
    visitor = Client()
    first = visitor.get(url)
    assert first.status_code == 200 and news.title in first.content.decode()
    NewsPage.objects.filter(pk=news.pk).update(title="Geänderter Titel der Meldung")
    again = visitor.get(url)
    assert "Geänderter Titel der Meldung" not in again.content.decode()  # from the cache
    assert again.content == first.content

    person = Client()
    person.force_login(make_person("reader@example.org"))
    assert "Geänderter Titel der Meldung" in person.get(url).content.decode()  # fresh


def test_only_public_pages_without_a_session_count() -> None:
    factory = RequestFactory()
    assert is_public_page(factory.get("/"))
    assert is_public_page(factory.get("/fr/"))
    for path in ("/s/", "/dashboard/", "/o/musterstadt/walks/", "/accounts/login/"):
        assert not is_public_page(factory.get(path)), path
    assert not is_public_page(factory.post("/"))
    with_session = factory.get("/")
    with_session.COOKIES["sessionid"] = "abc"
    assert not is_public_page(with_session)
