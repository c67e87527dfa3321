from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "defus.demo"
    label = "demo"
