from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "defus.analysis"
    label = "analysis"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from ..fieldwork.models import Response
        from .signals import answer_recorded

        post_save.connect(answer_recorded, sender=Response, dispatch_uid="analysis-columns")
