"""Weighted means and shares in domains with Taylor-linearised variances for a raked design.

What R's `survey` computes for `svymean(~y, design, na.rm=TRUE)` and
`svyby(~y, ~group, design, svymean, na.rm=TRUE)` on a raked, stratified design, done on cells
(see weighting.py): for domain g with rows i, weights w and values y,

    estimate  = Σ w y / Σ w
    z_i       = w_i (y_i − estimate) / Σ w          (0 outside the domain)
    Pz        = z projected on the raking margins (10 sweeps of `svyrecvar`)
    variance  = Σ_h n_h/(n_h − 1) Σ_{i∈h} (Pz_i − mean_h Pz)²

Rows of one cell share weight, stratum and margin categories, so every sum needs only per-cell
totals of z and z²; those come from one table of counts per (cell, group, value).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .weighting import Design

Z_95 = 1.959963984540054  # qnorm(0.975)


@dataclass
class DomainEstimates:
    estimate: np.ndarray  # (G,) — or (P, G) for several statistics at once
    se: np.ndarray
    n: np.ndarray  # (G,) unweighted rows in the base of each group
    weight_total: np.ndarray  # (G,)
    covariance: np.ndarray  # (G, G) — or (P, G, G)

    def ci(self) -> tuple[np.ndarray, np.ndarray]:
        return self.estimate - Z_95 * self.se, self.estimate + Z_95 * self.se


def count_table(
    design: Design, group: np.ndarray, groups: int, value_index: np.ndarray, values: int
) -> np.ndarray:
    """Rows per (cell, group, value); rows with group or value < 0 are left out."""
    keep = (group >= 0) & (value_index >= 0)
    key = (design.cell[keep] * groups + group[keep]) * values + value_index[keep]
    size = design.cells * groups * values
    return np.bincount(key, minlength=size).reshape(design.cells, groups, values).astype(float)


def domain_means(design: Design, table: np.ndarray, values: np.ndarray) -> DomainEstimates:
    """Weighted mean of `values` in each group from a (cell, group, value) count table.

    A share is the mean of a 0/1 value; leave the values outside the base out of the table.
    `values` may be (V, P): P statistics on the same base at once (e.g. every answer's share).
    """
    single = values.ndim == 1
    y = values[:, None] if single else values  # (V, P)
    weight = design.weight
    rows = table.sum(axis=2)  # (K, G)
    weight_total = weight @ rows  # (G,)
    safe_total = np.where(weight_total > 0, weight_total, 1.0)
    cells, groups, levels = table.shape
    weighted_counts = (weight @ table.reshape(cells, groups * levels)).reshape(groups, levels)
    estimate = weighted_counts @ y / safe_total[:, None]  # (G, P)
    centred = y[None, :, :] - estimate[:, None, :]  # (G, V, P)
    scale = (weight[:, None] / safe_total[None, :])[:, :, None]  # (K, G, 1)
    by_group = table.transpose(1, 0, 2)  # (G, K, V)
    z_sum = np.matmul(by_group, centred).transpose(1, 0, 2) * scale  # (K, G, P)
    z_square = np.matmul(by_group, centred**2).transpose(1, 0, 2) * scale**2
    stats = z_sum.shape[2]
    shift = (design.projection() @ z_sum.reshape(cells, groups * stats)).reshape(z_sum.shape)
    residual = z_sum - design.count[:, None, None] * shift
    n_h = design.stratum_count
    factor = np.where(n_h > 1, n_h / np.where(n_h > 1, n_h - 1, 1), 0.0)  # lonely units: 0
    per_cell = factor[design.stratum]  # (K,)
    # Σ_{i∈h} Pz_i Pz_i' = Σ z z' − Σ s z' − Σ z s' + Σ n s s' over the cells of stratum h;
    # domains are disjoint, so Σ z_g z_g' vanishes for g ≠ g'.
    shift_p = shift.transpose(2, 1, 0)  # (P, G, K)
    cross = -np.matmul(shift_p * per_cell, z_sum.transpose(2, 0, 1))  # (P, G, G)
    cross += cross.transpose(0, 2, 1)
    cross += np.matmul(shift_p * (per_cell * design.count), shift.transpose(2, 0, 1))
    diagonal = (per_cell @ z_square.reshape(cells, groups * stats)).reshape(groups, stats)
    cross[:, np.arange(groups), np.arange(groups)] += diagonal.T
    totals = (design.strata_onehot() @ residual.reshape(cells, groups * stats)).reshape(
        -1, groups, stats
    )  # (H, G, P)
    per_unit = np.where(n_h > 0, factor / np.where(n_h > 0, n_h, 1), 0.0)
    totals_p = totals.transpose(2, 1, 0)  # (P, G, H)
    covariance = cross - np.matmul(totals_p * per_unit, totals_p.transpose(0, 2, 1))
    variance = np.clip(np.diagonal(covariance, axis1=1, axis2=2), 0, None)  # (P, G)
    estimate_pg = np.where(weight_total > 0, estimate.T, np.nan)
    se = np.where(weight_total > 0, np.sqrt(variance), np.nan)
    if single:
        return DomainEstimates(estimate_pg[0], se[0], rows.sum(axis=0), weight_total, covariance[0])
    return DomainEstimates(estimate_pg, se, rows.sum(axis=0), weight_total, covariance)


def difference(a: float, se_a: float, b: float, se_b: float, covariance: float = 0.0) -> dict:
    """a − b with its standard error and the two-sided p-value of a Wald (z) test."""
    diff = a - b
    variance = se_a**2 + se_b**2 - 2 * covariance
    se = math.sqrt(max(variance, 0.0))
    p_value = math.erfc(abs(diff) / se / math.sqrt(2)) if se > 0 else float("nan")
    return {
        "difference": diff,
        "se": se,
        "ci_low": diff - Z_95 * se,
        "ci_high": diff + Z_95 * se,
        "p_value": p_value,
    }


def cronbach_alpha(matrix: np.ndarray) -> float:
    """Cronbach's alpha of the columns of `matrix` (complete rows only, unweighted)."""
    complete = matrix[~np.isnan(matrix).any(axis=1)]
    items = complete.shape[1]
    if complete.shape[0] < 2 or items < 2:
        return float("nan")
    item_variance = complete.var(axis=0, ddof=1).sum()
    total_variance = complete.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        return float("nan")
    return float(items / (items - 1) * (1 - item_variance / total_variance))
