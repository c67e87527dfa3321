"""A person's notifications and their email digest settings (under /notifications/)."""

from django.urls import path

from . import views_notifications as views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:notification>/read/", views.notification_read, name="read"),
    path("settings/", views.notification_settings, name="settings"),
    path("unsubscribe/<str:unsubscribe_token>/", views.unsubscribe, name="unsubscribe"),
]
