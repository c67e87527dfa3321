"""The page cache: whole public pages kept for DEFUS_PAGE_CACHE_SECONDS, for visitors without
a session.

Only views named in PUBLIC_VIEWS (the information site's pages, feeds and the events
calendar) are cached, only for GET/HEAD requests without a session cookie, and only their
200 answers that set no cookie – so nothing personal is ever stored or served from it: the
back office, the questionnaire (its drafts live in a cookie of their own) and every page of
a logged-in person are always made fresh. Edits show after at most the cache time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.cache import CacheMiddleware
from django.urls import Resolver404, resolve

# URL names (namespace:name) of public pages; "wagtail_serve" is every page of the site tree.
PUBLIC_VIEWS = frozenset(
    {
        "wagtail_serve",
        "core:home",
        "info:home",
        "info:news_rss",
        "info:news_atom",
        "info:sitemap",
        "events:list",
        "events:calendar",
        "events:detail",
        "events:feed",
    }
)


class PublicPageCacheMiddleware(CacheMiddleware):
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        super().__init__(
            get_response,
            page_timeout=getattr(settings, "DEFUS_PAGE_CACHE_SECONDS", 0),
            key_prefix="page",
        )

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if not is_public_page(request):
            request._cache_update_cache = False  # type: ignore[attr-defined]
            return None
        return super().process_request(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase | str
    ) -> HttpResponseBase | str:
        user: Any = getattr(request, "user", None)
        cookies = getattr(response, "cookies", None)
        if cookies or (user is not None and user.is_authenticated):
            return response
        return super().process_response(request, response)


def is_public_page(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in PUBLIC_VIEWS
