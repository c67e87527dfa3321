"""The report of a neighbourhood walk: as a web page and as a PDF (WeasyPrint).

What it prints: title, district, date and time of day, the participant groups (counts only)
and the facilitators; the route on a map (the district's boundary, the numbered stops joined
by the route line) with a table of the stops, their coordinates and scores as its text
alternative; each stop's checklist (12 criteria, 0–3 or not assessed, and the mean), the
participants' feeling, notes and photos; the issues found, most severe first; and for a repeat
walk the comparison with the first walk (comparison.py).

The route map is one Vega-Lite specification (placesmap.py's district base, analysis/charts.py's
conventions): the page draws it with vega-embed, the PDF inlines vl-convert's SVG of it. The
PDF machinery is the wave report's (analysis/report.py: `html_to_pdf`, `inline_svg`), and the
PDF is kept under MEDIA_ROOT/walk-reports/ until anything it prints changes (`report_key`).
Photos appear in the page through the permission-checked photo view; in the PDF they are
embedded from storage as data URIs (scaled down), since WeasyPrint fetches nothing.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from defus.analysis import charts
from defus.analysis.report import Chart, html_to_pdf, inline_svg
from defus.core.languages import check_language
from defus.core.versions import source_digest

from .comparison import StopComparison, compare_walks, mean_score, score
from .models import CHECKLIST, PARTICIPANT_GROUPS, Stop, StopPhoto, Walk
from .placesmap import (
    district_layers,
    extent,
    feeling_label,
    format_coordinates,
    format_date,
    format_score,
    map_height,
)

PHOTO_PIXELS = 1200  # the longer side of a photo in the PDF
COMPARISON_COLUMNS = 5  # stops per comparison table (A4 portrait)
REPORT_SOURCES = ("report.py", "comparison.py", "placesmap.py", "templates/walks/report*.html")


# --- what the templates print -----------------------------------------------------------------


@dataclass
class ScoreCell:
    label: str
    text: str
    assessed: bool


@dataclass
class PhotoLine:
    src: str
    alt: str
    caption: str
    width: int
    height: int


@dataclass
class StopSection:
    number: int
    name: str
    coordinates: str
    scores: list[ScoreCell]
    mean: str
    assessed: int
    feeling: str
    notes: str
    photos: list[PhotoLine]
    issues: int

    @property
    def score_pairs(self) -> list[tuple[ScoreCell, ScoreCell | None]]:
        """The 12 criteria in two columns (a compact table): (1, 7), (2, 8), …"""
        half = (len(self.scores) + 1) // 2
        second: list[ScoreCell | None] = list(self.scores[half:])
        second += [None] * (half - len(second))
        return list(zip(self.scores[:half], second, strict=True))


@dataclass
class IssueLine:
    stop: str
    category: str
    severity: int
    severity_label: str
    description: str
    action: str
    department: str


@dataclass
class ChangeCell:
    first: str
    repeat: str
    change: str
    direction: str  # "up", "down", "same" or "" (nothing to compare)


@dataclass
class ComparisonRow:
    label: str
    cells: list[ChangeCell]
    summary: bool = False


@dataclass
class ComparisonTable:
    stops: list[str]  # column headers
    rows: list[ComparisonRow]


@dataclass
class WalkComparison:
    first_title: str
    first_date: str
    first_time_of_day: str
    first_participants: str
    tables: list[ComparisonTable]
    not_repeated: list[str]  # stops of the first walk the repeat left out
    new_stops: list[str]  # stops only the repeat walk made


@dataclass
class WalkReport:
    walk: Walk
    language: str
    title: str
    organisation: str
    district: str
    wave: str
    date: str
    start: str
    time_of_day: str
    status: str
    participants: list[tuple[str, str]]
    participants_total: str
    facilitators: list[str]
    notes: str
    stops: list[StopSection]
    issues: list[IssueLine]
    route_spec: dict[str, Any] | None
    route_description: str
    comparison: WalkComparison | None
    document: bool = False  # the PDF / standalone file (route map inline)
    route_chart: Chart | None = None
    criteria: list[str] = field(default_factory=list)

    @property
    def located_stops(self) -> int:
        return sum(1 for s in self.stops if s.coordinates != charts.DASH)


# --- building the report ------------------------------------------------------------------------


def build_walk_report(walk: Walk, language: str, *, document: bool = False) -> WalkReport:
    """The report of `walk` in `language`; `document`: for the PDF or a standalone file (the
    route map as inline SVG, photos embedded)."""
    language = check_language(language)
    with translation.override(language):
        walk = Walk.objects.select_related("district__wave", "organisation", "repeat_of").get(
            pk=walk.pk
        )
        stops = list(walk.stops.prefetch_related("photos", "issues").order_by("position", "pk"))
        spec = route_map(walk, stops, language)
        description = _(
            "Map of the route in %(district)s: the stops, numbered in the order walked, "
            "joined by the route. The table below lists each stop with its coordinates and "
            "scores."
        ) % {"district": walk.district.name}
        report = WalkReport(
            walk=walk,
            language=language,
            title=walk.title,
            organisation=walk.organisation.name,
            district=walk.district.name,
            wave=walk.district.wave.title,
            date=format_date(walk.date, language),
            start=walk.start_time.strftime("%H:%M") if walk.start_time else "",
            time_of_day=str(walk.get_time_of_day_display()),
            status=str(walk.get_status_display()),
            participants=participant_lines(walk.participants, language),
            participants_total=charts.format_number(
                sum(count for _label, count in participant_counts(walk.participants)), 0, language
            ),
            facilitators=[line.strip() for line in walk.facilitators.splitlines() if line.strip()],
            notes=walk.notes,
            stops=[stop_section(stop, walk, language, document) for stop in stops],
            issues=issue_lines(stops),
            route_spec=spec,
            route_description=description,
            comparison=walk_comparison(walk, language) if walk.repeat_of else None,
            document=document,
            criteria=[str(label) for _key, label in CHECKLIST],
        )
        if document and spec:
            svg = inline_svg(charts.render_svg(spec), "route-")
            # vl-convert's SVG of our own spec; the labels in it are escaped by Vega.
            report.route_chart = Chart(description, mark_safe(svg))
        return report


def participant_counts(participants: Any) -> list[tuple[str, int]]:
    """(group key, count) in the order of PARTICIPANT_GROUPS; bad or zero counts left out."""
    out = []
    for key, _label in PARTICIPANT_GROUPS:
        value = (participants or {}).get(key) if isinstance(participants, dict) else None
        try:
            count = int(value or 0)
        except (TypeError, ValueError):
            continue
        if count > 0:
            out.append((key, count))
    return out


def participant_lines(participants: Any, language: str) -> list[tuple[str, str]]:
    labels = dict(PARTICIPANT_GROUPS)
    return [
        (str(labels[key]), charts.format_number(count, 0, language))
        for key, count in participant_counts(participants)
    ]


def stop_section(stop: Stop, walk: Walk, language: str, document: bool) -> StopSection:
    scores = []
    for key, label in CHECKLIST:
        value = score(stop, key)
        scores.append(
            ScoreCell(
                str(label), _("not assessed") if value is None else str(value), value is not None
            )
        )
    return StopSection(
        number=stop.position,
        name=stop.name,
        coordinates=format_coordinates(stop.latitude, stop.longitude, language),
        scores=scores,
        mean=format_score(mean_score(stop), language),
        assessed=sum(1 for cell in scores if cell.assessed),
        feeling=feeling_label(stop.feeling),
        notes=stop.notes,
        photos=[photo_line(photo, stop, walk, document) for photo in stop.photos.all()],
        issues=len(stop.issues.all()),
    )


def photo_line(photo: StopPhoto, stop: Stop, walk: Walk, document: bool) -> PhotoLine:
    alt = photo.caption or _("Photo of stop %(number)d: %(name)s") % {
        "number": stop.position,
        "name": stop.name,
    }
    src = "" if document else photo_url(photo, walk)
    if not src:
        src = photo_data_uri(photo)
    return PhotoLine(src, alt, photo.caption, photo.width, photo.height)


def photo_url(photo: StopPhoto, walk: Walk) -> str:
    """The permission-checked photo view (walks:photo), if it exists."""
    org = walk.organisation.slug
    for kwargs in (
        {"org": org, "photo": photo.pk},
        {"org": org, "walk": walk.pk, "photo": photo.pk},
    ):
        try:
            return reverse("walks:photo", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


def photo_data_uri(photo: StopPhoto) -> str:
    """The photo from storage as a JPEG data URI, at most PHOTO_PIXELS on its longer side;
    "" if the file cannot be read."""
    from PIL import Image

    try:
        with photo.image.open("rb") as handle:
            source = Image.open(io.BytesIO(handle.read()))
            source.load()
    except (OSError, ValueError):
        return ""
    image = source.convert("RGB")
    image.thumbnail((PHOTO_PIXELS, PHOTO_PIXELS))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def issue_lines(stops: list[Stop]) -> list[IssueLine]:
    """Every issue of the walk, most severe first, then in the order of the route."""
    lines = []
    for stop in stops:
        for issue in stop.issues.all():
            lines.append(
                (
                    -issue.severity,
                    stop.position,
                    issue.pk,
                    IssueLine(
                        stop=f"{stop.position}. {stop.name}",
                        category=str(issue.get_category_display()),
                        severity=issue.severity,
                        severity_label=str(issue.get_severity_display()),
                        description=issue.description,
                        action=issue.action,
                        department=issue.department,
                    ),
                )
            )
    return [line for *_key, line in sorted(lines, key=lambda item: item[:3])]


# --- the route map ----------------------------------------------------------------------------


def route_map(walk: Walk, stops: list[Stop], language: str) -> dict[str, Any] | None:
    """The district's boundary with the numbered stops joined by the route (Vega-Lite); None
    if there is nothing to draw (no boundary and no stop with coordinates)."""
    with translation.override(language):
        located: list[dict[str, Any]] = [
            {
                "lon": s.longitude,
                "lat": s.latitude,
                "number": str(s.position),
                "order": i,
                "tooltip": f"{s.position}. {s.name}",
            }
            for i, s in enumerate(stops)
            if s.longitude is not None and s.latitude is not None
        ]
        layers = district_layers([walk.district], names=False)
        if not layers and not located:
            return None
        lonlat = {
            "longitude": {"field": "lon", "type": "quantitative"},
            "latitude": {"field": "lat", "type": "quantitative"},
        }
        if len(located) > 1:
            layers.append(
                {
                    "data": {"values": located},
                    "mark": {"type": "line", "color": charts.BRAND, "strokeWidth": 3},
                    "encoding": {**lonlat, "order": {"field": "order", "type": "quantitative"}},
                }
            )
        if located:
            layers.append(
                {
                    "data": {"values": located},
                    "mark": {
                        "type": "point",
                        "filled": True,
                        "fill": "#ffffff",
                        "stroke": charts.BRAND,
                        "strokeWidth": 2.5,
                        "size": 420,
                        "opacity": 1,
                    },
                    "encoding": {**lonlat, "tooltip": {"field": "tooltip", "type": "nominal"}},
                }
            )
            layers.append(
                {
                    "data": {"values": located},
                    "mark": {
                        "type": "text",
                        "color": charts.INK,
                        "fontSize": 12,
                        "fontWeight": "bold",
                    },
                    "encoding": {**lonlat, "text": {"field": "number"}},
                }
            )
        bounds = extent([walk.district], [(p["lon"], p["lat"]) for p in located])
        return charts._spec(
            language,
            _("Route of the walk"),
            height=map_height(bounds),
            projection={"type": "mercator"},
            layer=layers,
        )


# --- comparison with the first walk -------------------------------------------------------------


def _signed(value: float | None, language: str, decimals: int = 0) -> tuple[str, str]:
    if value is None:
        return charts.DASH, ""
    if abs(value) < 1e-9:
        return "±0", "same"
    text = charts.format_number(abs(value), decimals, language)
    return ("+" if value > 0 else "−") + text, "up" if value > 0 else "down"


def _cell(
    first: str, repeat: str, change: float | None, language: str, decimals: int = 0
) -> ChangeCell:
    text, direction = _signed(change, language, decimals)
    return ChangeCell(first, repeat, text, direction)


def _score_text(value: int | None) -> str:
    return charts.DASH if value is None else str(value)


def comparison_tables(pairs: list[StopComparison], language: str) -> list[ComparisonTable]:
    """Criteria (and mean score, feeling) × matched stops, COMPARISON_COLUMNS stops a table."""
    matched = [p for p in pairs if p.first is not None and p.repeat is not None]
    tables = []
    for start in range(0, len(matched), COMPARISON_COLUMNS):
        chunk = matched[start : start + COMPARISON_COLUMNS]
        rows = []
        for index, (_key, label) in enumerate(CHECKLIST):
            cells = [
                _cell(
                    _score_text(p.criteria[index].first),
                    _score_text(p.criteria[index].repeat),
                    p.criteria[index].change,
                    language,
                )
                for p in chunk
            ]
            rows.append(ComparisonRow(str(label), cells))
        rows.append(
            ComparisonRow(
                _("mean score"),
                [
                    _cell(
                        _mean_text(p.first_mean, language),
                        _mean_text(p.repeat_mean, language),
                        p.mean_change,
                        language,
                        1,
                    )
                    for p in chunk
                ],
                summary=True,
            )
        )
        rows.append(
            ComparisonRow(
                _("participants' feeling"),
                [
                    _cell(
                        feeling_label(p.first_feeling),
                        feeling_label(p.repeat_feeling),
                        p.feeling_change,
                        language,
                    )
                    for p in chunk
                ],
                summary=True,
            )
        )
        headers = [f"{p.repeat.position}. {p.repeat.name}" for p in chunk if p.repeat]
        tables.append(ComparisonTable(headers, rows))
    return tables


def _mean_text(value: float | None, language: str) -> str:
    return charts.DASH if value is None else format_score(value, language)


def walk_comparison(walk: Walk, language: str) -> WalkComparison | None:
    first = walk.repeat_of
    if first is None:
        return None
    pairs = compare_walks(first, walk)
    participants = ", ".join(
        f"{label}: {count}" for label, count in participant_lines(first.participants, language)
    )
    return WalkComparison(
        first_title=first.title,
        first_date=format_date(first.date, language),
        first_time_of_day=str(first.get_time_of_day_display()),
        first_participants=participants or charts.DASH,
        tables=comparison_tables(pairs, language),
        not_repeated=[
            f"{p.first.position}. {p.first.name}" for p in pairs if p.first and not p.repeat
        ],
        new_stops=[
            f"{p.repeat.position}. {p.repeat.name}" for p in pairs if p.repeat and not p.first
        ],
    )


# --- HTML and PDF -----------------------------------------------------------------------------


def report_context(report: WalkReport) -> dict[str, Any]:
    return {"report": report, "language": report.language}


def render_report_body(report: WalkReport) -> str:
    with translation.override(report.language):
        return render_to_string("walks/report_body.html", report_context(report))


def render_report_html(report: WalkReport) -> str:
    """The report as a complete HTML document (for the PDF and `-o report.html`)."""
    with translation.override(report.language):
        return render_to_string("walks/report_document.html", report_context(report))


def report_key(walk: Walk, language: str) -> str:
    """What the report prints, as a digest: the walk, its stops, photos and issues, the first
    walk of a repeat, the district's boundary, the language and the report's code."""
    language = check_language(language)
    walks = [walk.pk] + ([walk.repeat_of_id] if walk.repeat_of_id else [])
    inputs = {
        "code": code_version(),
        "walks": list(
            Walk.objects.filter(pk__in=walks)
            .order_by("pk")
            .values_list(
                "pk",
                "title",
                "date",
                "start_time",
                "time_of_day",
                "participants",
                "facilitators",
                "repeat_of",
                "status",
                "notes",
                "updated",
                "district__name",
                "district__boundary",
                "organisation__name",
            )
        ),
        "stops": list(
            Stop.objects.filter(walk__in=walks)
            .order_by("pk")
            .values_list(
                "pk",
                "walk",
                "position",
                "name",
                "latitude",
                "longitude",
                "checklist",
                "feeling",
                "notes",
                "recorded",
            )
        ),
        "photos": list(
            StopPhoto.objects.filter(stop__walk=walk.pk)
            .order_by("pk")
            .values_list("pk", "stop", "image", "caption")
        ),
        "issues": list(
            Stop.objects.filter(walk=walk.pk)
            .order_by("issues__pk")
            .values_list(
                "issues__pk",
                "issues__category",
                "issues__severity",
                "issues__description",
                "issues__action",
                "issues__department",
                "pk",
            )
        ),
    }
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()
    return f"{walk.pk}-{digest[:16]}-{language}"


@functools.cache
def code_version() -> str:
    """A digest of the report's code and templates, read once per process."""
    return source_digest(Path(__file__).resolve().parent, REPORT_SOURCES)


def report_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "walk-reports"


def report_pdf_path(walk: Walk, language: str) -> Path:
    return report_dir() / f"walk-{report_key(walk, language)}.pdf"


def report_pdf(walk: Walk, language: str) -> Path:
    """The report PDF, made once and reused until what it prints changes; older PDFs of the
    walk in the same language are removed."""
    language = check_language(language)
    path = report_pdf_path(walk, language)
    if path.is_file():
        return path
    pdf = html_to_pdf(render_report_html(build_walk_report(walk, language, document=True)))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(pdf)
    os.replace(temporary, path)
    for old in path.parent.glob(f"walk-{walk.pk}-*-{language}.pdf"):
        if old != path:
            old.unlink(missing_ok=True)
    return path
