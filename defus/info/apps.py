from django.apps import AppConfig


class InfoConfig(AppConfig):
    name = "defus.info"
    label = "info"
