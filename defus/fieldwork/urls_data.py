"""Answers of a wave: paper entry, double-entry comparison, export and import."""

from django.urls import path

from .views import data

urlpatterns = [
    path(
        "waves/<slug:wave>/answers/paper/",
        data.PaperEntryView.as_view(),
        name="paper_entry",
    ),
    path(
        "waves/<slug:wave>/answers/paper/differences/",
        data.PaperDifferencesView.as_view(),
        name="paper_differences",
    ),
    path(
        "waves/<slug:wave>/answers/paper/sheets/<str:sheet>/",
        data.PaperSheetView.as_view(),
        name="paper_sheet",
    ),
    path("waves/<slug:wave>/answers/export/", data.ExportView.as_view(), name="data_export"),
    path("waves/<slug:wave>/answers/import/", data.ImportView.as_view(), name="data_import"),
]
