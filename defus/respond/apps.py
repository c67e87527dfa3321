from django.apps import AppConfig


class RespondConfig(AppConfig):
    name = "defus.respond"
    label = "respond"
