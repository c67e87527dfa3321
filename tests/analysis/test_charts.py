"""Chart specifications: Vega-Lite structure, no suppressed number in the data, texts and
numbers in the requested language, and images through vl-convert."""

from __future__ import annotations

import json
import math
import re
from types import SimpleNamespace
from typing import Any

import pytest

from defus.analysis import charts
from defus.analysis.results import Estimate

from .support import square


def estimate(
    item: str = "A1",
    value: float = 0.42,
    *,
    n: int = 120,
    by: str | None = None,
    group: Any = None,
    statistic: str = "share",
    codes: list[int] | None = None,
    suppressed: bool = False,
    label: str = "",
) -> Estimate:
    return Estimate(
        item=item,
        statistic=statistic,
        codes=[1, 2] if codes is None and statistic == "share" else codes,
        by=by,
        group=group,
        n=n,
        estimate=value,
        se=0.021,
        ci_low=value - 0.041,
        ci_high=value + 0.041,
        suppressed=suppressed,
        group_label=label,
    )


SECRET = 0.123456789  # the estimate of every suppressed row below: it must never show


def hidden(item: str = "A9", **kwargs: Any) -> Estimate:
    return estimate(item, SECRET, n=3, suppressed=True, **kwargs)


def layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec.get("layer", [spec])


def data_values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    values = list(spec.get("data", {}).get("values", []))
    for layer in spec.get("layer", []):
        values += layer.get("data", {}).get("values", [])
    return values


def assert_valid_vega_lite(spec: dict[str, Any]) -> None:
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v5")
    assert spec["description"]
    assert "locale" in spec["config"]
    for layer in layers(spec):
        mark = layer["mark"]
        assert (mark if isinstance(mark, str) else mark["type"]) in {
            "bar",
            "rule",
            "text",
            "point",
            "geoshape",
        }
        assert isinstance(layer.get("encoding", {}), dict)
    json.dumps(spec, allow_nan=False)  # plain JSON: no NaN, no objects


def assert_no_secret(spec: dict[str, Any]) -> None:
    text = json.dumps(spec)
    for number in (SECRET, SECRET - 0.041, SECRET + 0.041):
        assert repr(number) not in text
    assert "12 %" not in text and "12%" not in text


def test_indicator_chart_has_bars_error_bars_and_a_note_for_suppressed_rows() -> None:
    rows = [estimate("A1", 0.42), estimate("A4", 0.7, n=98), hidden("K1")]
    labels = {"A1": "feel safe at night", "A4": "feel safe in the city", "K1": "avoid places"}
    spec = charts.indicator_chart(rows, labels, "en", title="Key indicators")
    assert_valid_vega_lite(spec)
    assert_no_secret(spec)
    marks = [layer["mark"]["type"] for layer in layers(spec)]
    assert marks[:3] == ["bar", "rule", "text"]
    bar = layers(spec)[0]["encoding"]
    assert bar["x"]["field"] == "estimate" and bar["x"]["scale"]["domain"] == [0, 1]
    assert bar["x"]["axis"]["format"] == ".0%"
    assert layers(spec)[1]["encoding"]["x2"] == {"field": "ci_high"}
    values = data_values(spec)
    assert [v["name"] for v in values] == list(labels.values())
    assert values[0]["estimate"] == 0.42 and values[0]["n"] == 120
    assert values[2] == {
        "label": "avoid places",
        "name": "avoid places",
        "note": "fewer than 5 respondents",
    }
    # The y axis keeps the suppressed row, in the given order.
    assert bar["y"]["scale"]["domain"] == [v["label"] for v in values]


def test_labels_wrap_and_group_rows_use_their_group_labels() -> None:
    rows = [
        estimate(by="gender", group="female", label="women"),
        estimate(by="gender", group="male", label="men", value=0.5),
    ]
    spec = charts.indicator_chart(rows, {}, "en")
    assert [v["name"] for v in data_values(spec)] == ["women", "men"]
    long = charts.indicator_chart([estimate()], {"A1": "word " * 20}, "en")
    assert "\n" in data_values(long)[0]["label"]
    assert charts.row_label(rows[0], {("A1", "female"): "Frauen"}) == "Frauen"


def test_means_get_a_numeric_axis() -> None:
    spec = charts.indicator_chart(
        [estimate("SAFETY_DAY", 2.31, statistic="mean")], {}, "de", domain=(1, 5)
    )
    x = layers(spec)[0]["encoding"]["x"]
    assert x["scale"]["domain"] == [1, 5] and x["axis"]["format"] == ".1f"
    assert data_values(spec)[0]["text"] == "2,31"
    assert "Mittelwert" in x["axis"]["title"]


def test_distribution_chart_stacks_substantive_answers_and_hides_suppressed_items() -> None:
    shares = [0.2, 0.3, 0.25, 0.15, 0.1]
    items = {
        "A2_01": [estimate("A2_01", share, codes=[code]) for code, share in enumerate(shares, 1)]
        + [estimate("A2_01", 0.05, codes=[8])],
        "A2_02": [hidden("A2_02", codes=[code]) for code in range(1, 6)],
    }
    answers = {1: "very safe", 2: "fairly safe", 3: "neither", 4: "fairly unsafe", 5: "very unsafe"}
    spec = charts.distribution_chart(items, {"A2_01": "home", "A2_02": "park"}, answers, "fr")
    assert_valid_vega_lite(spec)
    assert_no_secret(spec)
    bars = [v for v in data_values(spec) if "estimate" in v]
    assert [v["answer"] for v in bars] == list(answers.values())  # special answer left out
    assert math.isclose(sum(v["estimate"] for v in bars), 1.0)
    colour = layers(spec)[0]["encoding"]["color"]["scale"]
    assert colour["domain"] == list(answers.values())
    assert colour["range"] == charts.DIVERGING[5]
    assert layers(spec)[0]["encoding"]["x"]["stack"] == "zero"
    notes = [v for v in data_values(spec) if "note" in v]
    assert notes == [{"label": "park", "name": "park", "note": "moins de 5 personnes interrogées"}]
    assert bars[0]["text"] == "20\u202f%"
    categorical = charts.distribution_chart(items, {}, answers, "en", ordinal=False)
    assert layers(categorical)[0]["encoding"]["color"]["scale"]["range"][0] == "#0072B2"


def district(code: str, name: str, column: int | None) -> SimpleNamespace:
    return SimpleNamespace(
        code=code, name=name, boundary=square(column) if column is not None else None
    )


def test_district_map_shades_districts_and_greys_out_what_is_not_shown() -> None:
    districts = [
        district("01", "Altstadt", 1),
        district("02", "Bahnhofsviertel", 2),
        district("03", "Nordstadt", 3),
        district("04", "Südpark", None),  # no boundary: not on the map
    ]
    rows = [
        estimate(by="district", group="01", value=0.4),
        estimate(by="district", group="02", value=0.6),
        hidden(by="district", group="03"),
        estimate(by="district", group="04", value=0.5),
    ]
    spec = charts.district_map(rows, districts, "feel safe", "de")
    assert_valid_vega_lite(spec)
    assert_no_secret(spec)
    shapes, grey, names = layers(spec)
    assert shapes["mark"]["type"] == grey["mark"]["type"] == "geoshape"
    shaded = shapes["data"]["values"]
    assert [f["properties"]["name"] for f in shaded] == ["Altstadt", "Bahnhofsviertel"]
    assert shaded[0]["properties"]["estimate"] == 0.4
    assert shapes["encoding"]["color"]["field"] == "properties.estimate"
    assert [f["properties"]["name"] for f in grey["data"]["values"]] == ["Nordstadt"]
    assert "estimate" not in grey["data"]["values"][0]["properties"]
    legend = grey["encoding"]["color"]["scale"]
    assert legend == {"domain": ["weniger als 5 Befragte"], "range": [charts.NOT_SHOWN]}
    assert [n["name"] for n in names["data"]["values"]] == [
        "Altstadt",
        "Bahnhofsviertel",
        "Nordstadt",
    ]
    assert spec["resolve"]["scale"]["color"] == "independent"
    assert "url" not in json.dumps(spec)  # no tiles, no external data
    # RFC 7946 rings (counter-clockwise) are turned the way d3 needs them (clockwise).
    ring = shaded[0]["geometry"]["coordinates"][0]
    assert charts._signed_area(ring) < 0


def test_comparison_chart_matches_rows_of_both_waves() -> None:
    now = [estimate("A1", 0.42), estimate("A4", 0.7), hidden("K1")]
    before = [estimate("A1", 0.38), hidden("K1"), estimate("V1_05", 0.1)]
    spec = charts.comparison_chart(now, before, {"A1": "safe", "K1": "avoid"}, "en")
    assert_valid_vega_lite(spec)
    assert_no_secret(spec)
    values = data_values(spec)
    assert [(v["label"], v["series"], v["estimate"]) for v in values] == [
        ("safe", "previous wave", 0.38),
        ("safe", "this wave", 0.42),
    ]
    y = layers(spec)[0]["encoding"]["y"]
    assert y["scale"]["domain"] == ["safe", "avoid"]  # the hidden pair keeps its line, empty
    assert charts.matched_rows(now, before)[0][1].estimate == 0.38


def test_tables_show_dashes_and_a_footnote_for_suppressed_figures() -> None:
    table = charts.chart_table([estimate(), hidden("K1")], {"A1": "safe"}, "de")
    assert table["rows"][0] == {
        "label": "safe",
        "estimate": "42\u00a0%",
        "ci": "38–46\u00a0%",
        "n": "120",
        "suppressed": False,
    }
    assert table["rows"][1]["estimate"] == table["rows"][1]["n"] == "–"
    assert "weniger als 5 Befragten" in table["footnote"]
    assert charts.chart_table([estimate()], {}, "en")["footnote"] == ""
    shares = [estimate("A1", 0.6, codes=[1]), estimate("A1", 0.4, codes=[2])]
    mean = estimate("A1", 1.4, statistic="mean")
    dist = charts.distribution_table(
        {"A1": [*shares, mean]}, {"A1": "all"}, {1: "yes", 2: "no"}, "en"
    )
    assert dist["answers"] == ["yes", "no"] and dist["has_mean"]
    assert dist["rows"][0]["cells"][0] == {"estimate": "60%", "ci": "56–64%"}
    assert dist["rows"][0]["mean"]["estimate"] == "1.40"


def test_formatting_follows_the_language() -> None:
    assert charts.format_percent(0.425, "de", 1) == "42,5\u00a0%"
    assert charts.format_percent(0.425, "fr", 1) == "42,5\u202f%"
    assert charts.format_percent(0.425, "en", 1) == "42.5%"
    assert charts.format_number(12345.5, 1, "de") == "12.345,5"
    assert charts.format_number(12345.5, 1, "fr") == "12\u202f345,5"
    assert charts.format_difference(-0.031, "share", "de") == "−3,1 Prozentpunkte"
    assert charts.format_difference(0.031, "share", "en") == "+3.1 points"
    assert charts.format_p(0.0001, "en") == "< 0.001"
    assert charts.format_estimate(hidden(), "en") == "–"


@pytest.mark.parametrize("language", ["de", "en", "fr"])
def test_render_svg_and_png(language: str) -> None:
    spec = charts.indicator_chart([estimate(), hidden("K1")], {"A1": "safe"}, language)
    svg = charts.render_svg(spec)
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    percent = {"de": "42\u00a0%", "en": "42%", "fr": "42\u202f%"}[language]
    assert percent in texts
    png = charts.render_png(spec, scale=1)
    assert png.startswith(b"\x89PNG")
    geo = charts.district_map(
        [estimate(by="district", group="01")], [district("01", "Altstadt", 1)], "x", language
    )
    assert "<path" in charts.render_svg(geo)
