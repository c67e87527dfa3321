from django.urls import path

from . import views

app_name = "instrument"
urlpatterns = [
    path("", views.instrument_list, name="list"),
    path("<slug:key>/<str:version>/", views.instrument_detail, name="detail"),
    path("<slug:key>/<str:version>/codebook/", views.codebook_page, name="codebook"),
    path("<slug:key>/<str:version>/codebook.csv", views.codebook_download, name="codebook_csv"),
    path(
        "<slug:key>/<str:version>/questionnaire-<slug:language>.pdf",
        views.paper_pdf,
        name="paper",
    ),
]
