"""The public face of the network: the member organisations, their map and their public data.

Only public fields leave this module (name, kind, country, population, member since, website,
coordinates) – never the main contact or anything about people.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from defus.analysis import charts
from defus.organisations.models import Organisation

COUNTRIES = {
    "DE": gettext_lazy("Germany"),
    "AT": gettext_lazy("Austria"),
    "CH": gettext_lazy("Switzerland"),
    "FR": gettext_lazy("France"),
    "BE": gettext_lazy("Belgium"),
    "LU": gettext_lazy("Luxembourg"),
    "NL": gettext_lazy("Netherlands"),
    "ES": gettext_lazy("Spain"),
    "IT": gettext_lazy("Italy"),
    "PL": gettext_lazy("Poland"),
}
POINT_COLOUR = charts.BRAND
# Europe west of the Baltic: the map keeps this extent even with a single city on it.
EUROPE = (-9.5, 36.0, 24.0, 55.5)


def country_name(code: str) -> str:
    return str(COUNTRIES.get(code.upper(), code.upper()))


def member_organisations(country: str = "", kind: str = "") -> QuerySet[Organisation]:
    organisations = Organisation.objects.filter(is_member=True)
    if country:
        organisations = organisations.filter(country=country.upper())
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations.order_by("name")


def country_choices() -> list[tuple[str, str]]:
    codes = (
        Organisation.objects.filter(is_member=True)
        .values_list("country", flat=True)
        .distinct()
        .order_by("country")
    )
    return sorted(((c, country_name(c)) for c in codes), key=lambda pair: pair[1])


def public_record(organisation: Organisation) -> dict[str, Any]:
    """The organisation's public fields (organisations.json, the table and the map)."""
    return {
        "name": organisation.name,
        "slug": organisation.slug,
        "kind": organisation.kind,
        "country": organisation.country,
        "population": organisation.population,
        "member_since": organisation.member_since.isoformat()
        if organisation.member_since
        else None,
        "website": organisation.website,
        "latitude": organisation.latitude,
        "longitude": organisation.longitude,
    }


def map_spec(organisations: list[Organisation], language: str) -> dict[str, Any]:
    """The member organisations as points on a Vega-Lite map (mercator, graticule as base,
    raster tiles under it where DEFUS_MAP_TILE_URL is set); the table beside it lists all."""
    from defus.walks.placesmap import fit_feature, map_height, tile_layer

    with translation.override(language):
        placed = [o for o in organisations if o.latitude is not None and o.longitude is not None]
        lons = [o.longitude for o in placed] + [EUROPE[0], EUROPE[2]]
        lats = [o.latitude for o in placed] + [EUROPE[1], EUROPE[3]]
        bounds = (min(lons) - 1, min(lats) - 1, max(lons) + 1, max(lats) + 1)  # type: ignore[type-var,operator]
        layers: list[dict[str, Any]] = []
        tile_url = getattr(settings, "DEFUS_MAP_TILE_URL", None)
        tiles = tile_layer(tile_url, bounds) if tile_url else None
        if tiles:
            layers.append(tiles)
        layers.append(
            {
                "data": {"graticule": {"step": [5, 5]}},
                # clipped: the mercator graticule runs to the poles, far outside the map
                "mark": {
                    "type": "geoshape",
                    "stroke": "#c9d1db",
                    "strokeWidth": 0.5,
                    "fill": None,
                    "clip": True,
                },
            }
        )
        values = [
            {
                "lon": o.longitude,
                "lat": o.latitude,
                "name": o.name,
                "tooltip": f"{o.name} ({country_name(o.country)})",
            }
            for o in placed
        ]
        if values:
            layers.append(
                {
                    "data": {"values": values},
                    "mark": {
                        "type": "circle",
                        "size": 70,
                        "color": POINT_COLOUR,
                        "opacity": 0.85,
                        "stroke": "#ffffff",
                        "strokeWidth": 1,
                    },
                    "encoding": {
                        "longitude": {"field": "lon", "type": "quantitative"},
                        "latitude": {"field": "lat", "type": "quantitative"},
                        "tooltip": {"field": "tooltip", "type": "nominal"},
                    },
                }
            )
            layers.append(
                {
                    "data": {"values": values},
                    "mark": {"type": "text", "color": charts.INK, "fontSize": 10, "dy": -9},
                    "encoding": {
                        "longitude": {"field": "lon", "type": "quantitative"},
                        "latitude": {"field": "lat", "type": "quantitative"},
                        "text": {"field": "name"},
                    },
                }
            )
        spec = charts._spec(
            language,
            _("Map of the member organisations; every organisation is listed in the table."),
            height=map_height(bounds),
            projection={"type": "mercator", "fit": fit_feature(bounds)},
            layer=layers,
        )
        return spec
