from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from . import views

app_name = "info"
urlpatterns = [
    # Before core's "" route: the Wagtail home page is the public home (core:home stays "/").
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("feeds/news.rss", views.NewsFeed(), name="news_rss"),
    path("feeds/news.atom", views.AtomNewsFeed(), name="news_atom"),
    path(
        "sitemap.xml", sitemap, {"sitemaps": {"pages": views.AllLanguagesSitemap}}, name="sitemap"
    ),
]
