"""Planning a neighbourhood walk: its facts, its route of ordered stops, the district map the
route is drawn on, and stops suggested from the places the survey's respondents named.

Coordinates are WGS 84 degrees. The map is a plain linear projection of the district's
bounding box (longitude scaled by the cosine of the middle latitude, so a square block looks
square); `MapView.projection` gives its constants, so the page's script can turn a click
back into latitude and longitude with the same formula.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from defus.fieldwork.models import District, Place
from defus.organisations.models import Organisation

from ..models import PARTICIPANT_GROUPS, Stop, Walk

PARTICIPANT_KEYS = tuple(key for key, _label in PARTICIPANT_GROUPS)
MAX_PARTICIPANTS = 1000  # per group; more is a typing error, not a walk
MAX_STOPS = 60
# A point further from the district's bounding box than this share of its size (or than
# FAR_MIN_DEGREES) is "far outside": stored, but the planner is warned.
FAR_SHARE = 0.5
FAR_MIN_DEGREES = 0.01
MAP_WIDTH = 640


class WalkError(Exception):
    """A request the rules refuse; `message` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- coordinates -------------------------------------------------------------------------------


def parse_coordinate(value: Any, kind: str) -> float:
    """A latitude (kind "latitude") or longitude from text; "52,51" (decimal comma) is read
    too. Raises WalkError with a message naming the field."""
    text = str(value if value is not None else "").strip().replace("\u2212", "-")
    if re.fullmatch(r"[-+]?\d+,\d+", text):
        text = text.replace(",", ".")
    label = _("Latitude") if kind == "latitude" else _("Longitude")
    if not text:
        raise WalkError(_("%(field)s is missing.") % {"field": label})
    try:
        number = float(text)
    except ValueError:
        raise WalkError(
            _("%(field)s must be a number in degrees, e.g. 52.5163 (not “%(value)s”).")
            % {"field": label, "value": text[:40]}
        ) from None
    limit = 90.0 if kind == "latitude" else 180.0
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise WalkError(
            _("%(field)s must lie between -%(limit)d and %(limit)d degrees.")
            % {"field": label, "limit": int(limit)}
        )
    return number


def _rings(geometry: Any) -> list[list[list[float]]]:
    """The outer rings of a GeoJSON Polygon, MultiPolygon or Feature (others: none)."""
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict):
        return []
    coordinates = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        polygons = [coordinates]
    elif geometry.get("type") == "MultiPolygon":
        polygons = coordinates
    else:
        return []
    rings = []
    for polygon in polygons:
        for ring in polygon or []:
            points = [
                [float(p[0]), float(p[1])]
                for p in ring
                if isinstance(p, list | tuple) and len(p) >= 2
            ]
            if len(points) >= 3:
                rings.append(points)
    return rings


def bounding_box(district: District) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the district's boundary; None without a boundary."""
    try:
        points = [p for ring in _rings(district.boundary) for p in ring]
    except (TypeError, ValueError):
        return None
    if not points:
        return None
    longitudes = [p[0] for p in points]
    latitudes = [p[1] for p in points]
    return min(longitudes), min(latitudes), max(longitudes), max(latitudes)


def location_warning(district: District, latitude: float, longitude: float) -> str | None:
    """A warning when the point lies far outside the district (a typing error, or lat/lon
    swapped); None when it is near or inside, or the district has no boundary."""
    box = bounding_box(district)
    if box is None:
        return None
    west, south, east, north = box
    margin_x = max((east - west) * FAR_SHARE, FAR_MIN_DEGREES)
    margin_y = max((north - south) * FAR_SHARE, FAR_MIN_DEGREES)
    if west - margin_x <= longitude <= east + margin_x and (
        south - margin_y <= latitude <= north + margin_y
    ):
        return None
    hint = ""
    if west <= latitude <= east and south <= longitude <= north:
        hint = " " + _("Latitude and longitude may be swapped.")
    return (
        _(
            "The point %(latitude).5f, %(longitude).5f lies far outside the district "
            "%(district)s. Please check the coordinates."
        )
        % {"latitude": latitude, "longitude": longitude, "district": district.name}
        + hint
    )


# --- the map -----------------------------------------------------------------------------------


@dataclass
class MapPoint:
    x: float
    y: float
    label: str
    number: int | None = None


@dataclass
class MapView:
    width: int
    height: int
    outline: str  # SVG path data of the boundary
    projection: dict[str, float]  # west, north, scale_x, scale_y (pixels per degree)
    stops: list[MapPoint] = field(default_factory=list)
    places: list[MapPoint] = field(default_factory=list)
    route: str = ""  # SVG points of the line through the stops, in order

    def project(self, latitude: float, longitude: float) -> tuple[float, float]:
        p = self.projection
        return (
            round((longitude - p["west"]) * p["scale_x"], 1),
            round((p["north"] - latitude) * p["scale_y"], 1),
        )


def district_map(
    district: District,
    stops: list[Stop] | None = None,
    places: list[Place] | None = None,
    width: int = MAP_WIDTH,
) -> MapView | None:
    """The district's boundary as SVG with the stops and places on it; None without a
    usable boundary."""
    box = bounding_box(district)
    if box is None:
        return None
    west, south, east, north = box
    # A margin of 5 % keeps stops on the edge visible.
    pad_x = max((east - west) * 0.05, 1e-4)
    pad_y = max((north - south) * 0.05, 1e-4)
    west, east, south, north = west - pad_x, east + pad_x, south - pad_y, north + pad_y
    aspect = math.cos(math.radians((north + south) / 2))
    scale_x = width / (east - west)
    scale_y = scale_x / max(aspect, 0.05)
    height = max(round((north - south) * scale_y), 120)
    view = MapView(
        width=width,
        height=height,
        outline="",
        projection={"west": west, "north": north, "scale_x": scale_x, "scale_y": scale_y},
    )
    parts = []
    for ring in _rings(district.boundary):
        points = [view.project(lat, lon) for lon, lat in ring]
        parts.append("M" + " L".join(f"{x},{y}" for x, y in points) + " Z")
    view.outline = " ".join(parts)
    route = []
    for number, stop in enumerate(stops or [], start=1):
        if stop.latitude is None or stop.longitude is None:
            continue
        x, y = view.project(stop.latitude, stop.longitude)
        view.stops.append(MapPoint(x, y, stop.name, number))
        route.append(f"{x},{y}")
    view.route = " ".join(route) if len(route) > 1 else ""
    for place in places or []:
        if place.latitude is None or place.longitude is None:
            continue
        x, y = view.project(place.latitude, place.longitude)
        view.places.append(MapPoint(x, y, place.name))
    return view


# --- the walk ----------------------------------------------------------------------------------


def districts_for(organisation: Organisation) -> Any:
    """The districts a walk of this organisation may go to (those of its waves)."""
    return (
        District.objects.filter(wave__organisation=organisation)
        .select_related("wave")
        .order_by("-wave__field_start", "wave__pk", "answer_code")
    )


def clean_participants(values: dict[str, Any]) -> dict[str, int]:
    """Counts by participant group (groups with 0 left out). Raises WalkError."""
    counts = {}
    labels = dict(PARTICIPANT_GROUPS)
    for key, value in values.items():
        if key not in labels:
            raise WalkError(_("Unknown participant group “%(group)s”.") % {"group": key})
        if value in (None, ""):
            continue
        try:
            count = int(str(value).strip())
        except ValueError:
            raise WalkError(
                _("%(group)s: the number of participants must be a whole number.")
                % {"group": labels[key]}
            ) from None
        if not 0 <= count <= MAX_PARTICIPANTS:
            raise WalkError(
                _("%(group)s: the number of participants must lie between 0 and %(max)d.")
                % {"group": labels[key], "max": MAX_PARTICIPANTS}
            )
        if count:
            counts[key] = count
    return counts


@dataclass
class WalkFacts:
    title: str
    district: District
    date: datetime.date
    time_of_day: str = Walk.TimeOfDay.DAY
    start_time: datetime.time | None = None
    participants: dict[str, int] = field(default_factory=dict)
    facilitators: str = ""
    repeat_of: Walk | None = None
    notes: str = ""


def _check_facts(organisation: Organisation, facts: WalkFacts, walk: Walk | None) -> None:
    if facts.district.wave.organisation_id != organisation.pk:
        raise WalkError(_("The district belongs to another organisation."))
    if facts.repeat_of is not None:
        if facts.repeat_of.organisation_id != organisation.pk:
            raise WalkError(_("The walk to repeat belongs to another organisation."))
        if walk is not None and facts.repeat_of.pk == walk.pk:
            raise WalkError(_("A walk cannot repeat itself."))
    if facts.time_of_day not in Walk.TimeOfDay.values:
        raise WalkError(_("Unknown time of day."))


def create_walk(organisation: Organisation, facts: WalkFacts) -> Walk:
    """A planned walk. A repeat of another walk starts with a copy of that walk's route."""
    _check_facts(organisation, facts, None)
    with transaction.atomic():
        walk = Walk.objects.create(
            organisation=organisation,
            district=facts.district,
            title=facts.title,
            date=facts.date,
            start_time=facts.start_time,
            time_of_day=facts.time_of_day,
            participants=facts.participants,
            facilitators=facts.facilitators,
            repeat_of=facts.repeat_of,
            notes=facts.notes,
        )
        if facts.repeat_of is not None:
            for position, stop in enumerate(facts.repeat_of.stops.all(), start=1):
                Stop.objects.create(
                    walk=walk,
                    position=position,
                    name=stop.name,
                    latitude=stop.latitude,
                    longitude=stop.longitude,
                    place=stop.place,
                )
    return walk


def update_walk(walk: Walk, facts: WalkFacts) -> Walk:
    _check_facts(walk.organisation, facts, walk)
    for name in (
        "title",
        "district",
        "date",
        "start_time",
        "time_of_day",
        "participants",
        "facilitators",
        "repeat_of",
        "notes",
    ):
        setattr(walk, name, getattr(facts, name))
    walk.save()
    return walk


# --- the route ---------------------------------------------------------------------------------


def next_position(walk: Walk) -> int:
    return (walk.stops.aggregate(last=Max("position"))["last"] or 0) + 1


def add_stop(
    walk: Walk,
    name: str,
    latitude: float | None,
    longitude: float | None,
    place: Place | None = None,
) -> tuple[Stop, str | None]:
    """A stop at the end of the route, and a warning if it lies far outside the district."""
    name = name.strip()
    if not name:
        name = place.name if place else _("Stop %(number)d") % {"number": next_position(walk)}
    if walk.stops.count() >= MAX_STOPS:
        raise WalkError(_("A route can have at most %(max)d stops.") % {"max": MAX_STOPS})
    stop = Stop.objects.create(
        walk=walk,
        position=next_position(walk),
        name=name[:200],
        latitude=latitude,
        longitude=longitude,
        place=place,
    )
    warning = None
    if latitude is not None and longitude is not None:
        warning = location_warning(walk.district, latitude, longitude)
    return stop, warning


def renumber(walk: Walk) -> None:
    """Positions 1, 2, 3 … in the current order (after a move or a removal)."""
    for position, stop in enumerate(walk.stops.order_by("position", "pk"), start=1):
        if stop.position != position:
            Stop.objects.filter(pk=stop.pk).update(position=position)


def move_stop(stop: Stop, direction: str) -> None:
    """Swap the stop with its neighbour before ("up") or after ("down")."""
    with transaction.atomic():
        renumber(stop.walk)
        stops = list(stop.walk.stops.order_by("position", "pk"))
        index = next(i for i, s in enumerate(stops) if s.pk == stop.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(stops):
            return
        stops[index], stops[other] = stops[other], stops[index]
        for position, each in enumerate(stops, start=1):
            Stop.objects.filter(pk=each.pk).update(position=position)


def remove_stop(stop: Stop) -> None:
    """Remove a stop of the route. A stop with recorded observations stays (nothing lost)."""
    if stop.recorded is not None or stop.photos.exists() or stop.issues.exists():
        raise WalkError(
            _("Stop “%(name)s” has recorded observations and cannot be removed.")
            % {"name": stop.name}
        )
    walk = stop.walk
    with transaction.atomic():
        stop.delete()
        renumber(walk)


def route_problems(walk: Walk) -> list[str]:
    """Why the route is not ready for recording (empty: it is)."""
    if not walk.stops.exists():
        return [
            _(
                "The route has no stops yet. Add at least one stop on the district map or by "
                "its coordinates before the walk can be recorded."
            )
        ]
    return []


# --- suggested stops ---------------------------------------------------------------------------


@dataclass
class Suggestion:
    place: Place
    share: float | None = None  # weighted share of respondents naming it
    mentions: int | None = None
    planned: bool = False  # already a stop of the route


@dataclass
class Suggestions:
    places: list[Suggestion]
    ranked: bool  # False: the district's places in alphabetical order (no usable answers)
    note: str = ""


def suggest_stops(walk: Walk) -> Suggestions:
    """The district's places the survey's respondents named most often as places they avoid,
    ranked by weighted share (places below the minimum count are left out, so that a handful
    of answers cannot be traced). Without usable answers, the district's places unranked."""
    from defus.analysis.margins import wave_design
    from defus.analysis.results import unsafe_places

    district = walk.district
    places = list(district.wave.places.all())
    with_coordinates = {
        p.code: p
        for p in places
        if p.district_id == district.pk and p.latitude is not None and p.longitude is not None
    }
    planned = set(walk.stops.exclude(place=None).values_list("place_id", flat=True))
    try:
        ranked, _uncoded = unsafe_places(wave_design(district.wave), places)
    except (ValueError, ArithmeticError, LookupError):  # no answers, weighting fails, …
        ranked = None
    if ranked is not None:
        out = [
            Suggestion(
                with_coordinates[p.code],
                p.share,
                p.mentions,
                with_coordinates[p.code].pk in planned,
            )
            for p in ranked
            if not p.suppressed and p.code in with_coordinates and p.mentions
        ]
        if out:
            return Suggestions(out, ranked=True)
        note = _(
            "No place of this district was named often enough in the survey to rank it; "
            "here are the district's places in alphabetical order."
        )
    else:
        note = _(
            "The survey's answers cannot be used for this wave yet (no answers or no "
            "weighting); here are the district's places in alphabetical order, without ranking."
        )
    unranked = sorted(with_coordinates.values(), key=lambda p: p.name.casefold())
    return Suggestions([Suggestion(p, planned=p.pk in planned) for p in unranked], False, note)
