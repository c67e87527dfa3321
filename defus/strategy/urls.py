"""Findings, priorities, measures and evaluation, under /o/<org>/strategy/."""

from django.urls import URLPattern

app_name = "strategy"
urlpatterns: list[URLPattern] = []
