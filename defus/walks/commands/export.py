"""`defus walks export WAVE [-o DIR] [--language de]`: the unsafe-places map as files.

Writes, into DIR (default: the current folder):
  WAVE-unsafe-places.geojson  districts, survey places, walk stops and issues, as the map
                              (a hidden place has "suppressed": true and no share);
  WAVE-walk-stops.csv         one row per stop of the wave's walks, with its 12 scores;
  WAVE-walk-issues.csv        one row per issue.
The names of the files written are printed, one a line."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from defus.core.languages import LANGUAGES
from defus.fieldwork.models import Wave

from ..comparison import mean_score, score
from ..models import CHECKLIST_KEYS, Stop, StopIssue
from ..placesmap import LAYERS, build_map

STOP_COLUMNS = [
    "walk_id",
    "walk",
    "district",
    "date",
    "time_of_day",
    "position",
    "stop",
    "latitude",
    "longitude",
    *CHECKLIST_KEYS,
    "mean_score",
    "feeling",
    "issues",
    "notes",
]
ISSUE_COLUMNS = [
    "walk_id",
    "walk",
    "position",
    "stop",
    "latitude",
    "longitude",
    "category",
    "severity",
    "description",
    "action",
    "department",
]


def register(actions: Any) -> None:
    parser = actions.add_parser(
        "export",
        help="the unsafe-places map of a wave as GeoJSON, and its walk stops and issues as CSV",
        description="Write the map of a wave (districts, places named in the survey, walk stops "
        "and issues) as GeoJSON, and CSV files with one row per walk stop (with its checklist "
        "scores) and one per issue. Places named by too few respondents carry no figure.",
    )
    parser.add_argument("wave", help="the wave's short name")
    parser.add_argument("-o", "--output", default=".", help="folder to write to (default: .)")
    parser.add_argument("--language", choices=LANGUAGES, default="de", help="default: de")


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    wave = Wave.objects.filter(slug=options["wave"]).first()
    if wave is None:
        raise CommandError(
            _("There is no survey wave with the short name %(slug)s.") % {"slug": options["wave"]}
        )
    folder = Path(options["output"])
    if not folder.is_dir():
        raise CommandError(_("Folder not found: %(path)s") % {"path": folder})
    language = options["language"]
    with translation.override(language):
        places_map = build_map(wave, language, layers=LAYERS)
        if places_map.problem:
            command.stderr.write(
                _("The survey places are left out: %(problem)s") % {"problem": places_map.problem}
            )
        geojson = folder / f"{wave.slug}-unsafe-places.geojson"
        geojson.write_text(
            json.dumps(places_map.geojson(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        stops_file = folder / f"{wave.slug}-walk-stops.csv"
        issues_file = folder / f"{wave.slug}-walk-issues.csv"
        write_stops(wave, stops_file)
        write_issues(wave, issues_file)
    for path in (geojson, stops_file, issues_file):
        command.stdout.write(str(path))


def _stops(wave: Wave) -> Any:
    return (
        Stop.objects.filter(walk__organisation_id=wave.organisation_id, walk__district__wave=wave)
        .select_related("walk", "walk__district")
        .prefetch_related("issues")
        .order_by("walk__date", "walk_id", "position", "pk")
    )


def write_stops(wave: Wave, path: Path) -> None:
    """One row per stop: codes and numbers as they are (scores 0–3, empty: not assessed)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(STOP_COLUMNS)
        for stop in _stops(wave):
            mean = mean_score(stop)
            writer.writerow(
                [
                    stop.walk_id,
                    stop.walk.title,
                    stop.walk.district.name,
                    stop.walk.date.isoformat(),
                    stop.walk.time_of_day,
                    stop.position,
                    stop.name,
                    _blank(stop.latitude),
                    _blank(stop.longitude),
                    *[_blank(score(stop, key)) for key in CHECKLIST_KEYS],
                    "" if mean is None else f"{mean:.3f}",
                    _blank(stop.feeling),
                    len(stop.issues.all()),
                    stop.notes,
                ]
            )


def write_issues(wave: Wave, path: Path) -> None:
    issues = (
        StopIssue.objects.filter(
            stop__walk__organisation_id=wave.organisation_id, stop__walk__district__wave=wave
        )
        .select_related("stop", "stop__walk")
        .order_by("stop__walk__date", "stop__walk_id", "stop__position", "-severity", "pk")
    )
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(ISSUE_COLUMNS)
        for issue in issues:
            stop = issue.stop
            writer.writerow(
                [
                    stop.walk_id,
                    stop.walk.title,
                    stop.position,
                    stop.name,
                    _blank(stop.latitude),
                    _blank(stop.longitude),
                    issue.category,
                    issue.severity,
                    issue.description,
                    issue.action,
                    issue.department,
                ]
            )


def _blank(value: Any) -> Any:
    return "" if value is None else value
