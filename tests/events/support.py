"""Events for the tests."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from defus.events.models import Event

BERLIN = ZoneInfo("Europe/Berlin")


def make_event(slug: str = "seminar", **fields: Any) -> Event:
    start = fields.pop("start", None) or datetime.datetime.now(BERLIN).replace(
        microsecond=0
    ) + datetime.timedelta(days=14)
    values: dict[str, Any] = {
        "title": {"de": f"Seminar {slug}", "en": f"Seminar {slug} (en)", "fr": f"Séminaire {slug}"},
        "description": {"de": "Beschreibung", "en": "Description"},
        "kind": Event.Kind.SEMINAR,
        "format": Event.Format.HYBRID,
        "start": start,
        "end": start + datetime.timedelta(hours=3),
        "venue": "Rathaus",
        "address": "Marktplatz 1, 70173 Stuttgart",
        "online_link": f"https://meet.example/{slug}-secret",
        "capacity": 10,
        "topics": "Prävention, Inklusion",
    }
    values.update(fields)
    return Event.objects.create(slug=slug, **values)
