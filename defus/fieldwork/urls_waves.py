"""Waves, districts and places, the sample, letters and field monitoring (under /o/<org>/)."""

from django.urls import path

from .views import waves

urlpatterns = [
    path("waves/", waves.WaveListView.as_view(), name="wave_list"),
    path("waves/new/", waves.WaveFormView.as_view(), name="wave_create"),
    path(
        "waves/examples/districts.csv",
        waves.ExampleFileView.as_view(kind="districts"),
        name="example_districts",
    ),
    path(
        "waves/examples/places.csv",
        waves.ExampleFileView.as_view(kind="places"),
        name="example_places",
    ),
    path(
        "waves/examples/sample.csv",
        waves.ExampleFileView.as_view(kind="sample"),
        name="example_sample",
    ),
    path("waves/<slug:wave>/", waves.WaveDetailView.as_view(), name="wave_detail"),
    path("waves/<slug:wave>/edit/", waves.WaveFormView.as_view(), name="wave_edit"),
    path("waves/<slug:wave>/status/", waves.WaveStatusView.as_view(), name="wave_status"),
    path("waves/<slug:wave>/sample/", waves.SampleView.as_view(), name="wave_sample"),
    path(
        "waves/<slug:wave>/sample/discard/",
        waves.SampleRemoveView.as_view(action="discard"),
        name="wave_sample_discard",
    ),
    path(
        "waves/<slug:wave>/sample/delete/",
        waves.SampleRemoveView.as_view(action="delete"),
        name="wave_sample_delete",
    ),
    path("waves/<slug:wave>/letters/", waves.LettersView.as_view(), name="wave_letters"),
    path(
        "waves/<slug:wave>/letters/invitations.pdf",
        waves.LettersView.as_view(kind="invitation"),
        name="wave_letters_invitations",
    ),
    path(
        "waves/<slug:wave>/letters/reminders.pdf",
        waves.LettersView.as_view(kind="reminder"),
        name="wave_letters_reminders",
    ),
    path("waves/<slug:wave>/monitoring/", waves.MonitoringView.as_view(), name="wave_monitoring"),
]
