"""An organisation's people (under /o/<org>/people/): its admin invites and removes people."""

from django.urls import URLPattern

app_name = "organisation_people"

urlpatterns: list[URLPattern] = []
