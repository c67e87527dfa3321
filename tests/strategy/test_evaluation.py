"""Evaluation of priorities: the figures are results.estimate_item's in both waves, the
p-value is results.wave_difference's, suppression holds and the target is judged."""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest
from django.core.cache import cache

from defus.analysis import charts
from defus.analysis.margins import wave_design
from defus.analysis.results import Estimate, estimate_item, wave_difference
from defus.strategy.evaluation import (
    evaluate,
    evaluation_chart,
    evaluation_table,
    later_wave,
    target_met,
)
from defus.walks.models import Walk

from .support import make_priority, two_waves

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()


def row_of(wave: Any, item: str, share: list[int] | None, by: str | None, group: Any) -> Estimate:
    rows = estimate_item(wave_design(wave), item, by=by, share=share, language="en")
    statistic = "share" if share else "mean"
    return next(
        r
        for r in rows
        if r.statistic == statistic and r.by == by and (by is None or str(r.group) == group)
    )


def same(a: Estimate, b: Estimate) -> None:
    assert (a.n, a.suppressed) == (b.n, b.suppressed)
    for key in ("estimate", "se", "ci_low", "ci_high"):
        assert math.isclose(getattr(a, key), getattr(b, key), rel_tol=1e-12), key


def test_figures_equal_results_py_in_both_waves_for_a_group(org_a: Any) -> None:
    before, now = two_waves(org_a)
    assert later_wave(before) == now and later_wave(now) is None
    priority = make_priority(org_a, before, group_by="gender", group="female", target=70)

    evaluation = evaluate(priority, "en")

    assert evaluation.current is not None and evaluation.current.wave == now
    base_row = row_of(before, "A1", [1, 2], "gender", "female")
    now_row = row_of(now, "A1", [1, 2], "gender", "female")
    assert evaluation.baseline.row is not None and evaluation.current.row is not None
    same(evaluation.baseline.row, base_row)
    same(evaluation.current.row, now_row)
    expected = wave_difference(now_row, base_row)
    assert evaluation.difference is not None
    assert math.isclose(evaluation.difference["p_value"], expected["p_value"], rel_tol=1e-12)
    assert math.isclose(evaluation.difference["difference"], expected["difference"])
    # Target 70 % above the baseline: met when the current share has reached 0.70.
    assert evaluation.target_met == (now_row.estimate >= 0.70)
    assert evaluation.who == "women"

    table = evaluation_table(evaluation, "en")
    assert table["baseline"]["value"] == charts.format_estimate(base_row, "en")
    assert table["current"]["ci"] == charts.format_ci(now_row, "en")
    assert table["p_value"] == charts.format_p(expected["p_value"], "en")
    assert table["target"] == "70%"


def test_an_index_mean_for_everybody_and_a_target_below_the_baseline(org_a: Any) -> None:
    before, now = two_waves(org_a, per_district=20)
    baseline = row_of(before, "SAFETY_NIGHT", None, None, None)
    target = round(baseline.estimate - 0.3, 2)  # the index runs 1 safe … 5 unsafe: lower
    priority = make_priority(
        org_a, before, item="SAFETY_NIGHT", share=[], target=target, label="index"
    )
    evaluation = evaluate(priority, "de")
    current = row_of(now, "SAFETY_NIGHT", None, None, None)
    assert evaluation.statistic == "mean"
    assert evaluation.baseline.row is not None and evaluation.current is not None
    same(evaluation.baseline.row, baseline)
    assert evaluation.current.row is not None
    same(evaluation.current.row, current)
    assert evaluation.target_met == (current.estimate <= target)
    # The label follows the language of the page, not the one stored.
    assert evaluation.label.startswith("Index Sicherheitsgefühl")
    # The chart (baseline, now, target) is a valid Vega-Lite spec.
    spec = evaluation_chart(evaluation, "de")
    assert spec is not None
    assert "<svg" in charts.render_svg(spec)


def test_target_direction() -> None:
    def row(value: float) -> Estimate:
        return Estimate("A1", "share", [1], None, None, 100, value, 0.01, 0, 1)

    assert target_met(row(0.4), row(0.55), 0.5) is True
    assert target_met(row(0.4), row(0.45), 0.5) is False
    assert target_met(row(0.4), row(0.25), 0.3) is True  # a target below: reduce
    assert target_met(row(0.4), row(0.35), 0.3) is False


def test_suppressed_group_is_shown_as_suppressed_never_a_number(org_a: Any) -> None:
    before, _now = two_waves(org_a, per_district=20, small_now={"04": 3})
    priority = make_priority(org_a, before, group_by="district", group="04", target=50)
    evaluation = evaluate(priority, "en")
    assert evaluation.current is not None and evaluation.current.row is not None
    assert evaluation.current.row.suppressed
    assert evaluation.difference is not None and evaluation.difference["suppressed"]
    assert evaluation.difference["p_value"] is None
    assert evaluation.target_met is None
    table = evaluation_table(evaluation, "en")
    assert table["current"]["value"] == charts.DASH
    assert table["current"]["n"] == charts.DASH
    assert table["difference_suppressed"] and table["status"] == ""
    # The chart leaves the hidden figure out.
    spec = evaluation_chart(evaluation, "en")
    assert spec is not None
    assert [v["series"] for v in spec["data"]["values"]] == [before.title]


def test_without_a_later_wave_only_the_baseline(org_a: Any) -> None:
    from tests.analysis.support import make_analysis_wave

    wave = make_analysis_wave(org_a, per_district=20)
    priority = make_priority(org_a, wave)
    evaluation = evaluate(priority, "en")
    assert evaluation.current is None and evaluation.difference is None
    assert evaluation.baseline.row is not None
    assert evaluation_table(evaluation, "en")["current"] is None


def test_repeat_walks_of_the_priority_district(org_a: Any) -> None:
    before, _now = two_waves(org_a, per_district=10)
    station = before.districts.get(code="02")
    park = before.districts.get(code="04")
    first = Walk.objects.create(
        organisation=org_a, district=station, title="Bahnhof 1", date=datetime.date(2025, 5, 1)
    )
    repeat = Walk.objects.create(
        organisation=org_a,
        district=station,
        title="Bahnhof 2",
        date=datetime.date(2026, 5, 1),
        repeat_of=first,
    )
    elsewhere = Walk.objects.create(
        organisation=org_a, district=park, title="Park", date=datetime.date(2025, 5, 1)
    )
    Walk.objects.create(
        organisation=org_a,
        district=park,
        title="Park again",
        date=datetime.date(2026, 5, 1),
        repeat_of=elsewhere,
    )
    priority = make_priority(org_a, before, group_by="district", group="02")
    pairs = evaluate(priority, "en").walks
    assert [(p.walk, p.first) for p in pairs] == [(repeat, first)]
    city_wide = make_priority(org_a, before)
    assert len(evaluate(city_wide, "en").walks) == 2
