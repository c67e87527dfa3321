from django.urls import path

from . import views

app_name = "respond"
urlpatterns = [
    path("", views.start, name="start"),
]
