"""Projects and calls for the tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from defus.projects.models import Call, Project


def make_project(slug: str = "sichere-plaetze", **fields: Any) -> Project:
    values: dict[str, Any] = {
        "title": {"de": "Sichere Plätze", "en": "Safe squares", "fr": "Places sûres"},
        "summary": {"de": "Kurzfassung", "en": "Summary in English"},
        "programme": "Horizon Europe",
        "status": Project.Status.RUNNING,
        "start": datetime.date(2025, 1, 1),
        "end": datetime.date(2027, 12, 31),
        "lead_name": "Efus",
        "topics": "öffentlicher Raum, Prävention",
    }
    values.update(fields)
    return Project.objects.create(slug=slug, **values)


def make_call(project: Project, days: float = 10, **fields: Any) -> Call:
    values: dict[str, Any] = {
        "title": {"de": "Pilotstädte gesucht", "en": "Pilot cities wanted", "fr": "Villes pilotes"},
        "text": {"de": "Wir suchen fünf Städte."},
        "deadline": timezone.now() + datetime.timedelta(days=days),
    }
    values.update(fields)
    return Call.objects.create(project=project, **values)
