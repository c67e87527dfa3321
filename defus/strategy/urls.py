"""Findings, priorities, measures and evaluation, under /o/<org>/strategy/."""

from .views import crime, findings, measures, overview, priorities

app_name = "strategy"
urlpatterns = [
    *priorities.urlpatterns,
    *findings.urlpatterns,
    *crime.urlpatterns,
    *measures.urlpatterns,
    *overview.urlpatterns,
]
