from django.apps import AppConfig


class InstrumentConfig(AppConfig):
    name = "defus.instrument"
    label = "instrument"
