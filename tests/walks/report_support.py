"""Walks with stops, checklists, photos and issues for the report, map and export tests,
made directly with the ORM (the recording flow is tested elsewhere)."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image

from defus.fieldwork.models import District, Wave
from defus.walks.models import CHECKLIST_KEYS, Stop, StopIssue, StopPhoto, Walk

# Stops inside the square district 02 "Bahnhofsviertel" of tests/analysis/support.py
# (longitude 8.44–8.46, latitude 49.90–49.92).
ROUTE = [
    ("Bahnhofsvorplatz", 49.9050, 8.4450),
    ("Unterführung Nord", 49.9080, 8.4490),
    ("Parkplatz Ost", 49.9120, 8.4540),
    ("Kleiner Platz", 49.9150, 8.4520),
]
# Scores per stop (None: not assessed), in the order of CHECKLIST_KEYS.
SCORES = [
    [1, 2, 1, 2, 1, 0, 2, 3, 1, 2, None, 1],
    [0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, None],
    [2, 3, 2, 1, 1, 1, 2, 2, 2, 3, 1, 2],
    [None] * 12,
]


def simple_wave(organisation: Any, slug: str = "walks-2026") -> tuple[Wave, District]:
    wave = Wave.objects.create(
        organisation=organisation,
        title=f"Befragung {slug}",
        slug=slug,
        instrument_version="2026.1",
        field_start=datetime.date(2026, 3, 1),
        field_end=datetime.date(2026, 4, 12),
        status=Wave.Status.CLOSED,
    )
    ring = [[8.44, 49.9], [8.46, 49.9], [8.46, 49.92], [8.44, 49.92], [8.44, 49.9]]
    district = District.objects.create(
        wave=wave,
        code="02",
        name="Bahnhofsviertel",
        answer_code=2,
        boundary={"type": "Polygon", "coordinates": [ring]},
    )
    return wave, district


def jpeg(colour: tuple[int, int, int] = (40, 90, 160), size: tuple[int, int] = (320, 240)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def make_walk(
    district: District,
    *,
    title: str = "Abendspaziergang Bahnhof",
    scores: list[list[int | None]] | None = None,
    time_of_day: str = Walk.TimeOfDay.NIGHT,
    repeat_of: Walk | None = None,
    route: list[tuple[str, float | None, float | None]] | None = None,
    photos: bool = True,
    issues: bool = True,
) -> Walk:
    organisation = district.wave.organisation
    walk = Walk.objects.create(
        organisation=organisation,
        district=district,
        title=title,
        date=datetime.date(2026, 5, 12),
        start_time=datetime.time(21, 30),
        time_of_day=time_of_day,
        participants={"women": 7, "older": 3, "staff": 2, "police": 1},
        facilitators="Frau Beispiel (Ordnungsamt)\nHerr Muster (Quartiersbüro)",
        repeat_of=repeat_of,
        status=Walk.Status.RECORDED,
        notes="Trocken, kühl.",
    )
    feelings = [2, 1, 3, None]
    for position, ((name, lat, lon), row) in enumerate(
        zip(ROUTE if route is None else route, scores or SCORES, strict=False), start=1
    ):
        stop = Stop.objects.create(
            walk=walk,
            position=position,
            name=name,
            latitude=lat,
            longitude=lon,
            checklist=dict(zip(CHECKLIST_KEYS, row, strict=True)),
            feeling=feelings[(position - 1) % len(feelings)],
            notes=f"Beobachtung an {name}.",
        )
        if photos and position == 2:
            photo = StopPhoto(stop=stop, width=320, height=240, caption="Dunkle Unterführung")
            photo.image.save("upload.jpg", ContentFile(jpeg()), save=False)
            photo.save()
    if issues:
        stops = list(walk.stops.order_by("position"))
        StopIssue.objects.create(
            stop=stops[0],
            category=StopIssue.Category.MAINTENANCE,
            severity=StopIssue.Severity.LOW,
            description="Glasscherben am Radständer",
            action="Reinigung zweimal pro Woche",
            department="Abfallwirtschaft",
        )
        StopIssue.objects.create(
            stop=stops[1],
            category=StopIssue.Category.LIGHTING,
            severity=StopIssue.Severity.HIGH,
            description="Zwei Leuchten defekt, Unterführung stockdunkel",
            action="Leuchten ersetzen, LED nachrüsten",
            department="Tiefbauamt",
        )
        StopIssue.objects.create(
            stop=stops[2],
            category=StopIssue.Category.VISIBILITY,
            severity=StopIssue.Severity.MEDIUM,
            description="Hecke verdeckt den Weg",
            action="Hecke zurückschneiden",
            department="Grünflächenamt",
        )
    return walk
