"""Analysis of a wave, under /o/<org>/analysis/. Each views module lists its own URLs."""

from .views import dashboard, exports, report

app_name = "analysis"
urlpatterns = [*dashboard.urlpatterns, *exports.urlpatterns, *report.urlpatterns]
