from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "defus.core"
    label = "core"
