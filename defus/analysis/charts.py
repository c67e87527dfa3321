"""Charts of estimates as Vega-Lite v5 specifications, and the tables that go with them.

A specification is a plain dict with its data inline; the dashboard hands it to vega-embed in
the browser, the report turns it into SVG or PNG with vl-convert (`render_svg`, `render_png`).
Every number comes from `results.Estimate` rows: a suppressed row never puts a figure into a
chart's data, it appears as a note ("fewer than N respondents") or as a grey district.

Texts are in the requested language, numbers formatted for it (config.locale of the spec and
`format_*` here for the tables). Colours: a blue–red diverging scale for ordered answers and the
Okabe–Ito palette otherwise (both readable with colour vision deficiencies), grey for what is
not shown. Each chart has a table with the same figures (`chart_table`, `distribution_table`,
`comparison_table`) for screen readers and for reading exact values.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _

from . import formatting
from .estimation import Z_95
from .results import Estimate, PlaceShare, minimum_cell

if TYPE_CHECKING:
    from .results import PlaceShare

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
VL_VERSION = "5.21"  # the Vega-Lite of vl-convert; the browser's 5.x reads the same specs
WIDTH = 520
LABEL_CHARS = 38  # wrap category labels after about this many characters
LINE_HEIGHT = 14

INK = "#1b1f24"
MUTED = "#4a5360"
BRAND = "#0b4f8a"
BAR = "#4a88c7"  # ≥ 3:1 against white and against the black CI rule drawn over it
NOT_SHOWN = "#909090"  # suppressed or absent (≥ 3:1 against white)
BEFORE = "#8c5a00"  # the previous wave in comparisons (dark orange, ≥ 3:1 on white)
# Okabe & Ito (2008): distinguishable with every common colour vision deficiency.
CATEGORICAL = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
# ColorBrewer RdBu (colour-blind safe), blue = the first (e.g. "very safe") answer.
DIVERGING = {
    2: ["#2166ac", "#d6604d"],
    3: ["#2166ac", "#bababa", "#b2182b"],
    4: ["#2166ac", "#92c5de", "#f4a582", "#b2182b"],
    5: ["#2166ac", "#92c5de", "#d9d9d9", "#f4a582", "#b2182b"],
    6: ["#2166ac", "#4393c3", "#92c5de", "#f4a582", "#d6604d", "#b2182b"],
    7: ["#2166ac", "#4393c3", "#92c5de", "#d9d9d9", "#f4a582", "#d6604d", "#b2182b"],
}
SEQUENTIAL = "blues"  # the choropleth: light = low, dark = high

# d3-format locales (as d3's de-DE, en-GB, fr-FR), with the space before % that German and
# French typography want.
NUMBER_LOCALES: dict[str, dict[str, Any]] = {
    "de": {
        "decimal": ",",
        "thousands": ".",
        "grouping": [3],
        "currency": ["", "\u00a0€"],
        "percent": "\u00a0%",
    },
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]},
    "fr": {
        "decimal": ",",
        "thousands": "\u202f",
        "grouping": [3],
        "currency": ["", "\u00a0€"],
        "percent": "\u202f%",
    },
}
DASH = "–"  # a suppressed cell in every table


# --- numbers as text -----------------------------------------------------------------------------


def _locale(language: str) -> dict[str, Any]:
    return NUMBER_LOCALES.get(language[:2], NUMBER_LOCALES["en"])


def format_number(value: float, decimals: int, language: str) -> str:
    return formatting.format_decimal(value, language, decimals)


def format_percent(share: float, language: str, decimals: int = 0) -> str:
    return formatting.format_share(share, language, decimals)


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def is_shown(row: Estimate) -> bool:
    """A row whose figures may appear: not suppressed and with an estimate."""
    return not row.suppressed and row.n > 0 and _finite(row.estimate)


# Figures as text: one implementation (formatting.py) for dashboard, report and tables.
format_estimate = formatting.format_estimate
format_ci = formatting.format_row_ci
format_n = formatting.format_row_n


def format_difference(value: float | None, statistic: str, language: str) -> str:
    """A difference of shares in percentage points, of means as a number; signed."""
    if not _finite(value):
        return DASH
    assert value is not None
    sign = "+" if value > 0 else ""
    if statistic == "share":
        points = format_number(100 * value, 1, language)
        with translation.override(language):
            return sign + _("%(points)s points") % {"points": points}
    return sign + format_number(value, 2, language)


def format_p(value: float | None, language: str) -> str:
    if not _finite(value):
        return DASH
    assert value is not None
    if value < 0.001:
        return "< " + format_number(0.001, 3, language)
    return format_number(value, 3, language)


def suppressed_note(language: str, minimum: int | None = None) -> str:
    with translation.override(language):
        return _("fewer than %(n)d respondents") % {"n": minimum or minimum_cell()}


# --- labels --------------------------------------------------------------------------------------


def row_label(row: Estimate, labels: Mapping[Any, str]) -> str:
    """A row's label: labels[(item, group)], labels[group] for a breakdown, labels[item],
    then the row's own group label or item code."""
    for key in ((row.item, row.group), row.group if row.by else None, row.item):
        if key is not None and key in labels:
            return str(labels[key])
        if key is not None and str(key) in labels:
            return str(labels[str(key)])
    return row.group_label or str(row.group if row.by else row.item)


def _wrap(text: str, width: int = LABEL_CHARS) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _lines(text: str) -> int:
    return text.count("\n") + 1


def _config(language: str) -> dict[str, Any]:
    return {
        "locale": {"number": _locale(language)},
        "font": "DejaVu Sans, system-ui, sans-serif",
        "view": {"stroke": None},
        "axis": {
            "labelColor": INK,
            "titleColor": INK,
            "labelFontSize": 12,
            "titleFontSize": 12,
            "domainColor": MUTED,
            "tickColor": MUTED,
            "gridColor": "#d9dde3",
        },
        "legend": {"labelColor": INK, "titleColor": INK, "labelFontSize": 12, "labelLimit": 320},
        "title": {"color": INK, "fontSize": 14, "anchor": "start", "subtitleColor": MUTED},
        # The figures are in the table beside each chart; screen readers get the chart's
        # description only (see the dashboard templates), not every mark.
        "aria": False,
    }


def _spec(language: str, description: str, title: str = "", **body: Any) -> dict[str, Any]:
    spec = {
        "$schema": SCHEMA,
        "description": description,
        "width": WIDTH,
        "config": _config(language),
        **body,
    }
    if title:
        spec["title"] = title
    return spec


def _value_axis(statistic: str, language: str, domain: Sequence[float] | None) -> dict[str, Any]:
    if statistic == "share":
        return {
            "scale": {"domain": [0, 1]},
            "axis": {"format": ".0%", "title": _("share (95 % confidence interval)")},
        }
    scale: dict[str, Any] = {"zero": False, "nice": True}
    if domain:
        scale["domain"] = list(domain)
    return {
        "scale": scale,
        "axis": {"format": ".1f", "title": _("mean (95 % confidence interval)")},
    }


def _tooltip(row: Estimate, language: str) -> str:
    return _("%(estimate)s (95 %% CI %(ci)s), n = %(n)s") % {
        "estimate": format_estimate(row, language),
        "ci": format_ci(row, language),
        "n": format_n(row, language),
    }


# --- the charts ----------------------------------------------------------------------------------


def indicator_chart(
    rows: Sequence[Estimate],
    labels: Mapping[Any, str],
    language: str,
    *,
    title: str = "",
    description: str = "",
    domain: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Horizontal bars with 95 % CI error bars: one bar per row (a key indicator each, or the
    groups of one breakdown). All rows share one statistic (shares in %, or means)."""
    with translation.override(language):
        statistic = rows[0].statistic if rows else "share"
        note = suppressed_note(language)
        order, values = [], []
        for row in rows:
            name = row_label(row, labels)
            label = _wrap(name)
            order.append(label)
            if is_shown(row):
                values.append(
                    {
                        "label": label,
                        "name": name,
                        "estimate": row.estimate,
                        "ci_low": max(row.ci_low, 0.0) if statistic == "share" else row.ci_low,
                        "ci_high": min(row.ci_high, 1.0) if statistic == "share" else row.ci_high,
                        "n": row.n,
                        "text": format_estimate(row, language),
                        "tooltip": _tooltip(row, language),
                    }
                )
            else:
                values.append({"label": label, "name": name, "note": note})
        lines = max((_lines(label) for label in order), default=1)
        value = _value_axis(statistic, language, domain)
        y = {
            "field": "label",
            "type": "nominal",
            "sort": None,
            "scale": {"domain": order},
            "axis": {
                "title": None,
                "labelLimit": 320,
                "labelExpr": "split(datum.label, '\\n')",
                "labelLineHeight": LINE_HEIGHT,
            },
        }
        shown = {"filter": "isValid(datum.estimate)"}
        layers = [
            {
                "transform": [shown],
                "mark": {"type": "bar", "color": BAR},
                "encoding": {
                    "y": y,
                    "x": {"field": "estimate", "type": "quantitative", **value},
                    "tooltip": {"field": "tooltip", "type": "nominal"},
                },
            },
            {
                "transform": [shown],
                "mark": {"type": "rule", "color": INK, "strokeWidth": 1.5},
                "encoding": {
                    "y": y,
                    "x": {"field": "ci_low", "type": "quantitative"},
                    "x2": {"field": "ci_high"},
                },
            },
            {
                "transform": [shown],
                "mark": {"type": "text", "align": "left", "dx": 4, "color": INK, "fontSize": 12},
                "encoding": {
                    "y": y,
                    "x": {"field": "ci_high", "type": "quantitative"},
                    "text": {"field": "text"},
                },
            },
            {
                "transform": [{"filter": "!isValid(datum.estimate)"}],
                "mark": {"type": "text", "align": "left", "color": MUTED, "fontSize": 12},
                "encoding": {
                    "y": y,
                    "x": {"datum": value["scale"].get("domain", [0])[0]},
                    "text": {"field": "note"},
                },
            },
        ]
        description = description or title or _("Bar chart with 95 % confidence intervals")
        return _spec(
            language,
            description,
            height={"step": max(24, lines * LINE_HEIGHT + 10)},
            data={"values": values},
            layer=layers,
            title=title,
        )


def distribution_chart(
    item_rows: Mapping[str, Sequence[Estimate]],
    item_labels: Mapping[str, str],
    answer_labels: Mapping[int, str],
    language: str,
    *,
    title: str = "",
    description: str = "",
    ordinal: bool = True,
) -> dict[str, Any]:
    """Stacked 100 % horizontal bars, one per key of `item_rows` (the items of a grid question,
    or the groups of a breakdown), one segment per answer of `answer_labels`.

    Pass only the substantive answers in `answer_labels`: special answers ("don't know") have
    all answers as their base and belong in the table, not in a stack that adds up to 100 %.
    """
    with translation.override(language):
        note = suppressed_note(language)
        codes = list(answer_labels)
        answers = [str(answer_labels[c]) for c in codes]
        order, values = [], []
        for key, rows in item_rows.items():
            name = str(item_labels.get(key, key))
            label = _wrap(name)
            order.append(label)
            shares = {
                r.codes[0]: r
                for r in rows
                if r.statistic == "share"
                and r.codes
                and len(r.codes) == 1
                and r.codes[0] in answer_labels
            }
            if shares and all(is_shown(r) for r in shares.values()):
                for position, code in enumerate(codes):
                    if code not in shares:
                        continue
                    row = shares[code]
                    values.append(
                        {
                            "label": label,
                            "name": name,
                            "answer": answers[position],
                            "order": position,
                            "estimate": row.estimate,
                            "text": format_estimate(row, language),
                            "tooltip": f"{name} – {answers[position]}: " + _tooltip(row, language),
                        }
                    )
            else:
                values.append({"label": label, "name": name, "note": note})
        lines = max((_lines(label) for label in order), default=1)
        palette = (DIVERGING.get(len(codes)) if ordinal else None) or CATEGORICAL[
            : max(len(codes), 1)
        ]
        if len(palette) < len(codes):
            palette = (CATEGORICAL * (len(codes) // len(CATEGORICAL) + 1))[: len(codes)]
        y = {
            "field": "label",
            "type": "nominal",
            "sort": None,
            "scale": {"domain": order},
            "axis": {
                "title": None,
                "labelLimit": 320,
                "labelExpr": "split(datum.label, '\\n')",
                "labelLineHeight": LINE_HEIGHT,
            },
        }
        layers = [
            {
                "transform": [{"filter": "isValid(datum.estimate)"}],
                "mark": {"type": "bar", "stroke": "#ffffff", "strokeWidth": 1},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "estimate",
                        "type": "quantitative",
                        "stack": "zero",
                        "scale": {"domain": [0, 1]},
                        "axis": {
                            "format": ".0%",
                            "values": [0, 0.25, 0.5, 0.75, 1],
                            "title": _("share of answers"),
                        },
                    },
                    "color": {
                        "field": "answer",
                        "type": "nominal",
                        "scale": {"domain": answers, "range": palette},
                        "legend": {"title": None, "orient": "bottom", "columns": 3},
                    },
                    "order": {"field": "order", "type": "quantitative"},
                    "tooltip": {"field": "tooltip", "type": "nominal"},
                },
            },
            {
                "transform": [{"filter": "!isValid(datum.estimate)"}],
                "mark": {"type": "text", "align": "left", "color": MUTED, "fontSize": 12},
                "encoding": {"y": y, "x": {"datum": 0}, "text": {"field": "note"}},
            },
        ]
        description = description or title or _("Stacked bar chart of the answers")
        return _spec(
            language,
            description,
            height={"step": max(24, lines * LINE_HEIGHT + 10)},
            data={"values": values},
            layer=layers,
            title=title,
        )


def district_map(
    rows: Sequence[Estimate],
    districts: Iterable[Any],
    title: str,
    language: str,
) -> dict[str, Any]:
    """A choropleth of one figure by district from the districts' GeoJSON boundaries (`.code`,
    `.name`, `.boundary` a GeoJSON geometry). Districts without a shown figure are grey, with
    the legend entry "fewer than N respondents". No tiles, no external data."""
    with translation.override(language):
        note = suppressed_note(language)
        by_code = {str(r.group): r for r in rows if r.by == "district"}
        statistic = next((r.statistic for r in rows), "share")
        features, hidden, names = [], [], []
        for district in districts:
            if not district.boundary:
                continue
            centre = _centroid(district.boundary)
            if centre is not None:
                names.append({"name": district.name, "lon": centre[0], "lat": centre[1]})
            row = by_code.get(str(district.code))
            properties: dict[str, Any] = {"name": district.name, "code": district.code}
            if row is not None and is_shown(row):
                properties |= {
                    "estimate": row.estimate,
                    "tooltip": f"{district.name}: {_tooltip(row, language)}",
                }
                features.append(_feature(district.boundary, properties))
            else:
                properties |= {"status": note, "tooltip": f"{district.name}: {note}"}
                hidden.append(_feature(district.boundary, properties))
        legend_format = ".0%" if statistic == "share" else ".1f"
        outline = {"stroke": MUTED, "strokeWidth": 0.8}
        layers: list[dict[str, Any]] = []
        if features:
            layers.append(
                {
                    "data": {"values": features},
                    "mark": {"type": "geoshape", **outline},
                    "encoding": {
                        "color": {
                            "field": "properties.estimate",
                            "type": "quantitative",
                            "scale": {
                                "scheme": {"name": SEQUENTIAL, "extent": [0.15, 0.75]},
                                "zero": False,
                                "nice": True,
                            },
                            "legend": {
                                "title": title,
                                "format": legend_format,
                                "orient": "bottom",
                                "gradientLength": 240,
                                "titleLimit": 480,
                            },
                        },
                        "tooltip": {"field": "properties.tooltip", "type": "nominal"},
                    },
                }
            )
        if hidden:
            layers.append(
                {
                    "data": {"values": hidden},
                    "mark": {"type": "geoshape", **outline},
                    "encoding": {
                        "color": {
                            "field": "properties.status",
                            "type": "nominal",
                            "scale": {"domain": [note], "range": [NOT_SHOWN]},
                            "legend": {"title": None, "orient": "bottom"},
                        },
                        "tooltip": {"field": "properties.tooltip", "type": "nominal"},
                    },
                }
            )
        if names:
            # Names on the map; the palette stops at a mid blue, so dark text stays readable.
            layers.append(
                {
                    "data": {"values": names},
                    "mark": {"type": "text", "color": INK, "fontSize": 11, "fontWeight": "bold"},
                    "encoding": {
                        "longitude": {"field": "lon", "type": "quantitative"},
                        "latitude": {"field": "lat", "type": "quantitative"},
                        "text": {"field": "name"},
                    },
                }
            )
        description = _("Map of the districts: %(title)s") % {"title": title}
        spec = _spec(
            language,
            description,
            height=WIDTH * 3 // 4,
            projection={"type": "mercator"},
            layer=layers or [_empty_layer()],
        )
        spec["resolve"] = {"scale": {"color": "independent"}, "legend": {"color": "independent"}}
        return spec


def _feature(geometry: Any, properties: dict[str, Any]) -> dict[str, Any]:
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    return {"type": "Feature", "geometry": _rewind(geometry), "properties": properties}


def _centroid(geometry: Any) -> tuple[float, float] | None:
    """A point to put the name at: the area centroid of the largest outer ring."""
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict):
        return None
    if geometry.get("type") == "Polygon":
        rings = [(geometry.get("coordinates") or [[]])[0]]
    elif geometry.get("type") == "MultiPolygon":
        rings = [polygon[0] for polygon in geometry.get("coordinates") or [] if polygon]
    else:
        return None
    rings = [ring for ring in rings if len(ring) >= 3]
    if not rings:
        return None
    ring = max(rings, key=lambda r: abs(_signed_area(r)))
    area = _signed_area(ring)
    if not area:
        return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    pairs = list(zip(ring, [*ring[1:], *ring[:1]], strict=True))
    x = sum((a[0] + b[0]) * (a[0] * b[1] - b[0] * a[1]) for a, b in pairs) / (3 * area)
    y = sum((a[1] + b[1]) * (a[0] * b[1] - b[0] * a[1]) for a, b in pairs) / (3 * area)
    return (x, y)


def _rewind(geometry: Any) -> Any:
    """Rings in the winding order Vega (d3-geo) expects: outer rings clockwise, holes
    counter-clockwise. GeoJSON files usually follow RFC 7946 (the opposite), which d3 reads as
    "everything but this polygon" and fills the whole map."""
    if not isinstance(geometry, dict):
        return geometry
    kind = geometry.get("type")
    if kind == "Polygon":
        return {**geometry, "coordinates": _rewind_polygon(geometry.get("coordinates") or [])}
    if kind == "MultiPolygon":
        polygons = [_rewind_polygon(p) for p in geometry.get("coordinates") or []]
        return {**geometry, "coordinates": polygons}
    if kind == "GeometryCollection":
        return {**geometry, "geometries": [_rewind(g) for g in geometry.get("geometries", [])]}
    return geometry


def _rewind_polygon(rings: Sequence[Sequence[Sequence[float]]]) -> list[list[Any]]:
    out = []
    for position, ring in enumerate(rings):
        points = [list(point) for point in ring]
        clockwise = _signed_area(points) < 0
        if clockwise != (position == 0):
            points.reverse()
        out.append(points)
    return out


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    """Twice the planar signed area (positive: counter-clockwise in longitude/latitude)."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, [*ring[1:], *ring[:1]], strict=True))


def _empty_layer() -> dict[str, Any]:
    return {"data": {"values": []}, "mark": "geoshape"}


def comparison_chart(
    now_rows: Sequence[Estimate],
    before_rows: Sequence[Estimate],
    labels: Mapping[Any, str],
    language: str,
    *,
    now_label: str = "",
    before_label: str = "",
    title: str = "",
) -> dict[str, Any]:
    """This wave against the previous one: per row two points with 95 % CIs, matched on item,
    statistic, answer codes and group; rows found in only one wave are left out."""
    with translation.override(language):
        now_label = now_label or _("this wave")
        before_label = before_label or _("previous wave")
        pairs = matched_rows(now_rows, before_rows)
        return series_chart(
            [(before_label, [b for _n, b in pairs]), (now_label, [n for n, _b in pairs])],
            labels,
            language,
            title=title,
            description=_("Comparison of this wave with the previous wave"),
            colours=[BEFORE, BRAND],
            shapes=["diamond", "circle"],
        )


def series_chart(
    series: Sequence[tuple[str, Sequence[Estimate]]],
    labels: Mapping[Any, str],
    language: str,
    *,
    title: str = "",
    description: str = "",
    colours: Sequence[str] | None = None,
    shapes: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Several series of the same figures side by side (waves, cities): one line per row of the
    first series, one point with its 95 % CI per series; rows are matched as in
    `matched_rows`, suppressed ones are left out of the data."""
    with translation.override(language):
        names = [name for name, _rows in series]
        first = series[0][1] if series else []
        keyed = [{_row_key(r): r for r in rows} for _name, rows in series]
        statistic = first[0].statistic if first else "share"
        order, values = [], []
        for reference in first:
            label_text = row_label(reference, labels)
            label = _wrap(label_text)
            order.append(label)
            for name, rows in zip(names, keyed, strict=True):
                row = rows.get(_row_key(reference))
                if row is None or not is_shown(row):
                    continue
                low, high = row.ci_low, row.ci_high
                if statistic == "share":
                    low, high = max(low, 0.0), min(high, 1.0)
                values.append(
                    {
                        "label": label,
                        "series": name,
                        "estimate": row.estimate,
                        "ci_low": low,
                        "ci_high": high,
                        "tooltip": f"{label_text} – {name}: {_tooltip(row, language)}",
                    }
                )
        lines = max((_lines(label) for label in order), default=1)
        value = _value_axis(statistic, language, None)
        y = {
            "field": "label",
            "type": "nominal",
            "sort": None,
            "scale": {"domain": order},
            "axis": {
                "title": None,
                "labelLimit": 320,
                "labelExpr": "split(datum.label, '\\n')",
                "labelLineHeight": LINE_HEIGHT,
            },
        }
        palette = list(colours or CATEGORICAL)
        palette = (palette * (len(names) // len(palette) + 1))[: len(names)]
        marks = list(shapes or ["circle", "diamond", "square", "triangle-up", "cross"])
        marks = (marks * (len(names) // len(marks) + 1))[: len(names)]
        colour = {
            "field": "series",
            "type": "nominal",
            "scale": {"domain": names, "range": palette},
            "legend": {"title": None, "orient": "bottom", "columns": 2},
        }
        offset = {"field": "series", "type": "nominal", "sort": names}
        layers = [
            {
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {
                    "y": y,
                    "yOffset": offset,
                    "x": {"field": "ci_low", "type": "quantitative", **value},
                    "x2": {"field": "ci_high"},
                    "color": colour,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 70, "opacity": 1},
                "encoding": {
                    "y": y,
                    "yOffset": offset,
                    "x": {"field": "estimate", "type": "quantitative"},
                    "color": colour,
                    "shape": {
                        "field": "series",
                        "type": "nominal",
                        "scale": {"domain": names, "range": marks},
                        "legend": None,
                    },
                    "tooltip": {"field": "tooltip", "type": "nominal"},
                },
            },
        ]
        step = max(16 * len(names) + 12, lines * LINE_HEIGHT + 14)
        return _spec(
            language,
            title or description or _("Comparison"),
            height={"step": step},
            data={"values": values},
            layer=layers,
            title=title,
        )


def _row_key(row: Estimate) -> tuple[Any, ...]:
    return (row.item, row.statistic, tuple(row.codes or ()), row.by, row.group)


def matched_rows(
    now_rows: Sequence[Estimate], before_rows: Sequence[Estimate]
) -> list[tuple[Estimate, Estimate]]:
    """Pairs of rows that describe the same figure in two waves, in the order of `now_rows`."""

    before = {_row_key(r): r for r in before_rows}
    return [(r, before[_row_key(r)]) for r in now_rows if _row_key(r) in before]


# --- tables beside the charts --------------------------------------------------------------------


def chart_table(
    rows: Sequence[Estimate], labels: Mapping[Any, str], language: str
) -> dict[str, Any]:
    """The figures of an indicator chart or map as text: label, estimate, 95 % CI, n.

    {"columns": [...], "rows": [{"label", "estimate", "ci", "n", "suppressed"}],
     "footnote": "– fewer than N respondents …" or ""}"""
    with translation.override(language):
        out = [
            {
                "label": row_label(row, labels),
                "estimate": format_estimate(row, language),
                "ci": format_ci(row, language),
                "n": format_n(row, language),
                "suppressed": not is_shown(row),
            }
            for row in rows
        ]
        return {
            "columns": [_("Estimate"), _("95 % confidence interval"), _("Respondents (n)")],
            "rows": out,
            "footnote": table_footnote(language) if any(r["suppressed"] for r in out) else "",
        }


def distribution_table(
    item_rows: Mapping[str, Sequence[Estimate]],
    item_labels: Mapping[str, str],
    answer_labels: Mapping[int, str],
    language: str,
    *,
    special_labels: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """The figures of a distribution chart: one row per bar, one cell per answer (share and
    95 % CI), the mean where there is one, and n (respondents in the base of the shares).
    `special_labels` adds columns for special answers, whose base is all answers."""
    with translation.override(language):
        special_labels = special_labels or {}
        answers = [*answer_labels, *special_labels]
        has_mean = any(r.statistic == "mean" for rows in item_rows.values() for r in rows)
        out = []
        any_hidden = False
        for key, rows in item_rows.items():
            shares = {
                r.codes[0]: r
                for r in rows
                if r.statistic == "share" and r.codes and len(r.codes) == 1
            }
            cells = []
            for code in answers:
                row = shares.get(code)
                cells.append(
                    {"estimate": format_estimate(row, language), "ci": format_ci(row, language)}
                    if row is not None
                    else {"estimate": DASH, "ci": ""}
                )
                any_hidden |= row is not None and not is_shown(row)
            mean = next((r for r in rows if r.statistic == "mean"), None)
            base = next((shares[c] for c in answer_labels if c in shares), None)
            any_hidden |= mean is not None and not is_shown(mean)
            out.append(
                {
                    "label": str(item_labels.get(key, key)),
                    "cells": cells,
                    "mean": (
                        {
                            "estimate": format_estimate(mean, language),
                            "ci": format_ci(mean, language),
                        }
                        if mean is not None
                        else None
                    ),
                    "n": format_n(base, language) if base is not None else DASH,
                }
            )
        return {
            "answers": [str(answer_labels[c]) for c in answer_labels],
            "special": [str(special_labels[c]) for c in special_labels],
            "has_mean": has_mean,
            "rows": out,
            "footnote": table_footnote(language) if any_hidden else "",
        }


def comparison_table(
    pairs: Sequence[tuple[Estimate, Estimate, Mapping[str, Any]]],
    labels: Mapping[Any, str],
    language: str,
) -> dict[str, Any]:
    """Rows of (now, before, results.wave_difference(now, before)) as text."""
    with translation.override(language):
        out = []
        for now, before, diff in pairs:
            out.append(
                {
                    "label": row_label(now, labels),
                    "now": format_estimate(now, language),
                    "now_ci": format_ci(now, language),
                    "now_n": format_n(now, language),
                    "before": format_estimate(before, language),
                    "before_ci": format_ci(before, language),
                    "before_n": format_n(before, language),
                    "difference": format_difference(
                        diff.get("difference"), now.statistic, language
                    ),
                    "p_value": format_p(diff.get("p_value"), language),
                    "suppressed": bool(diff.get("suppressed")),
                }
            )
        return {
            "rows": out,
            "footnote": table_footnote(language) if any(r["suppressed"] for r in out) else "",
        }


def places_table(places: Sequence[PlaceShare], language: str) -> dict[str, Any]:
    """The ranked unsafe places (results.unsafe_places) as text."""
    with translation.override(language):
        rows = [
            {
                "name": p.name,
                "share": DASH
                if p.suppressed or p.share is None
                else format_percent(p.share, language, 1),
                "mentions": DASH if p.suppressed else format_number(p.mentions, 0, language),
                "suppressed": p.suppressed,
            }
            for p in places
        ]
        return {
            "rows": rows,
            "footnote": table_footnote(language) if any(r["suppressed"] for r in rows) else "",
        }


def table_footnote(language: str) -> str:
    with translation.override(language):
        return _(
            "– not shown: based on fewer than %(n)d respondents, or it would reveal such a figure."
        ) % {"n": minimum_cell()}


# --- images --------------------------------------------------------------------------------------


def render_svg(spec: Mapping[str, Any]) -> str:
    """The chart as an SVG document (for the report's HTML and PDF)."""
    import vl_convert

    return str(vl_convert.vegalite_to_svg(vl_spec=dict(spec), vl_version=VL_VERSION))


def render_png(spec: Mapping[str, Any], scale: float = 2) -> bytes:
    import vl_convert

    return bytes(vl_convert.vegalite_to_png(vl_spec=dict(spec), vl_version=VL_VERSION, scale=scale))


def places_chart(places: Sequence[PlaceShare], language: str, *, title: str = "") -> dict[str, Any]:
    """The unsafe places of results.unsafe_places as bars (share of respondents naming each,
    with its 95 % CI); hidden places show the usual note and no number."""
    rows = [
        Estimate(
            item="places",
            statistic="share",
            codes=None,
            by="place",
            group=place.code,
            n=place.mentions,
            estimate=float("nan") if place.share is None else place.share,
            se=float("nan") if place.se is None else place.se,
            ci_low=float("nan") if place.share is None else place.share - Z_95 * (place.se or 0),
            ci_high=float("nan") if place.share is None else place.share + Z_95 * (place.se or 0),
            suppressed=place.suppressed,
            group_label=place.name,
        )
        for place in places
    ]
    return indicator_chart(rows, {p.code: p.name for p in places}, language, title=title)
