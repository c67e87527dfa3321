"""Public views around the page tree: the home page, search, news feeds and the sitemap."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Locale, Page, Site
from wagtail.views import serve

from defus.core import views as core_views

from .access import sees_members_only
from .models import HomePage, NewsPage


def site_home(request: HttpRequest) -> HomePage | None:
    """The Wagtail home page in the current language (the German one if not translated)."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    root = site.root_page.specific
    if not isinstance(root, HomePage):
        return None
    return root.localized.specific


def home(request: HttpRequest) -> HttpResponse:
    """The public home is the Wagtail home page; without one, the platform's own start page."""
    if site_home(request) is None:
        return core_views.home(request)
    return serve(request, "")


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results: list[Page] = []
    if query:
        pages = Page.objects.live().public().filter(locale=Locale.get_active()).specific()
        found = pages.search(query, operator="and")
        members = sees_members_only(request.user)
        results = [p for p in found if members or not getattr(p, "members_only", False)]
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    return render(request, "info/search.html", {"query": query, "results": page})


class NewsFeed(Feed):
    """The latest news in the language of the URL (/fr/feeds/news.rss …)."""

    def title(self) -> str:
        return _("DEFUS news")

    def description(self) -> str:
        return _("News of the German-European Forum for Urban Security")

    def link(self) -> str:
        return "/" if get_language() == "de" else f"/{get_language()}/"

    def items(self) -> list[NewsPage]:
        news = NewsPage.objects.live().public().filter(members_only=False)
        return list(news.filter(locale=Locale.get_active()).order_by("-date")[:20])

    def item_title(self, item: NewsPage) -> str:
        return item.title

    def item_description(self, item: NewsPage) -> str:
        return item.description

    def item_link(self, item: NewsPage) -> str:
        return item.url or "/"

    def item_pubdate(self, item: NewsPage) -> Any:
        return item.first_published_at

    def item_categories(self, item: NewsPage) -> list[str]:
        return [str(item.get_category_display()), *[tag.name for tag in item.tags.all()]]


class AtomNewsFeed(NewsFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()


class AllLanguagesSitemap(Sitemap):
    """Every public page in every language (Wagtail's own lists the default language only)."""

    def items(self) -> Any:
        root = self.get_wagtail_site().root_page
        roots = Q()
        for translation in root.get_translations(inclusive=True):
            roots |= Q(path__startswith=translation.path)
        return (
            Page.objects.filter(roots)
            .live()
            .public()
            .order_by("path")
            .defer_streamfields()
            .specific()
        )
