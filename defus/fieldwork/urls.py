from django.urls import path

from . import views

app_name = "fieldwork"
urlpatterns = [
    path("waves/", views.WaveListView.as_view(), name="wave_list"),
    path("waves/<slug:wave>/", views.WaveDetailView.as_view(), name="wave_detail"),
]
