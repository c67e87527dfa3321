from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.images.views.serve import ServeView

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    # The respondent pages carry the language in the page, not in the URL: codes from letters
    # and QR links must work whatever language the browser prefers.
    path("s/", include("defus.respond.urls")),
    # Wagtail: its admin (editors), documents (checked in info/wagtail_hooks.py), images
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    re_path(
        r"^images/([^/]*)/(\d*)/([^/]*)/[^/]*$", ServeView.as_view(), name="wagtailimages_serve"
    ),
]
urlpatterns += i18n_patterns(
    path("", include("defus.info.urls")),
    path("", include("defus.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("o/<slug:org>/", include("defus.fieldwork.urls")),
    path("o/<slug:org>/analysis/", include("defus.analysis.urls")),
    path("o/<slug:org>/walks/", include("defus.walks.urls")),
    path("o/<slug:org>/strategy/", include("defus.strategy.urls")),
    path("instrument/", include("defus.instrument.urls")),
    path("events/", include("defus.events.urls")),
    path("members/", include("defus.members.urls")),
    path("o/<slug:org>/people/", include("defus.members.urls_organisation")),
    path("groups/", include("defus.exchange.urls")),
    path("notifications/", include("defus.exchange.urls_notifications")),
    path("newsletter/", include("defus.newsletter.urls")),
    path("projects/", include("defus.projects.urls")),
    path("admin/", admin.site.urls),
    # The information service's page tree (/news/…, /fr/…): last, it takes every other path.
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler403 = "defus.core.views.permission_denied"
handler404 = "defus.core.views.page_not_found"
handler500 = "defus.core.views.server_error"
