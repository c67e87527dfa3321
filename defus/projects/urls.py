from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    # forum staff
    path("new/", views.project_create, name="create"),
    path("<slug:project>/", views.project_detail, name="detail"),
    path("<slug:project>/edit/", views.project_edit, name="edit"),
    path("<slug:project>/calls/new/", views.call_create, name="call_create"),
    # members
    path("<slug:project>/calls/<int:call>/interest/", views.express_interest, name="interest"),
    # forum staff
    path("<slug:project>/calls/<int:call>/edit/", views.call_edit, name="call_edit"),
    path("<slug:project>/calls/<int:call>/interests/", views.interests, name="interests"),
    path(
        "<slug:project>/calls/<int:call>/interests/<int:interest>/answer/",
        views.answer,
        name="answer",
    ),
    path("<slug:project>/calls/<int:call>/interests.csv", views.export_csv, name="export_csv"),
    path("<slug:project>/calls/<int:call>/interests.xlsx", views.export_xlsx, name="export_xlsx"),
]
