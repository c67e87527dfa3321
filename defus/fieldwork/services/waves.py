"""Setting up a survey wave: its settings, districts, boundaries and named places, and its status.

Files come from the city's statistics office:

- districts CSV (required when creating): `code,name,female_18-29,…,male_75+` — one column per
  gender × age group (`GENDERS` × `AGE_GROUPS` in models.py; the `diverse_*` columns are
  optional, all or none), integer counts of adult residents. The file order gives the districts'
  answer codes 1..n, used in the questionnaire and in exports.
- GeoJSON (optional): a FeatureCollection of Polygon/MultiPolygon features in WGS 84, each with a
  property (by default `code`) naming the district code. Features whose code matches no district
  are reported, not fatal.
- named places CSV (optional): `code,name,kind,district_code,latitude,longitude,aliases` with
  aliases separated by `|`.

Everything is checked before anything is written; problems are collected per file and raised
together as `WaveSetupError`, and a clean set of files is written in one transaction.

Once a wave has access codes, drafts or answers, its districts are referred to by them: a new
districts file is then accepted only with the same codes in the same order (names and
population figures may change, e.g. corrected figures for weighting).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from defus.core.links import absolute_url
from defus.instrument.definition import (
    InstrumentError,
    available_versions,
    for_wave,
    standard_instrument,
)
from defus.organisations.models import Organisation

from ..models import AGE_GROUPS, GENDERS, District, Place, Wave
from .csvfiles import MAX_BYTES, CsvError, CsvRow, RowError, read_csv, write_csv

REQUIRED_GENDERS = ("female", "male")
OPTIONAL_GENDERS = tuple(g for g in GENDERS if g not in REQUIRED_GENDERS)
DISTRICT_CODE_MAX = District._meta.get_field("code").max_length or 20
NAME_MAX = District._meta.get_field("name").max_length or 200
PLACE_CODE_MAX = Place._meta.get_field("code").max_length or 20
PLACE_KIND_MAX = Place._meta.get_field("kind").max_length or 60
SLUG_MAX = Wave._meta.get_field("slug").max_length or 50
TITLE_MAX = Wave._meta.get_field("title").max_length or 200
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
# Status changes a person may make: forward, and re-opening fieldwork closed too early.
STATUS_CHANGES: dict[str, tuple[str, ...]] = {
    Wave.Status.PREPARATION: (Wave.Status.FIELD,),
    Wave.Status.FIELD: (Wave.Status.CLOSED,),
    Wave.Status.CLOSED: (Wave.Status.FIELD,),
}
# Where the respondents' open link lives (the respond app serves it).
OPEN_LINK_PATH = "/s/o/{token}/"
# Short names that would clash with back-office addresses (/o/<org>/waves/new/ …).
RESERVED_SLUGS = frozenset({"new", "examples"})


def population_columns(include_optional: bool = True) -> list[str]:
    genders = GENDERS if include_optional else REQUIRED_GENDERS
    return [f"{gender}_{group}" for gender in genders for group in AGE_GROUPS]


DISTRICT_COLUMNS = ["code", "name", *population_columns(include_optional=False)]
PLACE_COLUMNS = ["code", "name", "kind", "district_code", "latitude", "longitude", "aliases"]
PLACE_ALIASES = {
    "district": "district_code",
    "lat": "latitude",
    "lon": "longitude",
    "lng": "longitude",
    "alias": "aliases",
}


class WaveError(Exception):
    """An action on a wave that is not possible now; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class WaveSetupError(Exception):
    """Settings or files with problems. `errors` maps a field name ("slug", "districts",
    "geojson", "places", "field_end", "modes", "instrument", "title") to its problems."""

    def __init__(self, errors: Mapping[str, Sequence[RowError | str]]):
        self.errors = {k: [str(e) for e in v] for k, v in errors.items() if v}
        super().__init__("; ".join(f"{k}: {m}" for k, msgs in self.errors.items() for m in msgs))


@dataclass
class WaveSettings:
    title: str
    slug: str
    instrument_version: str
    field_start: date
    field_end: date
    instrument_key: str = "defus-monitor"
    mode_web: bool = True
    mode_paper: bool = True
    mode_open_link: bool = False
    letter: dict[str, str] | None = None


@dataclass
class WaveFiles:
    districts: bytes | None = None
    geojson: bytes | None = None
    geojson_property: str = "code"
    places: bytes | None = None
    extension: bytes | None = None  # the city's own modules, YAML in the definition format


@dataclass
class DistrictRow:
    line: int
    code: str
    name: str
    population: dict[str, dict[str, int]]


@dataclass
class PlaceRow:
    line: int
    code: str
    name: str
    kind: str
    district_code: str
    latitude: float | None
    longitude: float | None
    aliases: list[str]


@dataclass
class SetupResult:
    wave: Wave
    warnings: list[str] = field(default_factory=list)


# --- the instrument versions ---------------------------------------------------------------


def instrument_choices() -> list[tuple[str, str]]:
    """(value, label) for every shipped instrument version; value is "key:version"."""
    return [(f"{key}:{version}", f"{key} {version}") for key, version in available_versions()]


def split_instrument(value: str) -> tuple[str, str]:
    key, _sep, version = value.partition(":")
    return key, version


# --- districts -------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^\d{1,3}(?:([.,' \u00a0\u202f])\d{3})(?:\1\d{3})*$")


def parse_count(raw: str) -> int | None:
    """A non-negative integer count; thousands separators (1.234 / 1,234 / 1 234) allowed."""
    value = raw.strip()
    if value.isdigit():
        return int(value)
    if _THOUSANDS.match(value):
        return int(re.sub(r"\D", "", value))
    return None


def district_example_csv() -> str:
    """A small example districts file, as offered for download on the wave form."""
    rows = [
        ["01", "Altstadt", 812, 905, 701, 644, 402, 790, 948, 733, 588, 251],
        ["02", "Nordviertel", 1320, 1511, 1409, 1102, 620, 1288, 1490, 1376, 990, 377],
        ["03", "Am Hafen", 655, 702, 598, 511, 290, 701, 760, 640, 455, 160],
    ]
    return write_csv(DISTRICT_COLUMNS, rows)


def place_example_csv() -> str:
    rows = [
        ["HBF", "Hauptbahnhof", "station", "01", "51.2205", "6.7943", "Hbf|Bahnhof"],
        ["PARK", "Stadtpark", "park", "02", "51.2290", "6.7850", ""],
        ["MARKT", "Marktplatz", "square", "01", "", "", "Markt"],
    ]
    return write_csv(PLACE_COLUMNS, rows)


def parse_districts(data: bytes) -> tuple[list[DistrictRow], list[RowError]]:
    """The districts of a districts CSV, or the problems that stop it from being used."""
    try:
        table = read_csv(data, DISTRICT_COLUMNS)
    except CsvError as error:
        return [], [RowError(None, error.message)]
    errors: list[RowError] = list(table.overlong)
    optional = [c for c in population_columns() if c not in DISTRICT_COLUMNS]
    present_optional = [c for c in optional if c in table.headers]
    if present_optional and len(present_optional) != len(optional):
        missing = [c for c in optional if c not in table.headers]
        errors.append(
            RowError(
                None,
                _("The columns for “diverse” are optional, but all or none: missing %(cols)s.")
                % {"cols": ", ".join(missing)},
            )
        )
        return [], errors
    genders = [*REQUIRED_GENDERS, *(OPTIONAL_GENDERS if present_optional else ())]
    rows: list[DistrictRow] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        row_errors = _check_code(row, "code", DISTRICT_CODE_MAX, seen)
        name = row.get("name")
        if not name:
            row_errors.append(_("the name is missing"))
        elif len(name) > NAME_MAX:
            row_errors.append(_("the name is longer than %(max)d characters") % {"max": NAME_MAX})
        population: dict[str, dict[str, int]] = {}
        for gender in genders:
            population[gender] = {}
            for group in AGE_GROUPS:
                column = f"{gender}_{group}"
                count = parse_count(row.get(column))
                if count is None:
                    row_errors.append(
                        _("“%(value)s” in column %(column)s is not a whole number ≥ 0")
                        % {"value": row.get(column), "column": column}
                    )
                else:
                    population[gender][group] = count
        errors.extend(RowError(row.line, message) for message in row_errors)
        if not row_errors:
            rows.append(DistrictRow(row.line, row["code"], name, population))
    if not table.rows:
        errors.append(RowError(None, _("The file has a header but no districts.")))
    return rows, errors


def _check_code(row: CsvRow, column: str, max_length: int, seen: dict[str, int]) -> list[str]:
    code = row.get(column)
    if not code:
        return [_("the code is missing")]
    problems = []
    if len(code) > max_length:
        problems.append(
            _("the code “%(code)s” is longer than %(max)d characters")
            % {"code": code, "max": max_length}
        )
    if code.casefold() in seen:
        problems.append(
            _("the code “%(code)s” is also used in line %(line)d")
            % {"code": code, "line": seen[code.casefold()]}
        )
    else:
        seen[code.casefold()] = row.line
    return problems


# --- GeoJSON boundaries -----------------------------------------------------------------------


def parse_boundaries(
    data: bytes, district_codes: Sequence[str], property_name: str = "code"
) -> tuple[dict[str, dict[str, Any]], list[RowError], list[str]]:
    """(geometry by district code, errors, warnings) from a GeoJSON FeatureCollection.

    Features are numbered from 1 in messages. A feature whose code names no district is a
    warning; a broken file or geometry is an error.
    """
    if len(data) > MAX_BYTES:
        return {}, [RowError(None, _("The GeoJSON file is larger than 20 MB."))], []
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        return (
            {},
            [RowError(None, _("The file is not valid GeoJSON (%(reason)s).") % {"reason": error})],
            [],
        )
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return {}, [RowError(None, _("The GeoJSON file must be a FeatureCollection."))], []
    features = document.get("features")
    if not isinstance(features, list) or not features:
        return {}, [RowError(None, _("The FeatureCollection has no features."))], []
    crs = _crs_name(document)
    if crs and not re.search(r"(CRS84|4326)$", crs):
        return (
            {},
            [
                RowError(
                    None,
                    _(
                        "The coordinates are in %(crs)s; "
                        "please export the file in WGS 84 (EPSG:4326)."
                    )
                    % {"crs": crs},
                )
            ],
            [],
        )
    codes = {c: c for c in district_codes}
    folded = {c.casefold(): c for c in district_codes}
    boundaries: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    warnings: list[str] = []
    with_property = 0
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(_("feature %(n)d is not a GeoJSON Feature") % {"n": number})
            continue
        properties = feature.get("properties") or {}
        value = properties.get(property_name) if isinstance(properties, dict) else None
        if value is None or str(value).strip() == "":
            continue
        with_property += 1
        raw_code = str(value).strip()
        code = codes.get(raw_code) or folded.get(raw_code.casefold())
        if code is None:
            warnings.append(
                _("feature %(n)d: “%(code)s” is not the code of a district of this wave")
                % {"n": number, "code": raw_code}
            )
            continue
        geometry = feature.get("geometry")
        problem = _geometry_problem(geometry)
        if problem:
            errors.append(
                _("feature %(n)d (district %(code)s): %(problem)s")
                % {"n": number, "code": code, "problem": problem}
            )
            continue
        if code in boundaries:
            errors.append(
                _("feature %(n)d: district %(code)s has more than one feature")
                % {"n": number, "code": code}
            )
            continue
        assert isinstance(geometry, dict)
        boundaries[code] = {"type": geometry["type"], "coordinates": geometry["coordinates"]}
    if with_property == 0:
        names = sorted(
            {
                str(key)
                for feature in features
                if isinstance(feature, dict) and isinstance(feature.get("properties"), dict)
                for key in feature["properties"]
            }
        )
        errors.insert(
            0,
            _("No feature has the property “%(name)s”. The features have: %(names)s.")
            % {"name": property_name, "names": ", ".join(names) or "–"},
        )
    missing = [c for c in district_codes if c not in boundaries]
    if missing and not errors:
        warnings.append(
            _("No boundary for the districts %(codes)s.") % {"codes": ", ".join(missing)}
        )
    return boundaries, [RowError(None, e) for e in errors], warnings


def _crs_name(document: Mapping[str, Any]) -> str:
    crs = document.get("crs")
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        return str(crs["properties"].get("name", ""))
    return ""


def _geometry_problem(geometry: Any) -> str | None:
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        return _("the geometry must be a Polygon or MultiPolygon, not %(kind)s") % {
            "kind": kind or "–"
        }
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        return _("the geometry has no coordinates")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return _("the geometry has an empty polygon")
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                return _("a ring of the polygon has fewer than four positions")
            for position in ring:
                if not _valid_position(position):
                    return _("the position %(position)s is not longitude, latitude in WGS 84") % {
                        "position": json.dumps(position)[:60]
                    }
    return None


def _valid_position(position: Any) -> bool:
    if not isinstance(position, list) or len(position) < 2:
        return False
    lon, lat = position[0], position[1]
    if isinstance(lon, bool) or isinstance(lat, bool):
        return False
    if not isinstance(lon, int | float) or not isinstance(lat, int | float):
        return False
    return math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90


# --- named places ------------------------------------------------------------------------------


def parse_places(
    data: bytes, district_codes: Sequence[str]
) -> tuple[list[PlaceRow], list[RowError]]:
    try:
        table = read_csv(data, ["code", "name"], aliases=PLACE_ALIASES)
    except CsvError as error:
        return [], [RowError(None, error.message)]
    known = {c.casefold(): c for c in district_codes}
    errors: list[RowError] = list(table.overlong)
    rows: list[PlaceRow] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        problems = _check_code(row, "code", PLACE_CODE_MAX, seen)
        name, kind = row.get("name"), row.get("kind")
        if not name:
            problems.append(_("the name is missing"))
        elif len(name) > NAME_MAX:
            problems.append(_("the name is longer than %(max)d characters") % {"max": NAME_MAX})
        if len(kind) > PLACE_KIND_MAX:
            problems.append(
                _("the kind is longer than %(max)d characters") % {"max": PLACE_KIND_MAX}
            )
        district_code = ""
        if row.get("district_code"):
            district_code = known.get(row["district_code"].casefold(), "")
            if not district_code:
                problems.append(
                    _("district “%(code)s” is not a district of this wave")
                    % {"code": row["district_code"]}
                )
        latitude = _coordinate(row.get("latitude"), 90)
        longitude = _coordinate(row.get("longitude"), 180)
        if latitude is False or longitude is False:
            problems.append(
                _("latitude and longitude must be decimal degrees (e.g. 51.2277 and 6.7735)")
            )
        elif (latitude is None) != (longitude is None):
            problems.append(_("give both latitude and longitude, or neither"))
        aliases = [a.strip() for a in row.get("aliases").split("|") if a.strip()]
        errors.extend(RowError(row.line, p) for p in problems)
        if not problems:
            rows.append(
                PlaceRow(
                    row.line,
                    row["code"],
                    name,
                    kind,
                    district_code,
                    latitude if isinstance(latitude, float) else None,
                    longitude if isinstance(longitude, float) else None,
                    aliases,
                )
            )
    return rows, errors


def _coordinate(raw: str, limit: float) -> float | bool | None:
    """The value in degrees; None if empty; False if not a coordinate."""
    if not raw:
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return False
    if not math.isfinite(value) or abs(value) > limit:
        return False
    return value


# --- creating and editing a wave ---------------------------------------------------------------


def check_settings(values: WaveSettings, wave: Wave | None = None) -> dict[str, list[str]]:
    """Problems with a wave's settings, by field name (empty if none)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not values.title.strip():
        add("title", _("Give the wave a title."))
    elif len(values.title) > TITLE_MAX:
        add("title", _("The title is longer than %(max)d characters.") % {"max": TITLE_MAX})
    try:
        validate_slug(values.slug)
        if len(values.slug) > SLUG_MAX:
            raise ValidationError("too long")
    except ValidationError:
        add(
            "slug",
            _("Use up to %(max)d lower-case letters, digits and hyphens, e.g. musterstadt-2026.")
            % {"max": SLUG_MAX},
        )
    else:
        if values.slug in RESERVED_SLUGS:
            add("slug", _("This short name is reserved; choose another."))
        taken = Wave.objects.filter(slug=values.slug)
        if wave is not None:
            taken = taken.exclude(pk=wave.pk)
        if taken.exists():
            add("slug", _("This short name is already in use; choose another."))
    if (values.instrument_key, values.instrument_version) not in available_versions():
        add("instrument", _("Choose one of the instrument versions offered."))
    elif (
        wave is not None
        and values.instrument_version != wave.instrument_version
        and (wave.responses.exists() or wave.drafts.exists() or wave.paper_entries.exists())
    ):
        add(
            "instrument",
            _("The instrument version cannot change: the wave already has answers."),
        )
    if values.field_end < values.field_start:
        add("field_end", _("The end of fieldwork must not be before its start."))
    if not (values.mode_web or values.mode_paper or values.mode_open_link):
        add("modes", _("Choose at least one way to answer."))
    return errors


def create_wave(organisation: Organisation, values: WaveSettings, files: WaveFiles) -> SetupResult:
    """A new wave in preparation with its districts (required), boundaries and places."""
    errors: dict[str, list[Any]] = dict(check_settings(values))
    if not files.districts:
        errors["districts"] = [_("Upload the districts file (CSV).")]
    plan = _plan_files(None, files, errors)
    if errors:
        raise WaveSetupError(errors)
    with transaction.atomic():
        wave = Wave(organisation=organisation)
        _apply_settings(wave, values)
        if plan.extension is not None:
            wave.extension = plan.extension
        wave.save()
        _write_files(wave, plan)
    return SetupResult(wave, plan.warnings)


def update_wave(wave: Wave, values: WaveSettings, files: WaveFiles) -> SetupResult:
    """Change a wave's settings; files given replace districts, boundaries or places."""
    errors: dict[str, list[Any]] = dict(check_settings(values, wave))
    plan = _plan_files(wave, files, errors)
    if plan.districts is not None:
        # Walks keep their district (and their route on its map): it cannot go.
        keep = {row.code for row in plan.districts}
        for district in (
            wave.districts.exclude(code__in=keep).filter(walks__isnull=False).distinct()
        ):
            errors.setdefault("districts", []).append(
                _("The district %(name)s (%(code)s) has neighbourhood walks; keep it in the file.")
                % {"name": district.name, "code": district.code}
            )
    if errors:
        raise WaveSetupError(errors)
    with transaction.atomic():
        _apply_settings(wave, values)
        if plan.extension is not None:
            wave.extension = plan.extension
        wave.save()
        _write_files(wave, plan)
    wave.__dict__.pop("instrument", None)  # the cached instrument may have changed
    return SetupResult(wave, plan.warnings)


def set_extension(wave: Wave, data: bytes) -> Wave:
    """Replace the wave's own modules (an empty file removes them); WaveSetupError if not."""
    errors: dict[str, list[Any]] = {}
    plan = _plan_files(wave, WaveFiles(extension=data), errors)
    if errors:
        raise WaveSetupError(errors)
    wave.extension = plan.extension or {}
    wave.save(update_fields=["extension"])
    wave.__dict__.pop("instrument", None)
    return wave


def wave_has_fieldwork(wave: Wave) -> bool:
    """Whether codes, drafts or answers refer to the wave's districts."""
    return (
        wave.access_codes.exists()
        or wave.responses.exists()
        or wave.drafts.exists()
        or wave.paper_entries.exists()
    )


@dataclass
class _Plan:
    districts: list[DistrictRow] | None = None
    boundaries: dict[str, dict[str, Any]] | None = None
    places: list[PlaceRow] | None = None
    extension: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)


def _plan_files(wave: Wave | None, files: WaveFiles, errors: dict[str, list[Any]]) -> _Plan:
    plan = _Plan()
    codes: list[str] = list(wave.districts.values_list("code", flat=True)) if wave else []
    if files.districts:
        rows, problems = parse_districts(files.districts)
        if problems:
            errors["districts"] = problems
        else:
            new_codes = [r.code for r in rows]
            if wave is not None and codes and new_codes != codes and wave_has_fieldwork(wave):
                errors["districts"] = [
                    RowError(
                        None,
                        _(
                            "The wave already has access codes or answers that refer to its "
                            "districts. A new file must have the same codes in the same order "
                            "(%(codes)s); names and population figures may change."
                        )
                        % {"codes": ", ".join(codes)},
                    )
                ]
            else:
                plan.districts = rows
                codes = new_codes
    if files.geojson:
        if errors.get("districts") or not codes:
            if not errors.get("districts"):
                errors["geojson"] = [_("Upload the districts file first.")]
        else:
            prop = (files.geojson_property or "code").strip() or "code"
            boundaries, problems, warnings = parse_boundaries(files.geojson, codes, prop)
            if problems:
                errors["geojson"] = problems
            else:
                plan.boundaries = boundaries
                plan.warnings.extend(warnings)
    if files.places and not errors.get("districts"):
        rows_p, problems = parse_places(files.places, codes)
        if problems:
            errors["places"] = problems
        else:
            plan.places = rows_p
    if files.extension is not None:
        if wave is not None and (wave.responses.exists() or wave.drafts.exists()):
            errors["extension"] = [
                _(
                    "The wave already has answers: its own questions can no longer change. "
                    "Create a new wave for other questions."
                )
            ]
        else:
            extension, problems_e = parse_extension(files.extension, wave)
            if problems_e:
                errors["extension"] = problems_e
            else:
                plan.extension = extension
    return plan


EXTENSION_KEYS = {"scales", "modules"}


def parse_extension(
    data: bytes, wave: Wave | None = None, *, key: str = "defus-monitor", version: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """A city's own modules (YAML: `modules:` and optional `scales:` in the definition format).

    They are checked together with the standard instrument, so codes may not clash with it;
    the problems name the place. An empty file (or `modules: []`) removes the own modules.
    """
    try:
        text = data.decode("utf-8-sig")
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except UnicodeDecodeError:
        return {}, [_("The file is not UTF-8 text.")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = _(" (line %(line)d)") % {"line": mark.line + 1} if mark else ""
        return {}, [_("The file is not valid YAML%(where)s.") % {"where": where}]
    if document is None:
        return {}, []
    if not isinstance(document, dict) or not set(document) <= EXTENSION_KEYS:
        return {}, [_("Expected a mapping with “modules” and, optionally, “scales”.")]
    extension = {k: document[k] for k in ("scales", "modules") if document.get(k)}
    if not extension.get("modules"):
        return {}, []
    if wave is not None:
        key, version = wave.instrument_key, wave.instrument_version
    base = standard_instrument(key, version)
    try:
        for_wave(base, extension=extension)
    except InstrumentError as error:
        return {}, [str(problem) for problem in error.problems]
    except (TypeError, KeyError, AttributeError):
        return {}, [_("The own modules do not follow the definition format.")]
    return extension, []


def _apply_settings(wave: Wave, values: WaveSettings) -> None:
    wave.title = values.title.strip()
    wave.slug = values.slug
    wave.instrument_key = values.instrument_key
    wave.instrument_version = values.instrument_version
    wave.field_start = values.field_start
    wave.field_end = values.field_end
    wave.mode_web = values.mode_web
    wave.mode_paper = values.mode_paper
    wave.mode_open_link = values.mode_open_link
    if values.letter is not None:
        wave.letter = {k: v.strip() for k, v in values.letter.items() if v and v.strip()}


def _write_files(wave: Wave, plan: _Plan) -> None:
    if plan.districts is not None:
        existing = {d.code: d for d in wave.districts.all()}
        keep = {row.code for row in plan.districts}
        District.objects.filter(wave=wave).exclude(code__in=keep).delete()
        # Move answer codes out of the way first: (wave, answer_code) is unique.
        offset = 1_000_000
        for district in existing.values():
            if district.code in keep:
                district.answer_code += offset
                district.save(update_fields=["answer_code"])
        for number, row in enumerate(plan.districts, start=1):
            district = existing.get(row.code) or District(wave=wave, code=row.code)
            district.name = row.name
            district.answer_code = number
            district.population = row.population
            district.save()
    if plan.boundaries is not None:
        for district in wave.districts.all():
            district.boundary = plan.boundaries.get(district.code)
            district.save(update_fields=["boundary"])
    if plan.places is not None:
        by_code = {d.code: d for d in wave.districts.all()}
        existing_places = {p.code: p for p in wave.places.all()}
        wave.places.exclude(code__in=[r.code for r in plan.places]).delete()
        for place_row in plan.places:
            place = existing_places.get(place_row.code) or Place(wave=wave, code=place_row.code)
            place.name = place_row.name
            place.kind = place_row.kind
            place.district = by_code.get(place_row.district_code)
            place.latitude = place_row.latitude
            place.longitude = place_row.longitude
            place.aliases = "\n".join(place_row.aliases)
            place.save()


# --- status and links --------------------------------------------------------------------------


def allowed_status_changes(wave: Wave) -> tuple[str, ...]:
    return STATUS_CHANGES.get(wave.status, ())


def set_status(wave: Wave, status: str) -> Wave:
    """Move the wave to `status` (preparation → field → closed; closed → field re-opens)."""
    if status not in Wave.Status.values:
        raise WaveError(_("Unknown status “%(status)s”.") % {"status": status})
    if status == wave.status:
        return wave
    if status not in allowed_status_changes(wave):
        raise WaveError(
            _("A wave cannot go from “%(old)s” to “%(new)s”.")
            % {"old": wave.get_status_display(), "new": Wave.Status(status).label}
        )
    if status == Wave.Status.FIELD and not wave.districts.exists():
        raise WaveError(_("The wave has no districts yet."))
    wave.status = status
    wave.save(update_fields=["status"])
    return wave


def open_link_url(wave: Wave) -> str | None:
    """The public address of the wave's open link, when that mode is on."""
    if not wave.mode_open_link:
        return None
    try:
        path = reverse("respond:open", kwargs={"token": wave.open_link_token})
    except NoReverseMatch:
        path = OPEN_LINK_PATH.format(token=wave.open_link_token)
    return absolute_url(path)


def organisation_by_slug(slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist as error:
        raise WaveError(_("There is no organisation “%(slug)s”.") % {"slug": slug}) from error


def wave_by_slug(slug: str) -> Wave:
    try:
        return Wave.objects.select_related("organisation").get(slug=slug)
    except Wave.DoesNotExist as error:
        raise WaveError(_("There is no wave “%(slug)s”.") % {"slug": slug}) from error
