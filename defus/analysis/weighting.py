"""Design weights and raking, computed on weighting cells.

Every respondent's weight depends only on their sampling district and their categories of the
raking margins, so respondents are collapsed into *cells* (one per combination that occurs).
Raking and the variance of every estimate then run on a few hundred cells instead of up to a
million rows, with arithmetic identical to R's `survey` package:

- `rake` follows `survey::rake`: each iteration post-stratifies on every margin in order,
  then compares the weighted cross-table of all margin variables with the previous one;
  `tolerance` < 1 is relative to the sum of design weights (as `control$epsilon` there).
- The design is stratified by sampling district, one stage, no finite population correction
  (`svydesign(ids=~1, strata=~district, weights=~design_weight)`), so `Design` keeps, for each
  cell, its stratum and, for each margin, the weights right after that margin's last
  post-stratification — what `svyrecvar` uses to project influence functions on the margins.

tests/analysis/rsurvey holds the R script and its reference output that show the equality.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.formats import number_format
from django.utils.translation import gettext as _

DEFAULT_TOLERANCE = 1e-10  # relative to the sum of design weights
DEFAULT_MAX_ITERATIONS = 100
RAKING_SWEEPS = 10  # survey::svyrecvar projects on the raking margins with 10 sweeps


class WeightingError(ValueError):
    """Margins and sample cannot be matched; the message says which category and why."""


@dataclass
class Margin:
    """One raking margin: a population total per category and each row's category."""

    name: str
    labels: list[str]
    population: np.ndarray  # (C,) totals
    category: np.ndarray  # (n,) index into labels for every row in the base


@dataclass
class Design:
    """The weighted design collapsed to cells (all rows of a cell share every attribute)."""

    cell: np.ndarray  # (n,) cell of each row in the base
    count: np.ndarray  # (K,) rows per cell
    weight: np.ndarray  # (K,) final weight of a row in the cell
    stratum: np.ndarray  # (K,) sampling stratum of the cell
    stratum_count: np.ndarray  # (H,) rows per stratum
    margin_category: list[np.ndarray] = field(default_factory=list)  # per margin: (K,) category
    margin_weight: list[np.ndarray] = field(default_factory=list)  # per margin: (K,) weights
    margin_count: list[np.ndarray] = field(default_factory=list)  # per margin: (C,) rows
    _onehot: list[np.ndarray] | None = field(default=None, repr=False)
    _projection: np.ndarray | None = field(default=None, repr=False)
    _strata: np.ndarray | None = field(default=None, repr=False)

    @property
    def cells(self) -> int:
        return len(self.count)

    def row_weights(self) -> np.ndarray:
        return self.weight[self.cell]

    def projection(self) -> np.ndarray:
        """(K × K) linear map from per-cell sums of z to the per-row shift that
        `svyrecvar`'s raking sweeps subtract in each cell (10 sweeps over the margins in
        order, each removing, within every category, the mean of z / psw times psw)."""
        if self._projection is None:
            cells = len(self.count)
            z_sum = np.eye(cells)
            shift = np.zeros((cells, cells))
            count = self.count[:, None]
            for _sweep in range(RAKING_SWEEPS):
                for onehot, psw, rows in zip(
                    self.margin_onehot(), self.margin_weight, self.margin_count, strict=True
                ):
                    sums = onehot @ ((z_sum - count * shift) / psw[:, None])
                    means = sums / np.where(rows > 0, rows, 1.0)[:, None]
                    shift += psw[:, None] * (onehot.T @ means)
            self._projection = shift
        return self._projection

    def strata_onehot(self) -> np.ndarray:
        """(H × K) 0/1 matrix: which cells lie in each stratum."""
        if self._strata is None:
            self._strata = np.zeros((len(self.stratum_count), len(self.count)))
            self._strata[self.stratum, np.arange(len(self.count))] = 1.0
        return self._strata

    def margin_onehot(self) -> list[np.ndarray]:
        """Per margin, a (categories × cells) 0/1 matrix (sums over categories by product)."""
        if self._onehot is None:
            self._onehot = []
            for category, rows in zip(self.margin_category, self.margin_count, strict=True):
                matrix = np.zeros((len(rows), len(category)))
                matrix[category, np.arange(len(category))] = 1.0
                self._onehot.append(matrix)
        return self._onehot


@dataclass
class RakeResult:
    design: Design
    iterations: int
    converged: bool
    trimmed_cells: int = 0


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique rows of a (n, p) integer matrix: (index per row, first row of each group)."""
    if keys.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # Mixed-radix code: one integer per row (categories are small non-negative ints).
    radix = keys.max(axis=0).astype(np.int64) + 1
    code = np.zeros(keys.shape[0], dtype=np.int64)
    for column in range(keys.shape[1]):
        code = code * radix[column] + keys[:, column]
    if int(np.prod(radix)) <= 10_000_000:
        # Few possible combinations: counting beats sorting a million codes.
        present = np.flatnonzero(np.bincount(code))
        lookup = np.full(int(present[-1]) + 1, -1, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        inverse = lookup[code]
        first = np.empty(len(present), dtype=np.int64)
        first[inverse[::-1]] = np.arange(len(code) - 1, -1, -1)
        return inverse, first
    _uniques, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    return inverse.astype(np.int64), first


def build_cells(
    stratum: np.ndarray, margins: Sequence[Margin], design_weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """Cells from stratum × margin categories: (cell per row, count, design weight, stratum,
    margin categories), the last three per cell."""
    keys = np.column_stack([stratum, *[m.category for m in margins]]).astype(np.int64)
    cell, first = _groups(keys)
    count = np.bincount(cell, minlength=len(first)).astype(np.float64)
    weights = design_weight[first]
    if not np.allclose(np.bincount(cell, weights=design_weight) / count, weights, rtol=1e-12):
        raise ValueError("design weights must be constant within strata")
    return cell, count, weights, stratum[first], [m.category[first] for m in margins]


def rake(
    stratum: np.ndarray,
    design_weight: np.ndarray,
    margins: Sequence[Margin],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iterations: int = DEFAULT_MAX_ITERATIONS,
    trim: float | None = None,
) -> RakeResult:
    """Rake design weights to the margins; optionally cap weights at `trim` × median and rake
    again (repeated until no weight exceeds the cap or the iteration limit is reached)."""
    check_margins(margins)
    cell, count, weight, strata_of_cell, categories = build_cells(stratum, margins, design_weight)
    result = _rake_cells(count, weight, categories, margins, tolerance, max_iterations)
    trimmed = 0
    if trim is not None:
        for _round in range(max_iterations):
            cap = trim * _weighted_median(result.weight, count)
            over = result.weight > cap * (1 + 1e-9)
            if not over.any():
                break
            trimmed = max(trimmed, int(over.sum()))
            capped = np.minimum(result.weight, cap)
            result = _rake_cells(count, capped, categories, margins, tolerance, max_iterations)
    n_strata = int(stratum.max()) + 1 if len(stratum) else 0
    design = Design(
        cell=cell,
        count=count,
        weight=result.weight,
        stratum=strata_of_cell,
        stratum_count=np.bincount(stratum, minlength=n_strata).astype(np.float64),
        margin_category=categories,
        margin_weight=result.margin_weights,
        margin_count=[
            np.bincount(m.category, minlength=len(m.labels)).astype(np.float64) for m in margins
        ],
    )
    return RakeResult(design, result.iterations, result.converged, trimmed)


@dataclass
class _CellRake:
    weight: np.ndarray
    margin_weights: list[np.ndarray]
    iterations: int
    converged: bool


def _rake_cells(
    count: np.ndarray,
    weight: np.ndarray,
    categories: list[np.ndarray],
    margins: Sequence[Margin],
    tolerance: float,
    max_iterations: int,
) -> _CellRake:
    weight = weight.astype(np.float64).copy()
    epsilon = tolerance * float(np.dot(count, weight)) if tolerance < 1 else tolerance
    # The convergence table: weighted totals over the cross of all margin variables.
    if categories:
        table_key, _first = _groups(np.column_stack(categories))
    else:
        table_key = np.zeros(len(count), dtype=np.int64)
    n_table = int(table_key.max()) + 1 if len(table_key) else 0
    old_table = np.bincount(table_key, weights=count * weight, minlength=n_table)
    margin_weights = [weight.copy() for _ in margins]
    iterations, converged = 0, not margins
    while iterations < max_iterations and margins:
        for position, margin in enumerate(margins):
            totals = np.bincount(
                categories[position], weights=count * weight, minlength=len(margin.labels)
            )
            weight = weight * (margin.population / totals)[categories[position]]
            margin_weights[position] = weight.copy()
        new_table = np.bincount(table_key, weights=count * weight, minlength=n_table)
        if np.max(np.abs(old_table - new_table)) < epsilon:
            converged = True
            break
        old_table = new_table
        iterations += 1
    return _CellRake(weight, margin_weights, iterations, converged)


def _weighted_median(values: np.ndarray, counts: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(counts[order])
    position = int(np.searchsorted(cumulative, cumulative[-1] / 2.0))
    return float(values[order][position])


def check_margins(margins: Sequence[Margin]) -> None:
    """Raise WeightingError when a margin cannot be matched by the sample."""
    totals = [float(m.population.sum()) for m in margins]
    for margin in margins:
        present = np.bincount(margin.category, minlength=len(margin.labels))
        for index, label in enumerate(margin.labels):
            population = margin.population[index]
            if present[index] and not population > 0:
                raise WeightingError(
                    _(
                        "Margin %(margin)s: respondents in category %(category)s, "
                        "but its population is zero or missing."
                    )
                    % {"margin": margin.name, "category": label}
                )
            if not present[index] and population > 0:
                raise WeightingError(
                    _(
                        "Margin %(margin)s: no respondent in category %(category)s "
                        "(population %(population)s). Merge it with a neighbouring category "
                        "or leave the margin out."
                    )
                    % {
                        "margin": margin.name,
                        "category": label,
                        "population": number_format(population, 0, force_grouping=True),
                    }
                )
    if totals and max(totals) - min(totals) > 1e-6 * max(totals):
        raise WeightingError(
            _("The margins have different totals: %(totals)s. They must describe one population.")
            % {
                "totals": ", ".join(
                    f"{m.name} {number_format(t, 0, force_grouping=True)}"
                    for m, t in zip(margins, totals, strict=True)
                )
            }
        )


def diagnostics(design: Design) -> dict[str, Any]:
    """Weight range, Kish design effect and effective sample size."""
    n = float(design.count.sum())
    if not n:
        return {"n": 0}
    total = float(np.dot(design.count, design.weight))
    squares = float(np.dot(design.count, design.weight**2))
    mean = total / n
    return {
        "n": int(n),
        "population": total,
        "weight_min": float(design.weight.min()) / mean,
        "weight_max": float(design.weight.max()) / mean,
        "weight_ratio": float(design.weight.max() / design.weight.min()),
        "design_effect": n * squares / total**2,
        "effective_n": total**2 / squares,
    }
