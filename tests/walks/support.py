"""A wave with districts (GeoJSON boundaries) and places with coordinates, walks on it, and
photos to upload, for the walk tests (planning, recording, reports, the places map).

The districts are squares of 0.02° side next to each other at 49.9° N, 8.4° E + n·0.02°
(the same layout as tests/analysis/support.py), so a point's district is easy to see.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image

from defus.fieldwork.models import District, Place, Wave
from defus.walks.models import Stop, Walk
from tests.analysis.support import population, square

WALK_DISTRICTS = [("01", "Altstadt"), ("02", "Bahnhofsviertel"), ("03", "Nordstadt")]
# (code, name, district index, latitude, longitude): inside the district's square
WALK_PLACES = [
    ("HBF", "Hauptbahnhof", 1, 49.905, 8.445),
    ("UFU", "Unterführung Bahnhofstraße", 1, 49.912, 8.452),
    ("BUS", "Busbahnhof", 1, 49.915, 8.455),
    ("MKT", "Marktplatz", 0, 49.91, 8.43),
]


def centre(district_index: int) -> tuple[float, float]:
    """(latitude, longitude) of the middle of the district's square."""
    return 49.91, 8.4 + (district_index + 1) * 0.02 + 0.01


def make_walk_wave(organisation: Any, slug: str = "walks-2026") -> Wave:
    """A wave without answers, its districts with boundaries and places with coordinates."""
    start = datetime.date(2026, 3, 1)
    wave = Wave.objects.create(
        organisation=organisation,
        title=f"Befragung {slug}",
        slug=slug,
        instrument_version="2026.1",
        field_start=start,
        field_end=start + datetime.timedelta(days=42),
        status=Wave.Status.CLOSED,
    )
    districts = [
        District.objects.create(
            wave=wave,
            code=code,
            name=name,
            answer_code=number,
            population=population(10000),
            boundary=square(number),
        )
        for number, (code, name) in enumerate(WALK_DISTRICTS, start=1)
    ]
    for code, name, index, latitude, longitude in WALK_PLACES:
        Place.objects.create(
            wave=wave,
            code=code,
            name=name,
            district=districts[index],
            latitude=latitude,
            longitude=longitude,
        )
    return wave


def make_walk(
    organisation: Any,
    wave: Wave | None = None,
    *,
    district_code: str = "02",
    stops: int = 3,
    title: str = "Bahnhofsviertel nach Einbruch der Dunkelheit",
    **extra: Any,
) -> Walk:
    """A planned night walk with `stops` stops inside the district."""
    wave = wave or make_walk_wave(organisation)
    district = wave.districts.get(code=district_code)
    walk = Walk.objects.create(
        organisation=organisation,
        district=district,
        title=title,
        date=datetime.date(2026, 5, 12),
        start_time=datetime.time(21, 30),
        time_of_day=Walk.TimeOfDay.NIGHT,
        participants={"women": 6, "older": 3, "staff": 2},
        facilitators="Ordnungsamt, Frau Beispiel",
        **extra,
    )
    latitude, longitude = centre(district.answer_code - 1)
    for position in range(1, stops + 1):
        Stop.objects.create(
            walk=walk,
            position=position,
            name=f"Halt {position}",
            latitude=latitude - 0.005 + position * 0.002,
            longitude=longitude - 0.005 + position * 0.002,
        )
    return walk


def walk_url(walk: Walk, name: str, **kwargs: Any) -> str:
    return reverse(
        f"walks:{name}", kwargs={"org": walk.organisation.slug, "walk": walk.pk, **kwargs}
    )


def jpeg_with_gps(size: tuple[int, int] = (800, 600), orientation: int | None = None) -> bytes:
    """A JPEG as a phone makes it: EXIF with the camera, the time and a GPS position."""
    image = Image.new("RGB", size, (200, 120, 40))
    for x in range(0, size[0], 40):  # some structure, so the picture is not a flat colour
        image.paste((20, 60, 160), (x, 0, x + 20, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[0x0132] = "2026:05:12 21:45:00"  # DateTime
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (49.0, 54.0, 36.0)  # GPSLatitude
    gps[3] = "E"  # GPSLongitudeRef
    gps[4] = (8.0, 27.0, 0.0)  # GPSLongitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (300, 200), transparent: bool = False) -> bytes:
    image = Image.new(
        "RGBA" if transparent else "RGB", size, (10, 200, 10, 0 if transparent else 255)
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def media_root(settings: Any, tmp_path: Any) -> Any:
    """Uploaded photos go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"
