"""Helpers shared by the wave, sample, letters and monitoring tests (no tests here).

Plain functions rather than fixtures, so each test module states its fixtures itself.
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from typing import Any

import pytest

from defus.fieldwork.models import AGE_GROUPS, Wave
from defus.fieldwork.services.waves import WaveFiles, WaveSettings, create_wave

DISTRICTS = [("N1", "Nordstadt"), ("M2", "Mitte"), ("S3", "Südviertel")]
POPULATION_COLUMNS = [f"{g}_{a}" for g in ("female", "male") for a in AGE_GROUPS]


def districts_csv(
    rows: list[tuple[str, str]] | None = None, *, delimiter: str = ",", diverse: bool = False
) -> str:
    """A districts file: every population cell is 100 + the row's index."""
    rows = rows or DISTRICTS
    columns = POPULATION_COLUMNS + ([f"diverse_{a}" for a in AGE_GROUPS] if diverse else [])
    lines = [delimiter.join(["code", "name", *columns])]
    for index, (code, name) in enumerate(rows):
        lines.append(delimiter.join([code, name, *[str(100 + index)] * len(columns)]))
    return "\n".join(lines) + "\n"


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def geojson(codes: list[str], *, prop: str = "code") -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {prop: code, "name": code},
            "geometry": square(6.7, 51.2 + i / 100),
        }
        for i, code in enumerate(codes)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def places_csv() -> str:
    return (
        "code,name,kind,district_code,latitude,longitude,aliases\n"
        "HBF,Hauptbahnhof,station,M2,51.2199,6.7943,Hbf|Bahnhof\n"
        "PARK,Stadtpark,park,N1,,,\n"
    )


def make_wave(organisation: Any, slug: str = "musterstadt-2026", **settings: Any) -> Wave:
    """A wave in preparation with the three DISTRICTS, made through the service."""
    values = WaveSettings(
        title=settings.pop("title", "Sicherheit in Musterstadt 2026"),
        slug=slug,
        instrument_version="2026.1",
        field_start=settings.pop("field_start", datetime.date(2026, 3, 1)),
        field_end=settings.pop("field_end", datetime.date(2026, 4, 15)),
        **settings,
    )
    return create_wave(organisation, values, WaveFiles(districts=districts_csv().encode())).wave


PEOPLE_FIRST = ["Erika", "Max", "Alex", "Sophie", "Jonas", "Leonie", "Paul", "Mia", "Ali", "Ana"]
PEOPLE_LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"]


def sample_rows(count: int = 50) -> list[list[str]]:
    rows = []
    for i in range(count):
        salutation = ("Frau", "Herr", "")[i % 3]
        rows.append(
            [
                salutation,
                PEOPLE_FIRST[i % len(PEOPLE_FIRST)],
                PEOPLE_LAST[i % len(PEOPLE_LAST)],
                f"Lindenweg {i + 1}",
                "51147",
                "Musterstadt",
                DISTRICTS[i % 3][0],
            ]
        )
    return rows


def sample_csv(
    rows: list[list[str]] | None = None, *, header: str | None = None, delimiter: str = ","
) -> str:
    header = header or "salutation,first_name,last_name,street,postcode,city,district"
    rows = sample_rows() if rows is None else rows
    lines = [header.replace(",", delimiter)] + [delimiter.join(row) for row in rows]
    return "\n".join(lines) + "\n"


def pdf_text(pdf: bytes, tmp_path: Any) -> str:
    """The text of a PDF via poppler's pdftotext (make test installs poppler-utils)."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install Debian's poppler-utils (make test does)")
    path = tmp_path / "letters.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=120
    )
    return result.stdout.decode("utf-8")


def pdf_pages(pdf: bytes, tmp_path: Any) -> int:
    """Number of pages via poppler's pdfinfo (make test installs poppler-utils)."""
    if shutil.which("pdfinfo") is None:
        pytest.fail("pdfinfo is missing: install Debian's poppler-utils (make test does)")
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, timeout=60)
    for line in result.stdout.decode().splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("pdfinfo printed no page count")
