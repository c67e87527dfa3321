"""Back office of a survey wave, under /o/<org>/. Every view declares its permission."""

from .urls_data import urlpatterns as data_patterns
from .urls_waves import urlpatterns as wave_patterns

app_name = "fieldwork"
urlpatterns = [*wave_patterns, *data_patterns]
