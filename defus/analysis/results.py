"""Estimates of a wave as rows: the one source of every number the platform shows.

The dashboard, the report, the tables, the API and `defus analysis estimate` all take their
figures from `estimate_item` and its siblings, so disclosure control (disclosure.py) and the
base rule hold everywhere:

- Shares leave "don't know" / "don't go there" and missing answers out of their base; those
  special answers are reported as shares of their own, with all answers as the base.
- Means are computed for ordinal scales, numbers and indices (substantive answers only).
- The random sample is weighted; answers via the open link form a base of their own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ..fieldwork.models import AGE_GROUPS, GENDERS
from ..instrument.definition import Index, Instrument
from .disclosure import suppress
from .estimation import DomainEstimates, count_table, cronbach_alpha, difference, domain_means
from .margins import WaveDesign, margin_label

BY_VARIABLES = ("district", "gender", "age_group")
JSON_KEYS = (
    "item",
    "statistic",
    "codes",
    "by",
    "group",
    "n",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "suppressed",
)


class AnalysisError(ValueError):
    """A request the data cannot answer (unknown item, a text item asked for a mean, …)."""


@dataclass
class Estimate:
    item: str
    statistic: str  # "share" or "mean"
    codes: list[int] | None
    by: str | None
    group: str | int | None
    n: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    suppressed: bool = False
    group_label: str = ""  # for people; not part of the JSON

    def as_json(self) -> dict[str, Any]:
        row = {key: getattr(self, key) for key in JSON_KEYS}
        if self.suppressed:
            for key in ("n", "estimate", "se", "ci_low", "ci_high"):
                row[key] = None
        else:
            for key in ("estimate", "se", "ci_low", "ci_high"):
                value = row[key]
                row[key] = None if value is None or not np.isfinite(value) else float(value)
            row["n"] = int(self.n)
        return row

    @property
    def family(self) -> tuple[Any, ...]:
        """Rows that together form one table row (one item, statistic and answer set)."""
        return (self.item, self.statistic, tuple(self.codes or ()), self.by)


def minimum_cell() -> int:
    return int(getattr(settings, "DEFUS_MIN_CELL", 5))


@dataclass
class Groups:
    """A breakdown: each base row's group (−1: none) and the groups' values and labels."""

    by: str | None
    index: np.ndarray
    values: list[str | int | None]
    labels: list[str] = field(default_factory=list)

    _cell_group: np.ndarray | None = None
    _checked: bool = False

    @property
    def count(self) -> int:
        return len(self.values)

    def cell_group(self, design: WaveDesign) -> np.ndarray | None:
        """The group of every weighting cell, if each cell lies in one group (else None)."""
        if not self._checked:
            self._checked = True
            first = np.full(design.design.cells, -1, dtype=np.int64)
            first[design.design.cell[::-1]] = self.index[::-1]
            if np.array_equal(first[design.design.cell], self.index):
                self._cell_group = first
        return self._cell_group


def groups_for(design: WaveDesign, by: str | None, language: str = "de") -> Groups:
    key = ("groups", by, language)
    if key not in design.cache:
        with translation.override(language):
            design.cache[key] = _groups_for(design, by, language)
    return design.cache[key]


def _groups_for(design: WaveDesign, by: str | None, language: str) -> Groups:
    data, rows = design.data, design.rows
    if by is None:
        return Groups(None, np.zeros(len(rows), dtype=np.int64), [None], [_("all")])
    if by == "district":
        return Groups(
            by,
            data.stratum[rows].astype(np.int64),
            [d.code for d in data.districts],
            [d.name for d in data.districts],
        )
    if by == "gender":
        names = {"female": _("women"), "male": _("men"), "diverse": _("diverse")}
        return Groups(
            by, data.gender[rows].astype(np.int64), list(GENDERS), [names[g] for g in GENDERS]
        )
    if by == "age_group":
        return Groups(by, data.age_group[rows].astype(np.int64), list(AGE_GROUPS), list(AGE_GROUPS))
    instrument = _instrument(design)
    item = instrument.item_index.get(by)
    if item is None or item.kind != "single" or item.scale is None:
        raise AnalysisError(
            _(
                "%(by)s cannot be used for a breakdown: use district, gender, age_group or "
                "an item with answer categories."
            )
            % {"by": by}
        )
    codes = list(item.scale.codes)
    lookup = np.full(max(codes) + 11, -1, dtype=np.int64)
    lookup[np.array(codes)] = np.arange(len(codes))
    values = data.items[by][rows]
    index = np.where(values >= 0, lookup[np.clip(values, 0, len(lookup) - 1)], -1)
    return Groups(by, index, list(codes), [o.text(language) for o in item.scale.options])


def _instrument(design: WaveDesign) -> Instrument:
    if design.instrument is None:
        raise AnalysisError("the design knows no instrument")
    return design.instrument


@dataclass
class Values:
    """An item's answers in the base: counts per cell and value, and what each value is."""

    cell_table: np.ndarray  # (K, V) respondents per weighting cell and value (base only)
    values: np.ndarray  # (V,) numeric value of each position
    codes: list[int]  # answer code of each position (for single/multi items)
    substantive: np.ndarray  # (V,) bool: part of the base of shares and means
    kind: str  # "single", "multi", "number", "index"
    ordinal: bool = False
    row_index: np.ndarray | None = None  # (rows,) position in `values`, −1 outside; lazy

    def index(self, design: WaveDesign, code: str) -> np.ndarray:
        if self.row_index is None:
            answers = design.answers(code)
            lookup = np.full(int(answers.max(initial=0)) + CODE_OFFSET + 1, -1, dtype=np.int64)
            for position, value in enumerate(self.codes):
                if 0 <= value + CODE_OFFSET < len(lookup):
                    lookup[value + CODE_OFFSET] = position
            self.row_index = lookup[np.clip(answers + CODE_OFFSET, 0, len(lookup) - 1)]
        return self.row_index


CODE_OFFSET = 10  # answers start at −9 (no answer): shifted to be array positions


def item_values(design: WaveDesign, code: str) -> Values:
    instrument = _instrument(design)
    index_spec = next((i for i in instrument.indices if i.code == code), None)
    if index_spec is not None:
        return _index_values(design, index_spec)
    item = instrument.item_index.get(code)
    if item is None:
        raise AnalysisError(_("There is no item %(code)s in this wave.") % {"code": code})
    if item.kind == "text":
        raise AnalysisError(
            _("%(code)s is an open answer: see the unsafe places instead.") % {"code": code}
        )
    # One pass over the answers: respondents per (cell, answer code).
    answers = design.answers(code)
    width = int(answers.max(initial=0)) + CODE_OFFSET + 1
    key = design.design.cell * width + (answers + CODE_OFFSET)
    per_code = np.bincount(key, minlength=design.design.cells * width).reshape(-1, width)
    present = [c - CODE_OFFSET for c in np.flatnonzero(per_code.sum(axis=0))]
    if item.kind == "single":
        assert item.scale is not None
        codes = list(item.scale.codes)
        special = set(item.scale.special_codes)
        substantive = np.array([c not in special for c in codes])
        ordinal = item.scale.ordinal
    elif item.kind == "multi":
        codes, substantive, ordinal = [0, 1], np.array([True, True]), False
    else:  # number
        codes = [c for c in present if c >= 0]
        substantive, ordinal = np.ones(len(codes), dtype=bool), True
    columns = [c + CODE_OFFSET for c in codes]
    table = np.zeros((design.design.cells, len(codes)))
    inside = [i for i, column in enumerate(columns) if 0 <= column < width]
    table[:, inside] = per_code[:, [columns[i] for i in inside]]
    return Values(table, np.array(codes, dtype=float), codes, substantive, item.kind, ordinal)


def _index_values(design: WaveDesign, spec: Index) -> Values:
    instrument = _instrument(design)
    matrix = index_matrix(design, spec, instrument)
    answered = (~np.isnan(matrix)).sum(axis=1)
    filled = np.where(np.isnan(matrix), 0.0, matrix)
    score = np.asarray(filled.sum(axis=1) / np.maximum(answered, 1), dtype=float)
    score[answered < spec.minimum_answers] = np.nan
    valid = ~np.isnan(score)
    rounded = np.round(score, 10)
    values = np.unique(rounded[valid])
    index = np.full(len(score), -1, dtype=np.int64)
    index[valid] = np.searchsorted(values, rounded[valid])
    cells = design.design.cells
    key = design.design.cell[valid] * len(values) + index[valid]
    table = np.bincount(key, minlength=cells * len(values)).reshape(cells, len(values))
    return Values(
        table.astype(float),
        values,
        [],
        np.ones(len(values), dtype=bool),
        "index",
        True,
        row_index=index,
    )


def index_matrix(design: WaveDesign, spec: Index, instrument: Instrument) -> np.ndarray:
    """Rows × index items: substantive answers as numbers, NaN otherwise."""
    columns = []
    for code in spec.items:
        item = instrument.item(code)
        answers = design.answers(code).astype(float)
        special = set(item.scale.special_codes) if item.scale else set()
        bad = answers < 0
        for s in special:
            bad |= answers == s
        columns.append(np.where(bad, np.nan, answers))
    return np.column_stack(columns) if columns else np.zeros((len(design.rows), 0))


def index_alpha(design: WaveDesign, code: str) -> float:
    instrument = _instrument(design)
    spec = next((i for i in instrument.indices if i.code == code), None)
    if spec is None:
        raise AnalysisError(_("There is no index %(code)s.") % {"code": code})
    return cronbach_alpha(index_matrix(design, spec, instrument))


def share_base(values: Values, share: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """The values in the base of a share of `share` (the substantive answers and the counted
    ones, so that a share of "don't know" is of all answers) and each value's 0/1."""
    counted = np.isin(values.codes, list(share))
    return values.substantive | counted, counted.astype(float)


def _pick(result: DomainEstimates, p: int) -> DomainEstimates:
    return DomainEstimates(
        result.estimate[p], result.se[p], result.n, result.weight_total, result.covariance[p]
    )


def _rows(
    item: str,
    statistic: str,
    codes: list[int] | None,
    groups: Groups,
    result: DomainEstimates,
) -> list[Estimate]:
    low, high = result.ci()
    out = []
    for g in range(groups.count):
        out.append(
            Estimate(
                item=item,
                statistic=statistic,
                codes=codes,
                by=groups.by,
                group=groups.values[g],
                n=int(result.n[g]),
                estimate=float(result.estimate[g]),
                se=float(result.se[g]),
                ci_low=float(low[g]),
                ci_high=float(high[g]),
                group_label=groups.labels[g] if g < len(groups.labels) else "",
            )
        )
    return out


def estimate_item(
    design: WaveDesign,
    code: str,
    *,
    by: str | None = None,
    share: Sequence[int] | None = None,
    language: str = "de",
    with_total: bool = True,
    minimum: int | None = None,
) -> list[Estimate]:
    """Rows for one item (or index): a share of `share`, or else its distribution (one share
    per answer, special answers on their own base) and, for ordered answers, the mean. With
    `by`, the overall row comes first, then one row per group; small cells are suppressed."""
    values = item_values(design, code)
    breakdowns = [groups_for(design, None, language)]
    if by is not None:
        breakdowns = ([breakdowns[0]] if with_total else []) + [groups_for(design, by, language)]
    rows: list[Estimate] = []
    for groups in breakdowns:
        rows.extend(
            _item_rows(design, code, values, share, groups, table(design, code, values, groups))
        )
    return suppress(rows, minimum_cell() if minimum is None else minimum)


def table(design: WaveDesign, code: str, values: Values, groups: Groups) -> np.ndarray:
    """Respondents per (cell, group, value). A breakdown that is constant within weighting
    cells (district, mostly gender and age group) comes from the item's cell table; any other
    needs one more pass over the answers."""
    cell_group = groups.cell_group(design)
    if cell_group is not None:
        out = np.zeros((design.design.cells, groups.count, len(values.values)))
        inside = np.flatnonzero(cell_group >= 0)
        out[inside, cell_group[inside], :] = values.cell_table[inside]
        return out
    return count_table(
        design.design, groups.index, groups.count, values.index(design, code), len(values.values)
    )


def _item_rows(
    design: WaveDesign,
    code: str,
    values: Values,
    share: Sequence[int] | None,
    groups: Groups,
    count: np.ndarray,
) -> list[Estimate]:
    rows: list[Estimate] = []
    if share is not None:
        wanted = [int(c) for c in share]
        unknown = [c for c in wanted if c not in values.codes]
        if values.kind == "index" or unknown:
            raise AnalysisError(
                _("%(codes)s are not answer codes of %(item)s.")
                % {"codes": ", ".join(map(str, unknown or wanted)), "item": code}
            )
        base, y = share_base(values, wanted)
        result = domain_means(design.design, count[:, :, base], y[base])
        return _rows(code, "share", wanted, groups, result)
    base = values.substantive
    if values.kind in ("single", "multi"):
        positions = np.flatnonzero(base)
        if positions.size:
            result = domain_means(design.design, count[:, :, base], np.eye(len(positions)))
            for p, position in enumerate(positions):
                rows.extend(
                    _rows(code, "share", [values.codes[position]], groups, _pick(result, p))
                )
        special = np.flatnonzero(~base)
        if special.size:
            y = np.eye(len(values.values))[:, special]
            result = domain_means(design.design, count, y)
            for p, position in enumerate(special):
                rows.extend(
                    _rows(code, "share", [values.codes[position]], groups, _pick(result, p))
                )
    if values.ordinal or values.kind in ("number", "index"):
        result = domain_means(design.design, count[:, :, base], values.values[base])
        rows.extend(_rows(code, "mean", None, groups, result))
    return rows


def estimate_items(
    design: WaveDesign,
    codes: Sequence[str],
    *,
    by: str | None = None,
    share: Sequence[int] | None = None,
    language: str = "de",
    minimum: int | None = None,
) -> list[Estimate]:
    rows: list[Estimate] = []
    for code in codes:
        rows.extend(
            estimate_item(design, code, by=by, share=share, language=language, minimum=minimum)
        )
    return rows


def key_indicators(
    design: WaveDesign, *, by: str | None = None, language: str = "de"
) -> list[tuple[Any, list[Estimate]]]:
    """The instrument's key indicators: (indicator, rows) with rows as estimate_item gives."""
    instrument = _instrument(design)
    out = []
    for indicator in instrument.indicators:
        if indicator.item not in instrument.item_index:
            continue
        out.append(
            (
                indicator,
                estimate_item(
                    design, indicator.item, by=by, share=indicator.share, language=language
                ),
            )
        )
    return out


def group_difference(
    design: WaveDesign,
    code: str,
    *,
    by: str,
    first: str | int,
    second: str | int,
    share: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Difference of two groups of one wave (share or, without `share`, mean) with a
    design-based z test (the groups' covariance included). Hidden if either group is hidden
    in the breakdown table – a difference would give a hidden figure away."""
    values = item_values(design, code)
    groups = groups_for(design, by)
    if first not in groups.values or second not in groups.values:
        raise AnalysisError(
            _("Unknown group: %(by)s has the groups %(groups)s.")
            % {"by": by, "groups": ", ".join(str(v) for v in groups.values)}
        )
    if share is None and not (values.ordinal or values.kind in ("number", "index")):
        raise AnalysisError(
            _("%(item)s has no ordered answers: compare a share (give the answer codes).")
            % {"item": code}
        )
    count = table(design, code, values, groups)
    if share is not None:
        base, y = share_base(values, share)
        statistic, codes = "share", [int(c) for c in share]
    else:
        base, y = values.substantive, values.values
        statistic, codes = "mean", None
    result = domain_means(design.design, count[:, :, base], y[base])
    a, b = groups.values.index(first), groups.values.index(second)
    rows = suppress(_rows(code, statistic, codes, groups, result), minimum_cell())
    out = difference(
        float(result.estimate[a]),
        float(result.se[a]),
        float(result.estimate[b]),
        float(result.se[b]),
        float(result.covariance[a, b]),
    )
    out["n"] = [int(result.n[a]), int(result.n[b])]
    out["estimates"] = [float(result.estimate[a]), float(result.estimate[b])]
    out["suppressed"] = rows[a].suppressed or rows[b].suppressed
    if out["suppressed"]:
        out.update(dict.fromkeys(("difference", "se", "ci_low", "ci_high", "p_value")))
        out["n"] = out["estimates"] = None
    return out


def wave_difference(now: Estimate, before: Estimate) -> dict[str, Any]:
    """Difference between two waves (independent samples) for matching rows."""
    if now.suppressed or before.suppressed:
        return dict.fromkeys(("difference", "se", "ci_low", "ci_high", "p_value"), None) | {
            "suppressed": True
        }
    return difference(now.estimate, now.se, before.estimate, before.se) | {"suppressed": False}


# --- open answers: unsafe places ------------------------------------------------------------


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@dataclass
class PlaceShare:
    code: str
    name: str
    mentions: int
    share: float | None
    se: float | None
    suppressed: bool


def place_patterns(places: Sequence[Any]) -> list[tuple[Any, re.Pattern[str]]]:
    out = []
    for place in places:
        names = [place.name, *[a for a in (place.aliases or "").splitlines() if a.strip()]]
        alternatives = "|".join(re.escape(_fold(n.strip())) for n in names if n.strip())
        out.append((place, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")))
    return out


def unsafe_places(
    design: WaveDesign, places: Sequence[Any], *, item: str = "K3", minimum: int | None = None
) -> tuple[list[PlaceShare], int]:
    """Weighted share of all respondents in the base naming each place in the open answer,
    ranked; places named by fewer than the minimum are suppressed. Also: answers naming none."""
    minimum = minimum_cell() if minimum is None else minimum
    texts = design.data.texts.get(item)
    if texts is None:
        return [], 0
    # Most answers are empty (the question is asked only of those who avoid places).
    written = [(row, _fold(texts[i])) for row, i in enumerate(design.rows) if texts[i]]
    out = []
    named_any = np.zeros(len(design.rows), dtype=bool)
    everyone = np.zeros(len(design.rows), dtype=np.int64)
    for place, pattern in place_patterns(places):
        hit = np.zeros(len(design.rows), dtype=bool)
        hit[[row for row, text in written if pattern.search(text)]] = True
        named_any |= hit
        count = count_table(design.design, everyone, 1, hit.astype(np.int64), 2)
        result = domain_means(design.design, count, np.array([0.0, 1.0]))
        mentions = int(hit.sum())
        hidden = mentions < minimum
        out.append(
            PlaceShare(
                place.code,
                place.name,
                0 if hidden else mentions,
                None if hidden else float(result.estimate[0]),
                None if hidden else float(result.se[0]),
                hidden,
            )
        )
    out.sort(key=lambda p: (p.suppressed, -(p.share or 0.0), p.name))
    uncoded = sum(1 for row, _text in written if not named_any[row])
    return out, uncoded


def base_statement(design: WaveDesign) -> str:
    """The base and the rules, stated in every output."""
    if design.base == "open_link":
        base = _(
            "Base: answers via the open link – not a random sample, unweighted; they do not "
            "represent the population."
        )
    elif not design.weighted:
        base = _("Base: the random sample, unweighted.")
    else:
        base = _(
            "Base: the random sample, weighted to the population (design weights, raked to "
            "%(margins)s)."
        ) % {"margins": ", ".join(margin_label(m) for m in design.margins)}
    return " ".join(
        [
            base,
            _(
                "Shares and means leave out “don't know”, “don't go there” and missing "
                "answers; those are shown as shares of all answers. 95 %% confidence "
                "intervals by Taylor linearisation. Figures based on fewer than %(n)d "
                "respondents are not shown, nor a second figure that would reveal them."
            )
            % {"n": minimum_cell()},
        ]
    )


def estimates_as_json(rows: Sequence[Estimate]) -> list[dict[str, Any]]:
    return [row.as_json() for row in rows]
