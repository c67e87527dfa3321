"""How figures are written, the same in the dashboard, the report and the tables.

Shares as whole percentages, means with two decimals, in the conventions of each language:
German „43 %“ and „2,41“, English "43%" and "2.41", French « 43 % » and « 2,41 » (narrow
no-break space) – the d3 locales of the charts (charts.NUMBER_LOCALES) write the same.
Suppressed figures (disclosure.py) and missing ones (no answers at all) print as a dash, which
a table footnote explains. Only rounding happens here: every figure comes from results.py.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .results import Estimate

SUPPRESSED = "–"  # too few respondents (or it would reveal such a figure)
MISSING = "–"  # no answers in the base
NBSP, NNBSP = "\u00a0", "\u202f"
SHARE_DECIMALS = 0
MEAN_DECIMALS = 2

_DECIMAL_MARK = {"de": ",", "en": ".", "fr": ","}
_GROUPING_MARK = {"de": ".", "en": ",", "fr": NNBSP}
_PERCENT = {"de": NBSP + "%", "en": "%", "fr": NNBSP + "%"}


def _known(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _language(language: str) -> str:
    base = (language or "de").split("-")[0].lower()
    return base if base in _DECIMAL_MARK else "en"


def format_decimal(value: float | None, language: str, decimals: int = MEAN_DECIMALS) -> str:
    """A number with `decimals` places, the language's decimal mark and digit grouping."""
    if not _known(value):
        return MISSING
    assert value is not None
    language = _language(language)
    text = f"{abs(value):,.{decimals}f}"
    whole, _dot, fraction = text.partition(".")
    whole = whole.replace(",", _GROUPING_MARK[language])
    sign = "−" if value < 0 and float(text.replace(",", "")) != 0 else ""
    return sign + whole + (_DECIMAL_MARK[language] + fraction if fraction else "")


def format_number(value: int | float | None, language: str) -> str:
    """A count: 1.234 (de), 1,234 (en), 1 234 (fr)."""
    return format_decimal(None if value is None else float(value), language, 0)


def _percent_digits(share: float, decimals: int) -> str:
    # Shares are proportions; a confidence limit outside [0, 1] is printed at the limit.
    return f"{min(max(share, 0.0), 1.0) * 100:.{decimals}f}"


def format_share(value: float | None, language: str, decimals: int = SHARE_DECIMALS) -> str:
    """A proportion (0.4377) as a percentage: "44 %" (de), "44%" (en), "44 %" (fr)."""
    if not _known(value):
        return MISSING
    assert value is not None
    language = _language(language)
    digits = _percent_digits(value, decimals).replace(".", _DECIMAL_MARK[language])
    return digits + _PERCENT[language]


def format_mean(value: float | None, language: str, decimals: int = MEAN_DECIMALS) -> str:
    return format_decimal(value, language, decimals)


def format_ci(
    low: float | None,
    high: float | None,
    language: str,
    *,
    kind: str = "share",
    decimals: int | None = None,
) -> str:
    """A 95 % confidence interval: "40–47 %" for shares, "2,35–2,47" for means (kind="mean")."""
    if not (_known(low) and _known(high)):
        return MISSING
    assert low is not None and high is not None
    language = _language(language)
    if kind == "share":
        places = SHARE_DECIMALS if decimals is None else decimals
        first, second = (
            _percent_digits(v, places).replace(".", _DECIMAL_MARK[language]) for v in (low, high)
        )
        return f"{first}–{second}{_PERCENT[language]}"
    places = MEAN_DECIMALS if decimals is None else decimals
    return f"{format_decimal(low, language, places)}–{format_decimal(high, language, places)}"


def format_estimate(row: Estimate, language: str) -> str:
    """A row of results.py as printed: its share or mean, or SUPPRESSED."""
    if row.suppressed or row.n == 0:
        return SUPPRESSED
    if row.statistic == "share":
        return format_share(row.estimate, language)
    return format_mean(row.estimate, language)


def format_row_ci(row: Estimate, language: str) -> str:
    """The confidence interval of a row of results.py, or SUPPRESSED."""
    if row.suppressed or row.n == 0:
        return SUPPRESSED
    kind = "share" if row.statistic == "share" else "mean"
    return format_ci(row.ci_low, row.ci_high, language, kind=kind)


def format_row_n(row: Estimate, language: str) -> str:
    return SUPPRESSED if row.suppressed else format_number(row.n, language)
