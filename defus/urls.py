from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    # The respondent pages carry the language in the page, not in the URL: codes from letters
    # and QR links must work whatever language the browser prefers.
    path("s/", include("defus.respond.urls")),
]
urlpatterns += i18n_patterns(
    path("", include("defus.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("o/<slug:org>/", include("defus.fieldwork.urls")),
    path("o/<slug:org>/analysis/", include("defus.analysis.urls")),
    path("o/<slug:org>/walks/", include("defus.walks.urls")),
    path("o/<slug:org>/strategy/", include("defus.strategy.urls")),
    path("instrument/", include("defus.instrument.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler403 = "defus.core.views.permission_denied"
handler404 = "defus.core.views.page_not_found"
handler500 = "defus.core.views.server_error"
