"""The demo's qualitative part and strategic cycle for Musterstadt (content in cycle.yaml).

After the survey waves exist, `build_cycle` adds, once: a recorded night walk through the
Bahnhofsviertel with checklists, photos and issues, its planned repeat by day with older
people, a workshop with findings, recorded crime, findings, and two priorities with measures
whose baseline is the 2024 wave – so the evaluation shows baseline → now (2026) with
confidence intervals. Everything goes through the same services as the web pages; photos are
drawn here (no picture of real people or places) and stored as every upload is, without
metadata.
"""

from __future__ import annotations

import datetime
import io
import math
import uuid
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from defus.analysis.results import AnalysisError
from defus.analysis.weighting import WeightingError
from defus.fieldwork.models import District, Place, Wave
from defus.organisations.models import Organisation
from defus.strategy import services as strategy_services
from defus.strategy.models import CrimeFigure, Finding, Measure, Priority
from defus.walks.models import CHECKLIST_KEYS, Stop, Walk
from defus.walks.services import planning, recording, workshops
from defus.walks.services.photos import store_photo

from .geometry import contains

CYCLE_FILE = Path(__file__).resolve().parent / "cycle.yaml"


@cache
def cycle_data() -> dict[str, Any]:
    with CYCLE_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def build_cycle(current: Wave, baseline: Wave, today: datetime.date) -> bool:
    """Adds the walks, workshop, findings, priorities and measures unless the organisation
    has walks already; True when it added them."""
    data = cycle_data()
    organisation = Organisation.objects.get(pk=current.organisation_id)
    if Walk.objects.filter(organisation=organisation).exists():
        return False
    district = District.objects.get(wave=current, code=data["district"])
    places = {p.code: p for p in current.places.all()}
    walks: dict[str, Walk] = {}
    for spec in data["walks"]:
        walks[spec["key"]] = _walk(organisation, district, places, spec, walks, today)
    workshop = _workshop(organisation, current, district, places, data["workshop"], today)
    _crime(organisation, data["crime"])
    findings = _findings(organisation, current, walks["night"], workshop)
    baseline_places = {p.code: p for p in baseline.places.all()}
    for position, spec in enumerate(data["priorities"], start=1):
        _priority(organisation, baseline, baseline_places, spec, position, findings, today)
    return True


def delete_cycle(organisation: Organisation) -> None:
    """Removes what build_cycle added (before the demo waves are built again)."""
    Priority.objects.filter(organisation=organisation).delete()
    Finding.objects.filter(organisation=organisation).delete()
    CrimeFigure.objects.filter(organisation=organisation).delete()
    for workshop in organisation.workshops.all():
        workshops.delete_workshop(workshop)
    for walk in Walk.objects.filter(organisation=organisation):
        for stop in walk.stops.all():
            for photo in stop.photos.all():
                photo.image.delete(save=False)
        walk.delete()


# --- walks -------------------------------------------------------------------------------------


def _walk(
    organisation: Organisation,
    district: District,
    places: dict[str, Place],
    spec: dict[str, Any],
    earlier: dict[str, Walk],
    today: datetime.date,
) -> Walk:
    day = today + datetime.timedelta(days=spec.get("days_ahead", 0) - spec.get("days_ago", 0))
    hour, minute = (int(part) for part in spec["start"].split(":"))
    walk = planning.create_walk(
        organisation,
        planning.WalkFacts(
            title=spec["title"],
            district=district,
            date=day,
            time_of_day=spec["time_of_day"],
            start_time=datetime.time(hour, minute),
            participants=dict(spec["participants"]),
            facilitators=spec["facilitators"],
            repeat_of=earlier.get(spec.get("repeat_of", "")),
            notes=spec.get("notes", ""),
        ),
    )
    for stop_spec in spec.get("stops", []):
        place = places.get(stop_spec.get("place", ""))
        latitude, longitude = _location(district, places, stop_spec)
        stop, _warning = planning.add_stop(walk, stop_spec["name"], latitude, longitude, place)
        _record(walk, stop, stop_spec)
    if spec.get("stops"):
        recording.finish_walk(walk)
    return walk


def _location(
    district: District, places: dict[str, Place], spec: dict[str, Any]
) -> tuple[float | None, float | None]:
    place = places.get(spec.get("place") or spec.get("near", ""))
    if place is None or place.latitude is None or place.longitude is None:
        return None, None
    box = planning.bounding_box(district)
    dx, dy = spec.get("offset", (0.0, 0.0))
    if box is None or (dx == 0 and dy == 0):
        return place.latitude, place.longitude
    west, south, east, north = box
    longitude = round(place.longitude + dx * (east - west), 5)
    latitude = round(place.latitude + dy * (north - south), 5)
    if district.boundary and contains(district.boundary, (longitude, latitude)):
        return latitude, longitude
    return place.latitude, place.longitude


def _record(walk: Walk, stop: Stop, spec: dict[str, Any]) -> None:
    checklist = {key: spec["checklist"].get(key) for key in CHECKLIST_KEYS}
    issues = [
        recording.IssueInput(
            client_key=uuid.uuid4(),
            category=issue["category"],
            severity=int(issue["severity"]),
            description=issue.get("description", ""),
            action=issue.get("action", ""),
            department=issue.get("department", ""),
        )
        for issue in spec.get("issues", [])
    ]
    recording.record_stop(
        walk,
        recording.StopInput(
            client_key=uuid.uuid4(),
            stop_id=stop.pk,
            name=stop.name,
            latitude=stop.latitude,
            longitude=stop.longitude,
            checklist=checklist,
            feeling=spec.get("feeling"),
            notes=spec.get("notes", ""),
            issues=issues,
        ),
    )
    if spec.get("photo"):
        upload = SimpleUploadedFile("foto.jpg", _drawn_photo(spec["photo"]), "image/jpeg")
        store_photo(stop, upload, uuid.uuid4(), caption=stop.name)


def _drawn_photo(scene: str) -> bytes:
    """A simple drawing of a place after dark (the demo has no real photos)."""
    width, height = 960, 640
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):  # night sky fading into the street
        shade = int(18 + 40 * y / height)
        draw.line([(0, y), (width, y)], fill=(shade // 2, shade // 2, shade))
    if scene == "underpass":
        draw.polygon([(0, 640), (300, 220), (660, 220), (960, 640)], fill=(58, 58, 62))
        draw.rectangle([300, 160, 660, 220], fill=(40, 40, 44))
        draw.rectangle([380, 240, 580, 420], fill=(8, 8, 10))  # the dark far end
        for index, x in enumerate((330, 420, 540, 630)):
            lit = index != 2  # one lamp is out
            colour = (255, 236, 170) if lit else (70, 70, 70)
            draw.ellipse([x - 12, 170, x + 12, 190], fill=colour)
        for x, y in ((120, 520), (800, 500), (220, 450)):  # scrawls on the walls
            draw.arc([x, y, x + 90, y + 50], 200, 340, fill=(150, 60, 160), width=6)
    else:
        draw.rectangle([0, 430, width, height], fill=(70, 70, 74))  # the square
        draw.rectangle([80, 140, 880, 430], fill=(52, 48, 44))  # station building
        for x in range(120, 860, 90):
            draw.rectangle([x, 200, x + 50, 300], fill=(230, 205, 130))  # lit windows
        for x in (60, 900):  # lamp posts with their cones of light
            draw.line([(x, 430), (x, 250)], fill=(30, 30, 30), width=8)
            draw.polygon([(x, 255), (x - 90, 470), (x + 90, 470)], fill=(120, 110, 80))
            draw.ellipse([x - 14, 240, x + 14, 268], fill=(255, 240, 190))
        for index in range(7):  # people on the square
            x = 200 + index * 85 + int(20 * math.sin(index))
            draw.ellipse([x, 445, x + 24, 469], fill=(20, 20, 24))
            draw.rectangle([x + 2, 469, x + 22, 530], fill=(20, 20, 24))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


# --- workshop, crime, findings -----------------------------------------------------------------


def _workshop(
    organisation: Organisation,
    wave: Wave,
    district: District,
    places: dict[str, Place],
    spec: dict[str, Any],
    today: datetime.date,
) -> Any:
    workshop = workshops.save_workshop(
        organisation,
        workshops.WorkshopData(
            title=spec["title"],
            topic=spec["topic"],
            date=today - datetime.timedelta(days=spec["days_ago"]),
            wave=wave,
            district=district,
            participants=dict(spec["participants"]),
            agenda=spec["agenda"],
        ),
    )
    for finding in spec["findings"]:
        workshops.save_finding(
            workshop,
            finding["text"],
            place=places.get(finding.get("place", "")),
            group=finding.get("group", ""),
            module=finding.get("module", ""),
        )
    return workshop


def _crime(organisation: Organisation, rows: list[dict[str, Any]]) -> None:
    CrimeFigure.objects.bulk_create(
        CrimeFigure(
            organisation=organisation,
            year=row["year"],
            district=row["district"],
            category=row["category"],
            count=row["count"],
        )
        for row in rows
    )


def _findings(
    organisation: Organisation, wave: Wave, walk: Walk, workshop: Any
) -> dict[str, list[Finding]]:
    """The findings each priority rests on, by the priority's key."""
    underpass_stop = walk.stops.get(place__code="UNT")
    square_stop = walk.stops.get(place__code="HBF")
    crime = CrimeFigure.objects.filter(organisation=organisation, district="02").order_by("-year")
    latest_crime = crime.first()

    def add(source: str, text: str, **links: Any) -> Finding:
        return Finding.objects.create(organisation=organisation, source=source, text=text, **links)

    language = "de"
    survey = []
    for indicator in ("SAFE_NIGHT_AREA", "AVOIDANCE"):
        figure = next(
            f for f in strategy_services.wave_figures(wave, language) if f.code == indicator
        )
        by, group = ("district", "02") if indicator == "SAFE_NIGHT_AREA" else ("gender", "female")
        try:
            text = strategy_services.survey_finding_text(wave, figure, by, group, language)
        except (AnalysisError, WeightingError):  # a wave without enough answers
            text = figure.label
        survey.append(add(Finding.Source.SURVEY, text, wave=wave))
    underpass = add(
        Finding.Source.WALK,
        strategy_services.stop_finding_text(underpass_stop),
        walk=walk,
        stop=underpass_stop,
    )
    square = add(
        Finding.Source.WALK,
        strategy_services.stop_finding_text(square_stop),
        walk=walk,
        stop=square_stop,
    )
    workshop_finding = workshop.findings.first()
    older = add(
        Finding.Source.WORKSHOP,
        strategy_services.workshop_finding_text(workshop_finding),
        workshop=workshop,
        workshop_finding=workshop_finding,
    )
    crime_finding = (
        [add(Finding.Source.CRIME, strategy_services.crime_finding_text(latest_crime))]
        if latest_crime
        else []
    )
    return {
        "underpass": [survey[0], underpass, older, *crime_finding],
        "station_women": [survey[1], square],
    }


# --- priorities and measures -------------------------------------------------------------------


def _priority(
    organisation: Organisation,
    baseline: Wave,
    places: dict[str, Place],
    spec: dict[str, Any],
    position: int,
    findings: dict[str, list[Finding]],
    today: datetime.date,
) -> Priority:
    figure = next(
        f for f in strategy_services.wave_figures(baseline, "de") if f.code == spec["indicator"]
    )
    share = list(figure.share or [])
    row = strategy_services.figure_estimate(
        baseline, figure.item, share or None, spec["group_by"], spec["group"], "de"
    )
    start = row.estimate * 100 if share and row.estimate is not None else 50.0
    priority = Priority.objects.create(
        organisation=organisation,
        problem=spec["problem"],
        place=places.get(spec.get("place", "")),
        group_by=spec["group_by"],
        group=spec["group"],
        baseline_wave=baseline,
        item=figure.item,
        share=share,
        indicator_label=figure.label,
        target=float(round(min(max(start + spec["target_change"], 0.0), 100.0))),
        position=position,
    )
    priority.findings.set(findings.get(spec["key"], []))
    for measure in spec["measures"]:

        def day(offset: int | None) -> datetime.date | None:
            return None if offset is None else today + datetime.timedelta(days=offset)

        Measure.objects.create(
            priority=priority,
            title=measure["title"],
            description=measure.get("description", ""),
            where=measure.get("where", ""),
            department=measure["department"],
            partners=measure.get("partners", ""),
            budget=Decimal(measure["budget"]) if measure.get("budget") is not None else None,
            start=day(measure.get("start_days")),
            end=day(measure.get("end_days")),
            status=measure["status"],
        )
    return priority
