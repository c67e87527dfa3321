from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "defus.fieldwork"
    label = "fieldwork"
