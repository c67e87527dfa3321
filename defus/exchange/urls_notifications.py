"""A person's notifications and their email digest settings (under /notifications/)."""

from django.urls import URLPattern

app_name = "notifications"

urlpatterns: list[URLPattern] = []
