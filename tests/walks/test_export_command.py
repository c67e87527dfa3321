"""`defus walks export` writes the map's GeoJSON and the CSVs of stops and issues and names
them; `defus walks report` writes the PDF or HTML report; bad input gives a clear error."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from defus.fieldwork.models import District
from defus.walks.models import CHECKLIST_KEYS
from tests.analysis.support import make_analysis_wave

from .report_support import make_walk

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("walks", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_export_writes_geojson_and_csv(org_a: Any, tmp_path: Path) -> None:
    wave = make_analysis_wave(org_a, per_district=20)
    walk = make_walk(District.objects.get(wave=wave, code="02"), photos=False)
    output = run("export", wave.slug, "-o", str(tmp_path))
    written = [Path(line) for line in output.splitlines() if line.strip()]
    assert [p.name for p in written] == [
        f"{wave.slug}-unsafe-places.geojson",
        f"{wave.slug}-walk-stops.csv",
        f"{wave.slug}-walk-issues.csv",
    ]
    geojson = json.loads(written[0].read_text(encoding="utf-8"))
    layers = {f["properties"]["layer"] for f in geojson["features"]}
    assert layers == {"district", "survey_place", "walk_stop", "issue"}
    for feature in geojson["features"]:
        if feature["properties"].get("suppressed"):
            assert feature["properties"]["share"] is None
    with written[1].open(encoding="utf-8") as handle:
        stops = list(csv.DictReader(handle))
    assert len(stops) == 4 and stops[0]["walk_id"] == str(walk.pk)
    underpass = next(row for row in stops if row["stop"] == "Unterführung Nord")
    assert [underpass[key] for key in CHECKLIST_KEYS][:3] == ["0", "0", "1"]
    assert underpass["signage"] == ""  # not assessed
    with written[2].open(encoding="utf-8") as handle:
        issues = list(csv.DictReader(handle))
    assert {row["department"] for row in issues} == {
        "Abfallwirtschaft",
        "Tiefbauamt",
        "Grünflächenamt",
    }


def test_report_command_writes_pdf_and_html(org_a: Any, tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    wave = make_analysis_wave(org_a, per_district=5)
    walk = make_walk(District.objects.get(wave=wave, code="02"))
    pdf = tmp_path / "walk.pdf"
    assert str(pdf) in run("report", str(walk.pk), "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    html = tmp_path / "walk.html"
    run("report", str(walk.pk), "-o", str(html), "--language", "fr")
    text = html.read_text(encoding="utf-8")
    assert "Unterführung Nord" in text and "<svg" in text and "data:image/jpeg;base64," in text
    assert "Problèmes et actions proposées" in text


def test_bad_input_gives_clear_errors(org_a: Any, tmp_path: Path, english: None) -> None:
    with pytest.raises(CommandError, match="short name"):
        run("export", "no-such-wave", "-o", str(tmp_path))
    with pytest.raises(CommandError, match="999999"):
        run("report", "999999", "-o", str(tmp_path / "x.pdf"))
    wave = make_analysis_wave(org_a, per_district=5)
    walk = make_walk(District.objects.get(wave=wave, code="02"), photos=False)
    with pytest.raises(CommandError, match=r"\.docx"):
        run("report", str(walk.pk), "-o", str(tmp_path / "x.docx"))
    with pytest.raises(CommandError, match="Folder"):
        run("export", wave.slug, "-o", str(tmp_path / "missing"))
