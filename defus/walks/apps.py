from django.apps import AppConfig


class WalksConfig(AppConfig):
    name = "defus.walks"
    label = "walks"
