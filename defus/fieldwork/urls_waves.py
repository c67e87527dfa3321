from django.urls import path

from .views import waves

urlpatterns = [
    path("waves/", waves.WaveListView.as_view(), name="wave_list"),
    path("waves/<slug:wave>/", waves.WaveDetailView.as_view(), name="wave_detail"),
]
