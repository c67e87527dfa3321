"""The unsafe-places map of a wave: survey places, walk stops and issues on one map.

Three layers, each switchable:

- survey places: the weighted share of residents naming each named place in the open answer
  on places they avoid (results.unsafe_places; for a group of residents the same estimate
  restricted to that group, `place_shares`). Disclosure control as everywhere: a place named
  by fewer than the minimum of respondents (results.minimum_cell) is shown without any figure,
  and in a breakdown a second group is hidden where one hidden group could be worked out from
  the total (disclosure.suppress). A place sits at its own coordinates, or else at the centre
  of its district; one with neither is listed in the table only.
- walk stops of the walks in the wave's districts, coloured by their mean checklist score;
- issues found at those stops (one marker per stop with issues; the table lists each issue).

The map is a Vega-Lite specification built with analysis/charts.py's conventions (language,
colours, number formats), with the district boundaries as its base: no tile server is needed.
Where a city has one, `DEFUS_MAP_TILE_URL` (e.g. "https://tile.example/{z}/{x}/{y}.png") draws
raster tiles under the layers, with `DEFUS_MAP_TILE_ATTRIBUTION` printed under the map. We
chose Vega-Lite image marks placed with the map's own mercator projection over a second map
library (Leaflet, MapLibre): one specification serves the page, the PNG and the PDF, the same
projection places tiles and points, and the page keeps a single drawing path (vega-embed).
The zoom is the largest at which the map's extent spans at most the chart's width in tiles
(at most MAX_TILES tiles); the projection is fitted to the data, not to the tiles, and the
tiles are clipped to the chart. Tiles are loaded by the browser only; reports rendered on the
server (vl-convert, WeasyPrint) do not fetch them.

The same points go into the table beside the map (every point, for screen readers and exact
values) and into the GeoJSON export (`geojson`), which never carries a hidden share.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from defus.analysis import charts
from defus.analysis.disclosure import suppress
from defus.analysis.estimation import Z_95, count_table, domain_means
from defus.analysis.formatting import format_decimal, format_number, format_share
from defus.analysis.margins import WaveDesign, wave_design
from defus.analysis.report import PLACE_DECIMALS, PLACES_ITEM
from defus.analysis.results import (
    AnalysisError,
    Estimate,
    PlaceShare,
    _fold,
    groups_for,
    minimum_cell,
    place_patterns,
    unsafe_places,
)
from defus.analysis.weighting import WeightingError
from defus.fieldwork.models import AGE_GROUPS, District, Place, Wave

from .comparison import mean_score
from .models import Stop

LAYERS = ("places", "stops", "issues")
BREAKDOWNS = ("gender", "age_group")
MAX_TILES = 48
TILE_SIZE = 256
HEIGHT = charts.WIDTH * 3 // 4

PLACE_COLOUR = "#c2410c"  # dark orange: ≥ 3:1 against white and the grey districts
ISSUE_COLOUR = charts.INK
DISTRICT_FILL = "#eef1f5"
STOP_SCHEME = {"name": "redblue", "extent": [0.1, 0.9]}  # 0 poor (red) … 3 good (blue)


def layer_labels() -> dict[str, str]:
    return {
        "places": _("Places named in the survey"),
        "stops": _("Stops of neighbourhood walks"),
        "issues": _("Issues found on walks"),
    }


def group_choices(language: str) -> list[tuple[str, str]]:
    """The groups of residents the survey layer can be shown for: ("", all) and by:value."""
    with translation.override(language):
        genders = {"female": _("women"), "male": _("men")}
        out = [("", _("all residents"))]
        out += [(f"gender:{key}", label) for key, label in genders.items()]
        out += [
            (f"age_group:{group}", _("aged %(group)s") % {"group": group}) for group in AGE_GROUPS
        ]
        return out


# --- survey places ------------------------------------------------------------------------------


def place_shares(
    design: WaveDesign,
    places: Sequence[Place],
    *,
    by: str | None = None,
    group: str | None = None,
    language: str = "de",
) -> list[PlaceShare]:
    """Share of the residents (of one group, with `by` and `group`) naming each place, ranked
    as results.unsafe_places ranks them. A group's share is hidden if fewer than the minimum
    of the group named the place, and as second suppression as disclosure.py says."""
    if by is None:
        return unsafe_places(design, places, item=PLACES_ITEM)[0]
    groups = groups_for(design, by, language)
    if group not in groups.values:
        raise AnalysisError(_("Unknown group: %(group)s") % {"group": group})
    position = groups.values.index(group)
    texts = design.data.texts.get(PLACES_ITEM)
    if texts is None:
        return []
    written = [(row, _fold(texts[i])) for row, i in enumerate(design.rows) if texts[i]]
    minimum = minimum_cell()
    out = []
    for place, pattern in place_patterns(places):
        hit = np.zeros(len(design.rows), dtype=bool)
        hit[[row for row, text in written if pattern.search(text)]] = True
        count = count_table(design.design, groups.index, groups.count, hit.astype(np.int64), 2)
        result = domain_means(design.design, count, np.array([0.0, 1.0]))
        inside = groups.index >= 0
        mentions = np.bincount(groups.index[hit & inside], minlength=groups.count)
        # n is the number naming the place: that is what the minimum applies to here.
        rows = [
            Estimate(
                item=place.code,
                statistic="share",
                codes=[1],
                by=by,
                group=value,
                n=int(mentions[g]),
                estimate=float(result.estimate[g]),
                se=float(result.se[g]),
                ci_low=float(result.estimate[g] - Z_95 * result.se[g]),
                ci_high=float(result.estimate[g] + Z_95 * result.se[g]),
            )
            for g, value in enumerate(groups.values)
        ]
        row = suppress(rows, minimum)[position]
        out.append(
            PlaceShare(
                place.code,
                place.name,
                0 if row.suppressed else row.n,
                None if row.suppressed else row.estimate,
                None if row.suppressed else row.se,
                row.suppressed,
            )
        )
    out.sort(key=lambda p: (p.suppressed, -(p.share or 0.0), p.name))
    return out


# --- the points -----------------------------------------------------------------------------


@dataclass
class MapPoint:
    layer: str  # "place", "stop" or "issue"
    name: str
    longitude: float | None
    latitude: float | None
    located: str = "coordinates"  # or "district" (its district's centre), "" (not on the map)
    district: str = ""
    code: str = ""
    # survey places
    share: float | None = None
    mentions: int | None = None
    suppressed: bool = False
    # stops and issues
    walk: str = ""
    walk_id: int | None = None
    date: str = ""
    time_of_day: str = ""
    position: int | None = None
    score: float | None = None
    feeling: int | None = None
    issues: int = 0
    category: str = ""
    severity: int | None = None
    severity_label: str = ""
    description: str = ""
    action: str = ""
    department: str = ""
    texts: dict[str, str] = field(default_factory=dict)  # the figures as printed

    @property
    def on_map(self) -> bool:
        return self.longitude is not None and self.latitude is not None


@dataclass
class PlacesMap:
    wave: Wave
    language: str
    layers: tuple[str, ...]
    group: str
    group_label: str
    districts: list[District]
    places: list[MapPoint]
    stops: list[MapPoint]
    issues: list[MapPoint]
    problem: str = ""  # why the survey layer is empty (no answers, cannot be weighted)
    minimum: int = 5
    tile_url: str | None = None
    tile_attribution: str = ""

    def points(self) -> list[MapPoint]:
        return [
            *(self.places if "places" in self.layers else []),
            *(self.stops if "stops" in self.layers else []),
            *(self.issues if "issues" in self.layers else []),
        ]

    @property
    def any_suppressed(self) -> bool:
        return any(p.suppressed for p in self.places)

    def spec(self) -> dict[str, Any]:
        return map_spec(self)

    def geojson(self) -> dict[str, Any]:
        return map_geojson(self)


def parse_group(value: str) -> tuple[str | None, str | None]:
    by, _sep, group = (value or "").partition(":")
    if by in BREAKDOWNS and group:
        return by, group
    return None, None


def build_map(
    wave: Wave,
    language: str,
    *,
    layers: Iterable[str] = LAYERS,
    group: str = "",
) -> PlacesMap:
    """The map of a wave in `language`; unknown layers and groups are ignored."""
    chosen = tuple(layer for layer in LAYERS if layer in set(layers))
    choices = dict(group_choices(language))
    if group not in choices:
        group = ""
    with translation.override(language):
        districts = list(wave.districts.all())
        centres = {d.pk: charts._centroid(d.boundary) for d in districts if d.boundary}
        problem = ""
        places: list[MapPoint] = []
        try:
            places = survey_points(wave, language, group, centres)
        except (WeightingError, AnalysisError) as error:
            problem = str(error)
        stops, issues = walk_points(wave, language)
        return PlacesMap(
            wave=wave,
            language=language,
            layers=chosen,
            group=group,
            group_label=choices[group],
            districts=districts,
            places=places,
            stops=stops,
            issues=issues,
            problem=problem,
            minimum=minimum_cell(),
            tile_url=getattr(settings, "DEFUS_MAP_TILE_URL", None),
            tile_attribution=getattr(settings, "DEFUS_MAP_TILE_ATTRIBUTION", "") or "",
        )


def survey_points(
    wave: Wave,
    language: str,
    group: str,
    centres: Mapping[int, tuple[float, float] | None],
) -> list[MapPoint]:
    places = list(wave.places.select_related("district"))
    if not places or PLACES_ITEM not in wave.instrument.item_index:
        return []
    if not wave.responses.exists():
        raise AnalysisError(_("There are no answers in this wave yet."))
    by, value = parse_group(group)
    shares = place_shares(wave_design(wave), places, by=by, group=value, language=language)
    by_code = {p.code: p for p in places}
    out = []
    for share in shares:
        place = by_code[share.code]
        longitude, latitude, located = place.longitude, place.latitude, "coordinates"
        if longitude is None or latitude is None:
            centre = centres.get(place.district_id) if place.district_id else None
            longitude, latitude = centre if centre else (None, None)
            located = "district" if centre else ""
        point = MapPoint(
            layer="place",
            name=place.name,
            code=place.code,
            longitude=longitude,
            latitude=latitude,
            located=located,
            district=place.district.name if place.district else "",
            share=None if share.suppressed else share.share,
            mentions=None if share.suppressed else share.mentions,
            suppressed=share.suppressed,
        )
        point.texts = {
            "share": charts.DASH
            if share.suppressed
            else format_share(share.share, language, PLACE_DECIMALS),
            "mentions": charts.DASH
            if share.suppressed
            else format_number(share.mentions, language),
        }
        out.append(point)
    return out


def walk_points(wave: Wave, language: str) -> tuple[list[MapPoint], list[MapPoint]]:
    """The stops of the walks in the wave's districts, and the issues found at them."""
    stops = (
        Stop.objects.filter(walk__organisation_id=wave.organisation_id, walk__district__wave=wave)
        .select_related("walk", "walk__district")
        .prefetch_related("issues")
        .order_by("walk__date", "walk_id", "position", "pk")
    )
    stop_points, issue_points = [], []
    for stop in stops:
        walk = stop.walk
        common: dict[str, Any] = {
            "longitude": stop.longitude,
            "latitude": stop.latitude,
            "located": "coordinates" if stop.longitude is not None else "",
            "district": walk.district.name,
            "walk": walk.title,
            "walk_id": walk.pk,
            "date": format_date(walk.date, language),
            "time_of_day": str(walk.get_time_of_day_display()),
            "position": stop.position,
        }
        issues = sorted(stop.issues.all(), key=lambda i: (-i.severity, i.pk))
        score = mean_score(stop)
        point = MapPoint(
            layer="stop",
            name=stop.name,
            score=score,
            feeling=stop.feeling,
            issues=len(issues),
            **common,
        )
        point.texts = {
            "score": format_score(score, language),
            "feeling": feeling_label(stop.feeling),
            "coordinates": format_coordinates(stop.latitude, stop.longitude, language),
        }
        stop_points.append(point)
        for issue in issues:
            issue_points.append(
                MapPoint(
                    layer="issue",
                    name=stop.name,
                    category=str(issue.get_category_display()),
                    severity=issue.severity,
                    severity_label=str(issue.get_severity_display()),
                    description=issue.description,
                    action=issue.action,
                    department=issue.department,
                    **common,
                )
            )
    return stop_points, issue_points


# --- text -------------------------------------------------------------------------------------


def format_score(value: float | None, language: str) -> str:
    """A mean checklist score (0–3) with one decimal, or "not assessed"."""
    if value is None:
        return _("not assessed")
    return format_decimal(value, language, 1)


def feeling_label(value: int | None) -> str:
    labels = {
        1: _("very unsafe"),
        2: _("rather unsafe"),
        3: _("rather safe"),
        4: _("very safe"),
    }
    return str(labels.get(value, _("not recorded"))) if value is not None else _("not recorded")


def format_date(value: Any, language: str) -> str:
    from django.utils import formats

    with translation.override(language):
        return str(formats.date_format(value, "DATE_FORMAT"))


def format_coordinates(latitude: float | None, longitude: float | None, language: str) -> str:
    if latitude is None or longitude is None:
        return charts.DASH
    return f"{format_decimal(latitude, language, 5)}, {format_decimal(longitude, language, 5)}"


# --- the map as Vega-Lite -------------------------------------------------------------------


def district_layers(
    districts: Iterable[District], *, names: bool = True, transparent: bool = False
) -> list[dict[str, Any]]:
    """The districts' boundaries as the map's base (and their names at their centres)."""
    features, labels = [], []
    for district in districts:
        if not district.boundary:
            continue
        features.append(charts._feature(district.boundary, {"name": district.name}))
        centre = charts._centroid(district.boundary)
        if centre is not None:
            labels.append({"name": district.name, "lon": centre[0], "lat": centre[1]})
    layers: list[dict[str, Any]] = []
    if features:
        layers.append(
            {
                "data": {"values": features},
                "mark": {
                    "type": "geoshape",
                    "fill": DISTRICT_FILL,
                    "fillOpacity": 0.35 if transparent else 1,
                    "stroke": charts.MUTED,
                    "strokeWidth": 1,
                },
            }
        )
    if names and labels:
        layers.append(
            {
                "data": {"values": labels},
                "mark": {"type": "text", "color": charts.MUTED, "fontSize": 11, "dy": -32},
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "text": {"field": "name"},
                },
            }
        )
    return layers


def extent(
    districts: Iterable[District], points: Iterable[tuple[float, float]]
) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the boundaries and points."""
    lons: list[float] = []
    lats: list[float] = []
    for district in districts:
        for lon, lat in _coordinates(district.boundary):
            lons.append(lon)
            lats.append(lat)
    for lon, lat in points:
        lons.append(lon)
        lats.append(lat)
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


def _coordinates(geometry: Any) -> Iterable[tuple[float, float]]:
    if isinstance(geometry, dict):
        if geometry.get("type") == "Feature":
            yield from _coordinates(geometry.get("geometry"))
            return
        if geometry.get("type") == "GeometryCollection":
            for part in geometry.get("geometries") or []:
                yield from _coordinates(part)
            return
        yield from _coordinates(geometry.get("coordinates"))
    elif isinstance(geometry, list | tuple):
        if len(geometry) >= 2 and all(isinstance(v, int | float) for v in geometry[:2]):
            yield float(geometry[0]), float(geometry[1])
        else:
            for part in geometry:
                yield from _coordinates(part)


def _tile_x(lon: float, zoom: int) -> float:
    return (lon + 180) / 360 * 2**zoom


def _tile_y(lat: float, zoom: int) -> float:
    lat = max(min(lat, 85.0511), -85.0511)
    radians = math.radians(lat)
    return (1 - math.asinh(math.tan(radians)) / math.pi) / 2 * 2**zoom


def _tile_lon(x: float, zoom: int) -> float:
    return x / 2**zoom * 360 - 180


def _tile_lat(y: float, zoom: int) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2**zoom))))


def tile_layer(
    url: str, bounds: tuple[float, float, float, float], width: int = charts.WIDTH
) -> dict[str, Any] | None:
    """Raster tiles ({z}/{x}/{y}) covering `bounds`, as image marks in the map's projection."""
    west, south, east, north = bounds
    if east - west <= 0 or north - south <= 0:
        return None
    zoom = 18
    while zoom > 1:
        columns = math.floor(_tile_x(east, zoom)) - math.floor(_tile_x(west, zoom)) + 1
        rows = math.floor(_tile_y(south, zoom)) - math.floor(_tile_y(north, zoom)) + 1
        span = (_tile_x(east, zoom) - _tile_x(west, zoom)) * TILE_SIZE
        if span <= width * 1.5 and columns * rows <= MAX_TILES:
            break
        zoom -= 1
    tiles = []
    for x in range(math.floor(_tile_x(west, zoom)), math.floor(_tile_x(east, zoom)) + 1):
        for y in range(math.floor(_tile_y(north, zoom)), math.floor(_tile_y(south, zoom)) + 1):
            tiles.append(
                {
                    "url": url.replace("{z}", str(zoom))
                    .replace("{x}", str(x))
                    .replace("{y}", str(y)),
                    "west": _tile_lon(x, zoom),
                    "east": _tile_lon(x + 1, zoom),
                    "north": _tile_lat(y, zoom),
                    "south": _tile_lat(y + 1, zoom),
                }
            )
    return {
        "data": {"values": tiles},
        "mark": {"type": "image", "aspect": False, "clip": True},
        "encoding": {
            "longitude": {"field": "west", "type": "quantitative"},
            "latitude": {"field": "north", "type": "quantitative"},
            "longitude2": {"field": "east"},
            "latitude2": {"field": "south"},
            "url": {"field": "url", "type": "nominal"},
        },
    }


def map_height(bounds: tuple[float, float, float, float] | None, width: int = charts.WIDTH) -> int:
    """The chart's height for the extent's shape in the mercator projection (no empty bands
    above and below a wide city), between 220 and 560 pixels."""
    if bounds is None:
        return HEIGHT
    west, south, east, north = bounds
    across = math.radians(east - west)
    down = math.asinh(math.tan(math.radians(north))) - math.asinh(math.tan(math.radians(south)))
    if across <= 0 or down <= 0:
        return HEIGHT
    return int(min(max(width * down / across, 220), 560))


def fit_feature(bounds: tuple[float, float, float, float]) -> dict[str, Any]:
    west, south, east, north = bounds
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "MultiPoint", "coordinates": [[west, south], [east, north]]},
    }


def _lonlat() -> dict[str, Any]:
    return {
        "longitude": {"field": "lon", "type": "quantitative"},
        "latitude": {"field": "lat", "type": "quantitative"},
    }


def map_spec(places_map: PlacesMap) -> dict[str, Any]:
    """The map as a Vega-Lite specification (see the module's docstring)."""
    language = places_map.language
    with translation.override(language):
        points = [p for p in places_map.points() if p.on_map]
        note = charts.suppressed_note(language, places_map.minimum)
        layers: list[dict[str, Any]] = []
        bounds = extent(
            places_map.districts,
            [(p.longitude, p.latitude) for p in points],  # type: ignore[misc]
        )
        tiles = (
            tile_layer(places_map.tile_url, _padded(bounds))
            if places_map.tile_url and bounds
            else None
        )
        if tiles:
            layers.append(tiles)
        layers += district_layers(places_map.districts, transparent=tiles is not None)
        shown = [p for p in points if p.layer == "place" and not p.suppressed]
        hidden = [p for p in points if p.layer == "place" and p.suppressed]
        if shown:
            layers.append(
                {
                    "data": {
                        "values": [
                            {
                                "lon": p.longitude,
                                "lat": p.latitude,
                                "share": p.share,
                                "tooltip": _("%(place)s: named by %(share)s of residents")
                                % {"place": p.name, "share": p.texts["share"]},
                            }
                            for p in shown
                        ]
                    },
                    "mark": {
                        "type": "circle",
                        "color": PLACE_COLOUR,
                        "opacity": 0.75,
                        "stroke": charts.INK,
                        "strokeWidth": 1,
                    },
                    "encoding": {
                        **_lonlat(),
                        "size": {
                            "field": "share",
                            "type": "quantitative",
                            "scale": {"range": [80, 1400], "zero": True},
                            "legend": {
                                "title": _("Named in the survey (share of residents)"),
                                "format": ".0%",
                                "orient": "bottom",
                                "symbolFillColor": PLACE_COLOUR,
                                "titleLimit": 480,
                            },
                        },
                        "tooltip": {"field": "tooltip", "type": "nominal"},
                    },
                }
            )
        if hidden:
            layers.append(
                {
                    "data": {
                        "values": [
                            {
                                "lon": p.longitude,
                                "lat": p.latitude,
                                "status": note,
                                "tooltip": f"{p.name}: {note}",
                            }
                            for p in hidden
                        ]
                    },
                    "mark": {"type": "circle", "size": 90, "stroke": charts.INK, "opacity": 1},
                    "encoding": {
                        **_lonlat(),
                        "color": {
                            "field": "status",
                            "type": "nominal",
                            "scale": {"domain": [note], "range": [charts.NOT_SHOWN]},
                            "legend": {"title": None, "orient": "bottom"},
                        },
                        "tooltip": {"field": "tooltip", "type": "nominal"},
                    },
                }
            )
        stops = [p for p in points if p.layer == "stop"]
        if stops:
            layers.append(stop_layer(stops))
        issues = _issue_markers([p for p in points if p.layer == "issue"], bounds)
        if issues:
            layers.append(
                {
                    "data": {"values": issues},
                    "mark": {
                        "type": "point",
                        "shape": "triangle-up",
                        "filled": True,
                        "color": ISSUE_COLOUR,
                        "stroke": "#ffffff",
                        "strokeWidth": 1,
                        "opacity": 1,
                        "size": 110,
                    },
                    "encoding": {
                        **_lonlat(),
                        "shape": {
                            "field": "kind",
                            "type": "nominal",
                            "scale": {"domain": [_("issues")], "range": ["triangle-up"]},
                            "legend": {"title": None, "orient": "bottom"},
                        },
                        "tooltip": {"field": "tooltip", "type": "nominal"},
                    },
                }
            )
        spec = charts._spec(
            language,
            _(
                "Map of the districts with the places named in the survey, the stops of "
                "neighbourhood walks and the issues found; every point is listed in the tables."
            ),
            height=map_height(bounds),
            projection={"type": "mercator"},
            layer=layers or [charts._empty_layer()],
        )
        if bounds:
            spec["projection"]["fit"] = fit_feature(bounds)
        stack_legends(spec["layer"], spec["height"])
        spec["resolve"] = {
            "scale": {"color": "independent", "size": "independent", "shape": "independent"},
            "legend": {"color": "independent", "size": "independent", "shape": "independent"},
        }
        return spec


LEGEND_HEIGHTS = {"fill": 58, "size": 64, "color": 26, "shape": 26}


def stack_legends(layers: list[dict[str, Any]], height: int) -> None:
    """The layers' legends one under the other below the map (side by side they would make
    the chart twice as wide as the map)."""
    top = height + 14
    for layer in layers:
        for channel, legend_height in LEGEND_HEIGHTS.items():
            legend = layer.get("encoding", {}).get(channel, {}).get("legend")
            if legend:
                legend.update(
                    {"orient": "none", "direction": "horizontal", "legendX": 0, "legendY": top}
                )
                top += legend_height


def stop_layer(stops: Sequence[MapPoint]) -> dict[str, Any]:
    """Walk stops as circles coloured by their mean checklist score (white: not assessed)."""
    return {
        "data": {
            "values": [
                {
                    "lon": p.longitude,
                    "lat": p.latitude,
                    "score": p.score,
                    "tooltip": f"{p.position}. {p.name} ({p.walk}): "
                    + _("mean score %(score)s") % {"score": p.texts.get("score", "")},
                }
                for p in stops
            ]
        },
        "mark": {
            "type": "point",
            "shape": "square",
            "filled": True,
            "size": 150,
            "stroke": charts.INK,
            "strokeWidth": 1.2,
            "opacity": 1,
        },
        "encoding": {
            **_lonlat(),
            "fill": {
                "field": "score",
                "type": "quantitative",
                "scale": {"domain": [0, 3], "scheme": STOP_SCHEME},
                "condition": {"test": "!isValid(datum.score)", "value": "#ffffff"},
                "legend": {
                    "title": _("Walk stops: mean checklist score (0 poor – 3 good)"),
                    "orient": "bottom",
                    "gradientLength": 160,
                    "titleLimit": 480,
                    "values": [0, 1, 2, 3],
                },
            },
            "tooltip": {"field": "tooltip", "type": "nominal"},
        },
    }


def _issue_markers(
    issues: Sequence[MapPoint], bounds: tuple[float, float, float, float] | None
) -> list[dict[str, Any]]:
    """One marker per stop with issues, drawn just north-east of the stop (a few pixels, so
    that it does not hide the stop's colour): their number and categories in the tooltip."""
    west, _south, east, _north = bounds or (0.0, 0.0, 0.0, 0.0)
    shift = (east - west) * 0.022
    by_stop: dict[tuple[Any, ...], list[MapPoint]] = {}
    for issue in issues:
        by_stop.setdefault((issue.walk_id, issue.position, issue.name), []).append(issue)
    out = []
    for found in by_stop.values():
        first = found[0]
        categories = ", ".join(sorted({i.category for i in found}))
        assert first.longitude is not None and first.latitude is not None
        out.append(
            {
                "lon": first.longitude + shift,
                "lat": first.latitude + shift * math.cos(math.radians(first.latitude)),
                "kind": _("issues"),
                "tooltip": f"{first.name}: "
                + _("issues: %(n)d (%(categories)s)") % {"n": len(found), "categories": categories},
            }
        )
    return out


def _padded(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    west, south, east, north = bounds
    pad_x, pad_y = (east - west) * 0.15 or 0.005, (north - south) * 0.15 or 0.005
    return west - pad_x, south - pad_y, east + pad_x, north + pad_y


# --- GeoJSON ---------------------------------------------------------------------------------


def _geometry(point: MapPoint) -> dict[str, Any] | None:
    if not point.on_map:
        return None
    return {"type": "Point", "coordinates": [point.longitude, point.latitude]}


def map_geojson(places_map: PlacesMap, *, layers: Sequence[str] | None = None) -> dict[str, Any]:
    """The map as a GeoJSON FeatureCollection: districts, survey places, walk stops and issues
    (the map's layers, or `layers`), each feature's `layer` property saying which. A hidden
    place carries `suppressed: true` and neither share nor mentions."""
    chosen = places_map.layers if layers is None else tuple(layers)
    features: list[dict[str, Any]] = []
    for district in places_map.districts:
        if district.boundary:
            geometry = district.boundary
            if isinstance(geometry, dict) and geometry.get("type") == "Feature":
                geometry = geometry.get("geometry")
            features.append(
                {
                    "type": "Feature",
                    "geometry": geometry,
                    "properties": {
                        "layer": "district",
                        "code": district.code,
                        "name": district.name,
                    },
                }
            )
    if "places" in chosen:
        for p in places_map.places:
            properties: dict[str, Any] = {
                "layer": "survey_place",
                "code": p.code,
                "name": p.name,
                "district": p.district,
                "group": places_map.group or "all",
                "suppressed": p.suppressed,
                "share": None if p.suppressed else p.share,
                "mentions": None if p.suppressed else p.mentions,
                "located": p.located or None,
            }
            if p.suppressed:
                properties["note"] = charts.suppressed_note(places_map.language, places_map.minimum)
            features.append({"type": "Feature", "geometry": _geometry(p), "properties": properties})
    if "stops" in chosen:
        for p in places_map.stops:
            features.append(
                {
                    "type": "Feature",
                    "geometry": _geometry(p),
                    "properties": {
                        "layer": "walk_stop",
                        "name": p.name,
                        "position": p.position,
                        "walk": p.walk,
                        "walk_id": p.walk_id,
                        "district": p.district,
                        "date": p.date,
                        "time_of_day": p.time_of_day,
                        "score": None if p.score is None else round(p.score, 3),
                        "feeling": p.feeling,
                        "issues": p.issues,
                    },
                }
            )
    if "issues" in chosen:
        for p in places_map.issues:
            features.append(
                {
                    "type": "Feature",
                    "geometry": _geometry(p),
                    "properties": {
                        "layer": "issue",
                        "name": p.name,
                        "walk": p.walk,
                        "walk_id": p.walk_id,
                        "position": p.position,
                        "category": p.category,
                        "severity": p.severity,
                        "description": p.description,
                        "action": p.action,
                        "department": p.department,
                    },
                }
            )
    return {
        "type": "FeatureCollection",
        "name": places_map.wave.slug,
        "features": features,
    }
