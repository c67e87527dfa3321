"""formatting.py: figures written alike in the dashboard, the report and the tables."""

from __future__ import annotations

import math

import pytest

from defus.analysis import charts
from defus.analysis.formatting import (
    MISSING,
    SUPPRESSED,
    format_ci,
    format_decimal,
    format_estimate,
    format_mean,
    format_number,
    format_row_ci,
    format_row_n,
    format_share,
)
from defus.analysis.results import Estimate


def row(statistic: str = "share", **values: object) -> Estimate:
    fields: dict = {
        "item": "A1",
        "statistic": statistic,
        "codes": [1, 2] if statistic == "share" else None,
        "by": None,
        "group": None,
        "n": 769,
        "estimate": 0.4377,
        "se": 0.017,
        "ci_low": 0.4041,
        "ci_high": 0.4713,
    }
    fields.update(values)
    return Estimate(**fields)


@pytest.mark.parametrize(
    ("language", "share", "ci", "mean", "count"),
    [
        ("de", "44\u00a0%", "40–47\u00a0%", "2,67", "1.234"),
        ("en", "44%", "40–47%", "2.67", "1,234"),
        ("fr", "44\u202f%", "40–47\u202f%", "2,67", "1\u202f234"),
    ],
)
def test_each_language_writes_numbers_its_own_way(language, share, ci, mean, count) -> None:
    assert format_share(0.4377, language) == share
    assert format_ci(0.4041, 0.4713, language) == ci
    assert format_mean(2.6686, language) == mean
    assert format_number(1234, language) == count


def test_rows_are_written_as_the_dashboard_writes_them() -> None:
    for language in ("de", "en", "fr"):
        for estimate in (row(), row("mean", estimate=2.6686, ci_low=2.60, ci_high=2.73)):
            assert format_estimate(estimate, language) == charts.format_estimate(estimate, language)
            assert format_row_ci(estimate, language) == charts.format_ci(estimate, language)
            assert format_row_n(estimate, language) == charts.format_n(estimate, language)


def test_suppressed_and_missing_figures_print_nothing_of_the_figure() -> None:
    hidden = row(suppressed=True, n=3)
    assert format_estimate(hidden, "de") == SUPPRESSED
    assert format_row_ci(hidden, "de") == SUPPRESSED
    assert format_row_n(hidden, "de") == SUPPRESSED
    empty = row(n=0, estimate=math.nan, ci_low=math.nan, ci_high=math.nan)
    assert format_estimate(empty, "en") == SUPPRESSED
    assert format_share(None, "en") == MISSING
    assert format_ci(math.nan, 0.2, "en") == MISSING


def test_limits_of_shares_stay_within_0_and_100_percent_and_minus_is_a_minus() -> None:
    assert format_ci(-0.012, 0.031, "de") == "0–3\u00a0%"
    assert format_ci(0.97, 1.004, "en") == "97–100%"
    assert format_decimal(-1.5, "de", 1) == "−1,5"
    assert format_decimal(-0.001, "en", 2) == "0.00"
    assert format_ci(2.1, 2.35, "fr", kind="mean") == "2,10–2,35"
