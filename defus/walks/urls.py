"""Walks, workshops and the unsafe-places map, under /o/<org>/walks/."""

from .views import photos, places_map, report, walks, workshops

app_name = "walks"
urlpatterns = [
    *walks.urlpatterns,
    *photos.urlpatterns,
    *report.urlpatterns,
    *places_map.urlpatterns,
    *workshops.urlpatterns,
]
