"""Walks, workshops and the unsafe-places map, under /o/<org>/walks/."""

from django.urls import URLPattern

app_name = "walks"
urlpatterns: list[URLPattern] = []
