"""An organisation's people (under /o/<org>/people/): its admin invites and removes people."""

from django.urls import path

from . import views_organisation as views

app_name = "organisation_people"

urlpatterns = [
    path("", views.PeopleList.as_view(), name="list"),
    path(
        "invitations/<int:people_invitation>/", views.InvitationAction.as_view(), name="invitation"
    ),
    path("<int:membership>/", views.MembershipAction.as_view(), name="membership"),
]
