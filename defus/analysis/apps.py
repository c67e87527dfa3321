from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "defus.analysis"
    label = "analysis"
