"""A wave's weighting: design weights from the sample, raking margins from the register.

Design weight of a respondent = population of the sampling district / number drawn there.
Default margins: gender × age group (summed over districts) and district, both from the
districts' population figures. A wave may set other margins (WeightingScheme, or a CSV
`variable;category;population` given to `defus analysis weight --margins`).

Respondents whose category of a margin is unknown (no age or gender given, a gender the
register does not count) form a category "unknown" that keeps its design-weighted total; the
known categories share the rest in the register's proportions.

Only the random sample is weighted; answers via the open link are never mixed in (they are
analysed separately and unweighted, see results.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ..fieldwork.models import AGE_GROUPS, GENDERS, Wave
from ..fieldwork.services.csvfiles import CsvError, read_csv
from ..instrument.definition import Instrument
from .data import WaveData, load_wave_data
from .models import WeightingScheme
from .weighting import (
    DEFAULT_MAX_ITERATIONS,
    DEFAULT_TOLERANCE,
    Design,
    Margin,
    WeightingError,
    diagnostics,
    rake,
)

UNKNOWN = "unknown"
REGISTER_VARIABLES = ("gender_age", "gender", "age_group", "district")
# Registers count very few people as "diverse": too few to weight. They and respondents who
# answer "diverse" are handled like an unknown gender (their design-weighted share is kept).
WEIGHTED_GENDERS = ("female", "male")
DEFAULT_MARGINS: list[dict[str, Any]] = [{"variable": "gender_age"}, {"variable": "district"}]


@dataclass
class Settings:
    margins: list[dict[str, Any]] = field(default_factory=lambda: list(DEFAULT_MARGINS))
    trim: float | None = None
    tolerance: float = DEFAULT_TOLERANCE
    max_iterations: int = DEFAULT_MAX_ITERATIONS

    @classmethod
    def for_wave(cls, wave: Wave) -> Settings:
        scheme = WeightingScheme.objects.filter(wave=wave).first()
        if scheme is None:
            return cls()
        return cls(
            margins=scheme.margins or list(DEFAULT_MARGINS),
            trim=scheme.trim,
            tolerance=scheme.tolerance,
            max_iterations=scheme.max_iterations,
        )

    def key(self) -> str:
        text = json.dumps(
            [self.margins, self.trim, self.tolerance, self.max_iterations], sort_keys=True
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class WaveDesign:
    """The weighted (or unweighted) design of one base of a wave's answers."""

    data: WaveData
    base: str  # "sample" (weighted, random sample) or "open_link" / "sample_unweighted"
    rows: np.ndarray  # indices into data of the rows in the base
    design: Design
    weighted: bool
    margins: list[str] = field(default_factory=list)
    iterations: int = 0
    converged: bool = True
    trimmed_cells: int = 0
    notes: list[str] = field(default_factory=list)
    excluded: int = 0  # sample answers left out of the base (no sampling district)
    instrument: Instrument | None = None
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)  # breakdowns, per design

    def diagnostics(self) -> dict[str, Any]:
        return {
            **diagnostics(self.design),
            "base": self.base,
            "weighted": self.weighted,
            "margins": self.margins,
            "iterations": self.iterations,
            "converged": self.converged,
            "trimmed_cells": self.trimmed_cells,
            "excluded": self.excluded,
            "notes": self.notes,
        }

    def answers(self, code: str) -> np.ndarray:
        """The item's answers of the rows in the base."""
        answers = self.data.items[code]
        return answers if len(self.rows) == len(answers) else answers[self.rows]

    def row_weights(self) -> np.ndarray:
        """The weight of every answer of the wave, aligned with data.response_ids (0 outside)."""
        weights = np.zeros(self.data.n)
        weights[self.rows] = self.design.row_weights()
        return weights


def margin_label(variable: str) -> str:
    """A margin as people read it: "gender × age group", "district", or the item code."""
    labels = {
        "gender_age": _("gender × age group"),
        "gender": _("gender"),
        "age_group": _("age group"),
        "district": _("district"),
    }
    return labels.get(variable, variable)


def register_population(data: WaveData) -> dict[tuple[int, str, str], float]:
    """Adults by (district index, gender, age group) from the districts' population figures."""
    cells: dict[tuple[int, str, str], float] = {}
    for index, district in enumerate(data.districts):
        for gender, groups in (district.population or {}).items():
            for group, count in (groups or {}).items():
                cells[(index, gender, group)] = float(count)
    return cells


def row_categories(data: WaveData, variable: str, rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Each row's category of a margin variable (−1: unknown) and the categories' labels."""
    weighted = [GENDERS.index(g) for g in WEIGHTED_GENDERS]
    gender = data.gender[rows]
    # Genders the register does not count for weighting are handled as unknown.
    gender_position = np.full(len(GENDERS) + 1, -1, dtype=np.int64)
    gender_position[weighted] = np.arange(len(weighted))
    gender_code = gender_position[np.where(gender >= 0, gender, len(GENDERS))]
    age = data.age_group[rows].astype(np.int64)
    if variable == "gender_age":
        codes = np.where((gender_code >= 0) & (age >= 0), gender_code * len(AGE_GROUPS) + age, -1)
        labels = [f"{g} {a}" for g in WEIGHTED_GENDERS for a in AGE_GROUPS]
    elif variable == "gender":
        codes, labels = gender_code, list(WEIGHTED_GENDERS)
    elif variable == "age_group":
        codes, labels = age, list(AGE_GROUPS)
    elif variable == "district":
        codes = data.stratum[rows].astype(np.int64)
        labels = [d.code for d in data.districts]
    elif variable in data.items:
        answers = data.items[variable][rows].astype(np.int64)
        present = np.unique(answers[answers >= 0])
        codes = np.where(answers >= 0, np.searchsorted(present, answers), -1)
        labels = [str(int(v)) for v in present]
    else:
        raise WeightingError(_("Unknown weighting variable %(name)s.") % {"name": variable})
    return codes, labels


def register_margin(data: WaveData, variable: str) -> dict[str, float]:
    population = register_population(data)
    totals: dict[str, float] = {}
    for (district, gender, group), count in population.items():
        if variable in ("gender_age", "gender") and gender not in WEIGHTED_GENDERS:
            continue
        label = {
            "gender_age": f"{gender} {group}",
            "gender": gender,
            "age_group": group,
            "district": data.districts[district].code,
        }[variable]
        totals[label] = totals.get(label, 0.0) + count
    return totals


def sample_design(
    data: WaveData, settings: Settings | None = None, *, weighted: bool = True
) -> WaveDesign:
    """Weight the random sample: design weights, then raking to the margins."""
    settings = settings or Settings()
    in_sample = data.is_sample
    has_stratum = data.stratum >= 0
    rows = np.flatnonzero(in_sample & has_stratum)
    excluded = int((in_sample & ~has_stratum).sum())
    if not weighted:
        return unweighted_design(data, rows, "sample_unweighted", excluded=excluded)
    if not rows.size:
        raise WeightingError(_("There are no answers from the random sample to weight."))
    stratum = data.stratum[rows]
    district_population = np.array(
        [sum(sum(g.values()) for g in (d.population or {}).values()) for d in data.districts],
        dtype=float,
    )
    missing = [
        d.code
        for index, d in enumerate(data.districts)
        if (stratum == index).any() and not district_population[index] > 0
    ]
    if missing:
        raise WeightingError(
            _("No population figures for district(s) %(codes)s: add them to the wave.")
            % {"codes": ", ".join(missing)}
        )
    respondents = np.bincount(stratum, minlength=len(data.districts))
    drawn = np.array([max(d.drawn, respondents[i]) for i, d in enumerate(data.districts)])
    with np.errstate(divide="ignore", invalid="ignore"):
        per_district = np.where(drawn > 0, district_population / np.maximum(drawn, 1), 0.0)
    design_weight = per_district[stratum]
    total = float(np.dot(design_weight, np.ones_like(design_weight)))
    population_total = float(district_population[np.unique(stratum)].sum())
    notes: list[str] = []
    margins = []
    for spec in settings.margins:
        variable = spec["variable"]
        row_codes, code_labels = row_categories(data, variable, rows)
        population = spec.get("population") or (
            register_margin(data, variable) if variable in REGISTER_VARIABLES else None
        )
        if not population:
            raise WeightingError(
                _("Margin %(name)s has no population figures.") % {"name": margin_label(variable)}
            )
        population = {str(k): float(v) for k, v in population.items()}
        if variable == "district":
            # Only districts with answers take part (a district without any is reported).
            population = {
                data.districts[i].code: float(district_population[i]) for i in np.unique(stratum)
            }
        margin_total = sum(population.values())
        if abs(margin_total - population_total) > 0.05 * population_total:
            raise WeightingError(
                _(
                    "Margin %(name)s adds up to %(total)s, the districts' population to "
                    "%(population)s: the figures do not describe the same population."
                )
                % {
                    "name": margin_label(variable),
                    "total": number_format(margin_total, 0, force_grouping=True),
                    "population": number_format(population_total, 0, force_grouping=True),
                }
            )
        if margin_total != population_total:
            notes.append(
                _("Margin %(name)s scaled by %(factor)s to the districts' population.")
                % {
                    "name": margin_label(variable),
                    "factor": number_format(population_total / margin_total, 4),
                }
            )
        labels = sorted(population)
        totals = np.array([population[c] * population_total / margin_total for c in labels])
        position = {label: index for index, label in enumerate(labels)}
        # Row code → category; codes without population and unknown rows → "unknown".
        to_category = np.array([position.get(label, -1) for label in code_labels] + [-1])
        category = to_category[np.where(row_codes >= 0, row_codes, len(code_labels))]
        is_unknown = category < 0
        if is_unknown.any():
            unknown_total = float(design_weight[is_unknown].sum()) * population_total / total
            totals = totals * (population_total - unknown_total) / population_total
            labels.append(UNKNOWN)
            totals = np.append(totals, unknown_total)
            notes.append(
                _(
                    "%(n)d respondents without a category of %(name)s keep their "
                    "design-weighted share."
                )
                % {"n": int(is_unknown.sum()), "name": margin_label(variable)}
            )
            category = np.where(is_unknown, len(labels) - 1, category)
        margins.append(Margin(variable, labels, totals, category.astype(np.int64)))
    result = rake(
        stratum.astype(np.int64),
        design_weight,
        margins,
        tolerance=settings.tolerance,
        max_iterations=settings.max_iterations,
        trim=settings.trim,
    )
    if not result.converged:
        notes.append(
            _("Raking did not converge within %(n)d iterations.") % {"n": result.iterations}
        )
    return WaveDesign(
        data=data,
        base="sample",
        rows=rows,
        design=result.design,
        weighted=True,
        margins=[m.name for m in margins],
        iterations=result.iterations,
        converged=result.converged,
        trimmed_cells=result.trimmed_cells,
        notes=notes,
        excluded=excluded,
    )


def unweighted_design(
    data: WaveData, rows: np.ndarray, base: str, *, excluded: int = 0
) -> WaveDesign:
    """Every row weight 1, one stratum: simple random sampling formulas."""
    design = Design(
        cell=np.zeros(len(rows), dtype=np.int64),
        count=np.array([float(len(rows))]) if len(rows) else np.zeros(0),
        weight=np.ones(1) if len(rows) else np.zeros(0),
        stratum=np.zeros(1 if len(rows) else 0, dtype=np.int64),
        stratum_count=np.array([float(len(rows))]),
    )
    return WaveDesign(data, base, rows, design, weighted=False, excluded=excluded)


def open_link_design(data: WaveData) -> WaveDesign:
    rows = np.flatnonzero(~data.is_sample)
    return unweighted_design(data, rows, "open_link")


# The last designs this process made: a page asks for the same one several times (its
# sections, the comparison) and every figure of it reuses the design's cached breakdowns.
_DESIGNS: OrderedDict[Any, WaveDesign] = OrderedDict()
_KEPT_DESIGNS = 8


def wave_design(wave: Wave, *, base: str = "sample", weighted: bool = True) -> WaveDesign:
    """The design for one base of a wave: "sample" (weighted unless told) or "open_link"."""
    data = load_wave_data(wave)
    settings = Settings.for_wave(wave)
    key = (
        data.wave_id,
        data.revision,
        tuple(data.response_ids[-1:]),
        settings.key(),
        base,
        weighted,
        tuple((d.pk, d.code, d.drawn, repr(d.population)) for d in data.districts),
        (wave.instrument_key, wave.instrument_version, repr(wave.extension)),
    )
    design = _DESIGNS.get(key)
    if design is None:
        if base == "open_link":
            design = open_link_design(data)
        else:
            design = sample_design(data, settings, weighted=weighted)
        design.instrument = wave.instrument
        _DESIGNS[key] = design
        while len(_DESIGNS) > _KEPT_DESIGNS:
            _DESIGNS.popitem(last=False)
    else:
        _DESIGNS.move_to_end(key)
    return design


def _plain_number(text: str) -> str:
    """Population counts as written in German, English or French files: "14.000", "14,000"
    and "14 000" are fourteen thousand; "1234,5" has a decimal comma."""
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        return re.sub(r"[.,]", "", text)
    return text.replace(",", ".")


def parse_margins_csv(content: bytes) -> list[dict[str, Any]]:
    """Margins from a CSV `variable;category;population` (one row per category)."""
    try:
        table = read_csv(
            content,
            ("variable", "category", "population"),
            aliases={
                "variable": "variable",
                "merkmal": "variable",
                "kategorie": "category",
                "category": "category",
                "bevölkerung": "population",
                "anzahl": "population",
            },
        )
    except CsvError as exc:
        raise WeightingError(str(exc)) from exc
    margins: dict[str, dict[str, float]] = {}
    for row in table:
        line = row.line
        variable = row.get("variable")
        category = row.get("category")
        raw = row.get("population").replace(" ", "").replace("\u202f", "").replace("'", "")
        if not variable or not category:
            raise WeightingError(
                _("Line %(line)d: variable and category are needed.") % {"line": line}
            )
        try:
            value = float(_plain_number(raw))
        except ValueError:
            raise WeightingError(
                _("Line %(line)d: population %(value)s is not a number.")
                % {"line": line, "value": raw}
            ) from None
        if value < 0:
            raise WeightingError(
                _("Line %(line)d: population cannot be negative.") % {"line": line}
            )
        margins.setdefault(variable, {})[category] = value
    if not margins:
        raise WeightingError(_("The file has no margins."))
    return [{"variable": v, "population": p} for v, p in margins.items()]
