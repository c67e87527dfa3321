"""Members: the member organisations (public), the directory (members only), one's profile,
invitations, applications (review by the forum's staff)."""

from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.organisations, name="organisations"),
    path("organisations.json", views.organisations_json, name="organisations_json"),
    path(
        "organisations/<slug:organisation>/status/",
        views.organisation_status,
        name="organisation_status",
    ),
    path("people/", views.people, name="people"),
    path("people/<int:person>/", views.person, name="person"),
    path("people.csv", views.people_csv, name="people_csv"),
    path("api/people.json", views.people_json, name="people_json"),
    path("me/", views.me, name="me"),
    path("invitation/<str:invitation_token>/", views.invitation, name="invitation"),
    path("apply/", views.apply, name="apply"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:application>/", views.application, name="application"),
]
