"""The wave report: summary, one chapter per module, districts, unsafe places, comparison with
the previous wave, methods — as HTML and as a PDF (WeasyPrint).

`build_report` only assembles: every figure comes from results.py (so disclosure control and
the base rule hold) and is written with formatting.py (as the dashboard writes it); charts
and maps are the dashboard's Vega-Lite specs from charts.py, rendered to SVG. The counts of
the methods chapter (codes drawn and used per district, returns by mode) come from the field
monitoring: they count questionnaires, not answers.

The PDF is kept under MEDIA_ROOT/reports/ and reused until new answers arrive, the weighting
settings change or anything else the report shows changes (`report_key`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from defus.core.languages import check_language
from defus.core.versions import source_digest

from ..fieldwork.models import Response, Wave
from ..fieldwork.services.monitoring import field_report
from ..instrument.definition import (
    Index,
    Indicator,
    Instrument,
    Item,
    Module,
    Question,
    Scale,
    translate,
)
from . import charts
from .data import AGE_ITEM, CACHE_SECONDS, GENDER_ITEM, answers_version, previous_wave
from .formatting import (
    MISSING,
    SUPPRESSED,
    format_decimal,
    format_estimate,
    format_number,
    format_row_ci,
    format_row_n,
    format_share,
)
from .margins import Settings, WaveDesign, wave_design
from .results import (
    Estimate,
    PlaceShare,
    base_statement,
    estimate_item,
    index_alpha,
    key_indicators,
    minimum_cell,
    unsafe_places,
    wave_difference,
)
from .weighting import WeightingError

PLACES_ITEM = "K3"  # the open question "which places do you avoid?"
TOP_PLACES = 5
PLACE_DECIMALS = 1  # as the dashboard (charts.places_table): places are named by few
MAX_KEY_ITEMS = 8  # breakdown rows of a module without indicators (its ordered items)
BREAKDOWNS = ("gender", "age_group")
SIGNIFICANCE = 0.05
# The code and templates the report is made with: a new version invalidates the stored PDFs.
REPORT_SOURCES = (
    "report.py",
    "charts.py",
    "formatting.py",
    "results.py",
    "templates/analysis/report_*.html",
)


# --- what the templates print ------------------------------------------------------------------


@dataclass
class Cell:
    """One figure as printed: value, 95 % confidence interval, unweighted n."""

    value: str
    ci: str = ""
    n: str = ""
    suppressed: bool = False  # hidden by disclosure control (or no answers at all)
    special: bool = False  # a special answer ("don't know"): a share of all answers

    @classmethod
    def of(cls, row: Estimate | None, language: str) -> Cell:
        if row is None:
            return cls(MISSING, MISSING, MISSING)
        return cls(
            format_estimate(row, language),
            format_row_ci(row, language),
            format_row_n(row, language),
            row.suppressed,
        )


@dataclass
class Chart:
    description: str  # the text alternative: what the chart shows
    markup: SafeString  # inline SVG


@dataclass
class IndicatorLine:
    code: str
    item: str
    label: str
    cell: Cell
    sentence: str


@dataclass
class IndexLine:
    code: str
    label: str
    cell: Cell
    alpha: str


@dataclass
class PlaceLine:
    rank: int | None
    name: str
    district: str
    kind: str
    share: str
    mentions: str
    suppressed: bool


@dataclass
class MatrixRow:
    code: str
    label: str
    cells: list[Cell]
    mean: Cell | None
    n: str


@dataclass
class AnswerRow:
    label: str
    cell: Cell
    special: bool = False


@dataclass
class AnswerColumn:
    label: str
    special: bool


@dataclass
class QuestionSection:
    code: str
    text: str
    layout: str  # "answers" (one item), "matrix" (grid), "ticked" (multi), "means", "text"
    columns: list[AnswerColumn] = field(default_factory=list)  # matrix: the answers
    matrix: list[MatrixRow] = field(default_factory=list)
    answers: list[AnswerRow] = field(default_factory=list)  # answers / ticked / means rows
    has_mean: bool = False
    filtered: bool = False
    places_item: bool = False  # the open question on places: see the chapter on places
    charts: list[Chart] = field(default_factory=list)

    @property
    def has_special(self) -> bool:
        return any(c.special for c in self.columns) or any(r.special for r in self.answers)

    @property
    def any_suppressed(self) -> bool:
        cells = [r.cell for r in self.answers] + [
            c for row in self.matrix for c in [*row.cells, *([row.mean] if row.mean else [])]
        ]
        return any(c.suppressed for c in cells)


@dataclass
class GroupColumn:
    by: str | None
    group: str | int | None
    label: str


@dataclass
class BreakdownRow:
    label: str
    statistic: str  # "share" or "mean"
    cells: list[Cell]


@dataclass
class Breakdown:
    columns: list[GroupColumn]
    gender_span: int
    age_span: int
    rows: list[BreakdownRow]

    @property
    def any_suppressed(self) -> bool:
        return any(c.suppressed for row in self.rows for c in row.cells)


@dataclass
class Chapter:
    anchor: str
    number: int
    title: str
    questions: list[QuestionSection]
    breakdown: Breakdown | None
    maps: list[Chart]


@dataclass
class DistrictRow:
    code: str
    name: str
    cells: list[Cell]
    total: bool = False


@dataclass
class DistrictOverview:
    indicators: list[str]
    rows: list[DistrictRow]
    maps: list[Chart]

    @property
    def any_suppressed(self) -> bool:
        return any(c.suppressed for row in self.rows for c in row.cells)


@dataclass
class Comparison:
    title: str
    period: str
    # charts.comparison_table rows (as the dashboard), each with "significant" (p < 0.05)
    rows: list[dict[str, Any]] = field(default_factory=list)
    footnote: str = ""
    chart: Chart | None = None
    problem: str = ""  # why no comparison could be made
    not_comparable: list[str] = field(default_factory=list)


@dataclass
class DistrictSample:
    code: str
    name: str
    drawn: str
    used: str
    rate: str


@dataclass
class Methods:
    sample_size: str
    codes_used: str
    response_rate: str
    districts: list[DistrictSample]
    returns: list[tuple[str, str, str]]  # (label, count, share of the sample's returns)
    open_link: str
    weighting: list[tuple[str, str]]  # (term, description)
    notes: list[str]
    base: str
    minimum: int


@dataclass
class Section:
    anchor: str
    number: int
    title: str


@dataclass
class Report:
    wave: Wave
    language: str
    title: str
    city: str
    period: str
    generated: str
    instrument: str
    indicators: list[IndicatorLine]
    indices: list[IndexLine]
    top_places: list[PlaceLine]
    summary_chart: Chart | None
    chapters: list[Chapter]
    districts: DistrictOverview | None
    places: list[PlaceLine]
    places_chart: Chart | None
    places_uncoded: str
    places_question: str
    comparison: Comparison | None
    methods: Methods
    minimum: int
    footnote: str = ""  # what a dash in a table means (as the dashboard's tables say)
    sections: list[Section] = field(default_factory=list)  # the table of contents

    def number(self, anchor: str) -> int | None:
        return next((s.number for s in self.sections if s.anchor == anchor), None)

    @property
    def districts_number(self) -> int | None:
        return self.number("districts")

    @property
    def places_number(self) -> int | None:
        return self.number("places")

    @property
    def comparison_number(self) -> int | None:
        return self.number("comparison")

    @property
    def methods_number(self) -> int | None:
        return self.number("methods")

    @property
    def places_any_suppressed(self) -> bool:
        return any(p.suppressed for p in self.places)


# --- building the report ---------------------------------------------------------------------


def build_report(wave: Wave, language: str, *, today: date | None = None) -> Report:
    """The whole report in `language`; raises WeightingError if the wave cannot be weighted."""
    language = check_language(language)
    with translation.override(language):
        design = wave_design(wave)
        return ReportBuilder(wave, design, language, today or timezone.localdate()).build()


class ReportBuilder:
    """Assembles one report; keeps the design, the language and the SVGs made so far (the
    same map appears in a module chapter and in the district overview)."""

    def __init__(self, wave: Wave, design: WaveDesign, language: str, today: date):
        self.wave = wave
        self.design = design
        self.language = language
        self.today = today
        self.instrument: Instrument = wave.instrument
        self.minimum = minimum_cell()
        self.districts = list(wave.districts.order_by("answer_code"))
        self.svg_cache: dict[str, str] = {}
        self.charts_made = 0

    # helpers

    def cell(self, row: Estimate | None) -> Cell:
        return Cell.of(row, self.language)

    def text(self, value: Any) -> str:
        return translate(value, self.language)

    def day(self, value: date | None) -> str:
        return formats.date_format(value, "DATE_FORMAT") if value else ""

    def period(self, wave: Wave) -> str:
        return f"{self.day(wave.field_start)} – {self.day(wave.field_end)}"

    def estimates(self, code: str, **options: Any) -> list[Estimate]:
        return estimate_item(self.design, code, language=self.language, **options)

    def chart(self, description: str, spec: dict[str, Any] | None) -> Chart | None:
        if not spec:
            return None
        key = json.dumps(spec, sort_keys=True, default=str)
        if key not in self.svg_cache:
            self.svg_cache[key] = charts.render_svg(spec)
        self.charts_made += 1
        svg = inline_svg(self.svg_cache[key], f"c{self.charts_made}-")
        # vl-convert's SVG of our own spec; the labels in it are escaped by Vega.
        return Chart(description, mark_safe(svg))

    def build(self) -> Report:
        indicator_rows = key_indicators(self.design, language=self.language)
        shares, uncoded = self.place_shares()
        places = self.place_lines(shares)
        wave = self.wave
        report = Report(
            wave=wave,
            language=self.language,
            title=wave.title,
            city=wave.organisation.name,
            period=self.period(wave),
            generated=self.day(self.today),
            instrument=self.instrument.ident,
            indicators=[self.indicator_line(ind, rows) for ind, rows in indicator_rows],
            indices=self.index_lines(),
            top_places=[p for p in places if not p.suppressed][:TOP_PLACES],
            summary_chart=self.summary_chart(indicator_rows),
            chapters=[],
            districts=self.district_overview(),
            places=places,
            places_chart=self.places_chart(shares),
            places_uncoded=format_number(uncoded, self.language),
            places_question=self.places_question(),
            comparison=self.comparison(indicator_rows),
            methods=self.methods(),
            minimum=self.minimum,
            footnote=charts.table_footnote(self.language),
        )
        modules = [m for m in self.instrument.modules if m.items]
        report.chapters = [self.chapter(m, n) for n, m in enumerate(modules, start=2)]
        number = len(report.chapters) + 2
        sections = [("summary", 1, _("Summary"))]
        sections += [(c.anchor, c.number, c.title) for c in report.chapters]
        for anchor, title, present in (
            ("districts", _("Districts"), report.districts is not None),
            ("places", _("Unsafe places"), True),
            ("comparison", _("Comparison with the previous wave"), report.comparison is not None),
            ("methods", _("Methods"), True),
        ):
            if present:
                sections.append((anchor, number, title))
                number += 1
        report.sections = [Section(anchor, n, title) for anchor, n, title in sections]
        return report

    # summary

    def indicator_line(self, indicator: Indicator, rows: list[Estimate]) -> IndicatorLine:
        overall = rows[0] if rows else None
        cell = self.cell(overall)
        label = self.text(indicator.label)
        if overall is not None and overall.n and not overall.suppressed:
            sentence = _("%(share)s (%(ci)s) %(label)s") % {
                "share": cell.value,
                "ci": cell.ci,
                "label": label,
            }
        else:
            sentence = _("Too few answers to show: %(label)s") % {"label": label}
        return IndicatorLine(indicator.code, indicator.item, label, cell, sentence)

    def index_lines(self) -> list[IndexLine]:
        out = []
        for index in self.available_indices():
            mean = next((r for r in self.estimates(index.code) if r.statistic == "mean"), None)
            alpha = index_alpha(self.design, index.code)
            out.append(
                IndexLine(
                    index.code,
                    self.text(index.label),
                    self.cell(mean),
                    format_decimal(alpha, self.language, 2),
                )
            )
        return out

    def available_indices(self) -> list[Index]:
        return [
            index
            for index in self.instrument.indices
            if index.items and all(code in self.instrument.item_index for code in index.items)
        ]

    def summary_chart(self, indicator_rows: list[tuple[Any, list[Estimate]]]) -> Chart | None:
        rows = [rows[0] for _indicator, rows in indicator_rows if rows]
        if not rows:
            return None
        labels = {ind.item: self.text(ind.label) for ind, _rows in indicator_rows}
        return self.chart(
            _("Key indicators with 95 % confidence intervals; the figures are in the table."),
            charts.indicator_chart(rows, labels, self.language),
        )

    # one chapter per module

    def chapter(self, module: Module, number: int) -> Chapter:
        return Chapter(
            anchor=f"module-{module.code.lower()}",
            number=number,
            title=self.text(module.title),
            questions=[self.question(q) for q in module.questions],
            breakdown=self.breakdown(module),
            maps=[m for ind in self.module_indicators(module) if (m := self.indicator_map(ind))],
        )

    def question(self, question: Question) -> QuestionSection:
        section = QuestionSection(
            code=question.code,
            text=question.label(self.language),
            layout="answers",
            filtered=bool(question.show_if),
        )
        items = question.items
        kinds = {item.kind for item in items}
        if "text" in kinds:
            section.layout = "text"
            section.places_item = any(item.code == PLACES_ITEM for item in items)
            return section
        rows = {item.code: self.estimates(item.code) for item in items}
        if kinds == {"number"}:
            section.layout = "means"
            for item in items:
                mean = next((r for r in rows[item.code] if r.statistic == "mean"), None)
                label = item.label(self.language) if len(items) > 1 else _("Mean")
                section.answers.append(AnswerRow(label, self.cell(mean)))
            return section
        if kinds == {"multi"}:
            section.layout = "ticked"
            ticked = [share_row(rows[item.code], 1) for item in items]
            section.answers = [
                AnswerRow(item.label(self.language), self.cell(row))
                for item, row in zip(items, ticked, strict=True)
            ]
            labels = {item.code: item.label(self.language) for item in items}
            spec = charts.indicator_chart([r for r in ticked if r], labels, self.language)
        else:
            scale = items[0].scale
            assert scale is not None  # single items always have a scale
            if len(items) == 1:
                self.answer_rows(section, scale, rows[items[0].code])
            else:
                self.matrix_rows(section, scale, items, rows)
            spec = self.single_chart(scale, items, rows)
        chart = self.chart(
            _("Chart of the answers to %(code)s; the figures are in the table below.")
            % {"code": question.code},
            spec,
        )
        section.charts = [chart] if chart else []
        return section

    def answer_rows(self, section: QuestionSection, scale: Scale, rows: list[Estimate]) -> None:
        for option in scale.options:
            section.answers.append(
                AnswerRow(
                    option.text(self.language),
                    self.cell(share_row(rows, option.code)),
                    option.special is not None,
                )
            )
        mean = next((r for r in rows if r.statistic == "mean"), None)
        if mean is not None:
            section.has_mean = True
            section.answers.append(AnswerRow(_("Mean"), self.cell(mean)))

    def matrix_rows(
        self,
        section: QuestionSection,
        scale: Scale,
        items: Sequence[Item],
        rows: dict[str, list[Estimate]],
    ) -> None:
        section.layout = "matrix"
        section.columns = [
            AnswerColumn(option.text(self.language), option.special is not None)
            for option in scale.options
        ]
        substantive = scale.substantive_codes
        for item in items:
            found = rows[item.code]
            mean = next((r for r in found if r.statistic == "mean"), None)
            base = next((r for c in substantive if (r := share_row(found, c))), None)
            section.has_mean = section.has_mean or mean is not None
            section.matrix.append(
                MatrixRow(
                    item.code,
                    item.label(self.language),
                    [
                        replace(self.cell(share_row(found, o.code)), special=o.special is not None)
                        for o in scale.options
                    ],
                    self.cell(mean) if mean is not None else None,
                    self.cell(base).n,
                )
            )

    def single_chart(
        self, scale: Scale, items: Sequence[Item], rows: dict[str, list[Estimate]]
    ) -> dict[str, Any]:
        """Stacked answers for ordered scales and grids (as the dashboard); bars with
        confidence intervals for the answers of one unordered item."""
        answers = {o.code: o.text(self.language) for o in scale.options if o.special is None}
        if len(items) > 1 or scale.ordinal:
            labels = {
                item.code: item.label(self.language) if len(items) > 1 else item.code
                for item in items
            }
            return charts.distribution_chart(
                rows, labels, answers, self.language, ordinal=scale.ordinal
            )
        # charts.row_label names rows by item, so each answer's row goes in as a copy that
        # carries the answer's text; its figures stay those of results.py.
        bars = [
            replace(row, group_label=answers[code])
            for code in answers
            if (row := share_row(rows[items[0].code], code)) is not None
        ]
        return charts.indicator_chart(bars, {}, self.language)

    # breakdowns and maps of a module's key figures

    def key_items(self, module: Module) -> list[tuple[str, str, tuple[int, ...] | None]]:
        """(item or index code, label, share) of a module's key figures: its indicators and
        indices; else the means of its ordered items. The demographics (gender and age are
        the breakdown) have none."""
        codes = {item.code for item in module.items}
        if GENDER_ITEM in codes or AGE_ITEM in codes:
            return []
        out: list[tuple[str, str, tuple[int, ...] | None]] = [
            (ind.item, self.text(ind.label), tuple(ind.share))
            for ind in self.instrument.indicators
            if ind.item in codes
        ]
        out += [
            (index.code, self.text(index.label), None)
            for index in self.available_indices()
            if all(code in codes for code in index.items)
        ]
        if out:
            return out
        ordered = [
            item
            for item in module.items
            if item.kind == "single" and item.scale is not None and item.scale.ordinal
        ]
        return [
            (item.code, f"{item.code} {item.label(self.language)}", None)
            for item in ordered[:MAX_KEY_ITEMS]
        ]

    def module_indicators(self, module: Module) -> list[Indicator]:
        codes = {item.code for item in module.items}
        return [ind for ind in self.instrument.indicators if ind.item in codes]

    def breakdown(self, module: Module) -> Breakdown | None:
        key_items = self.key_items(module)
        if not key_items:
            return None
        table: list[tuple[str, str, list[Estimate]]] = []
        for code, label, share in key_items:
            statistic = "share" if share else "mean"
            rows: list[Estimate] = []
            for by in BREAKDOWNS:
                found = self.estimates(code, by=by, share=list(share) if share else None)
                found = [r for r in found if r.statistic == statistic]
                rows.extend(found if not rows else [r for r in found if r.by is not None])
            table.append((label, statistic, rows))
        # Columns: all, then each gender and age group that has any respondent at all.
        columns = [
            GroupColumn(row.by, row.group, self.group_label(row))
            for row in table[0][2]
            if row.by is None or any(find(rows, row.by, row.group).n for _l, _s, rows in table)
        ]
        return Breakdown(
            columns=columns,
            gender_span=sum(1 for c in columns if c.by == "gender"),
            age_span=sum(1 for c in columns if c.by == "age_group"),
            rows=[
                BreakdownRow(
                    label, statistic, [self.cell(find(rows, c.by, c.group)) for c in columns]
                )
                for label, statistic, rows in table
            ],
        )

    def group_label(self, row: Estimate) -> str:
        if row.by is None:
            return _("all")
        if row.by == "age_group":
            return row.group_label.replace("-", "–")
        return row.group_label

    def indicator_map(self, indicator: Indicator) -> Chart | None:
        if not any(d.boundary for d in self.districts):
            return None
        rows = self.estimates(indicator.item, by="district", share=list(indicator.share))
        label = self.text(indicator.label)
        return self.chart(
            _("Map of the districts: %(label)s; the figures are in the table of the districts.")
            % {"label": label},
            charts.district_map(
                [r for r in rows if r.by == "district"], self.districts, label, self.language
            ),
        )

    # districts, places, comparison

    def district_overview(self) -> DistrictOverview | None:
        if len(self.districts) < 2 or not self.instrument.indicators:
            return None
        by_district = key_indicators(self.design, by="district", language=self.language)
        rows = [
            DistrictRow(
                "",
                _("City as a whole"),
                [self.cell(find(found, None, None)) for _ind, found in by_district],
                total=True,
            )
        ]
        rows += [
            DistrictRow(
                district.code,
                district.name,
                [self.cell(find(found, "district", district.code)) for _ind, found in by_district],
            )
            for district in self.districts
        ]
        maps = [m for ind, _rows in by_district if (m := self.indicator_map(ind))]
        return DistrictOverview([self.text(i.label) for i, _r in by_district], rows, maps)

    def place_shares(self) -> tuple[list[PlaceShare], int]:
        places = list(self.wave.places.all())
        if not places or PLACES_ITEM not in self.instrument.item_index:
            return [], 0
        return unsafe_places(self.design, places, item=PLACES_ITEM)

    def place_lines(self, shares: list[PlaceShare]) -> list[PlaceLine]:
        places = {p.code: p for p in self.wave.places.select_related("district")}
        out, rank = [], 0
        for share in shares:
            place = places[share.code]
            if not share.suppressed:
                rank += 1
            out.append(
                PlaceLine(
                    rank=None if share.suppressed else rank,
                    name=share.name,
                    district=place.district.name if place.district else "",
                    kind=place.kind,
                    share=SUPPRESSED
                    if share.suppressed
                    else format_share(share.share, self.language, PLACE_DECIMALS),
                    mentions=SUPPRESSED
                    if share.suppressed
                    else format_number(share.mentions, self.language),
                    suppressed=share.suppressed,
                )
            )
        return out

    def places_question(self) -> str:
        item = self.instrument.item_index.get(PLACES_ITEM)
        if item is None:
            return ""
        question = next(q for q in self.instrument.questions if q.code == item.question)
        return f"{question.code} {question.label(self.language)}"

    def places_chart(self, shares: list[PlaceShare]) -> Chart | None:
        if not any(not s.suppressed for s in shares):
            return None
        return self.chart(
            _("Share of respondents naming each place; the figures are in the table."),
            charts.places_chart(shares, self.language),
        )

    def previous_wave(self) -> Wave | None:
        return previous_wave(self.wave)

    def comparison(self, indicator_rows: list[tuple[Any, list[Estimate]]]) -> Comparison | None:
        previous = self.previous_wave()
        if previous is None:
            return None
        comparison = Comparison(title=previous.title, period=self.period(previous))
        try:
            before_design = wave_design(previous)
        except WeightingError as exc:
            comparison.problem = str(exc)
            return comparison
        before_instrument = previous.instrument
        before_rows = {
            ind.code: rows for ind, rows in key_indicators(before_design, language=self.language)
        }
        labels: dict[str, str] = {}
        pairs = []
        for indicator, rows in indicator_rows:
            label = self.text(indicator.label)
            now_item = self.instrument.item_index.get(indicator.item)
            before_item = before_instrument.item_index.get(indicator.item)
            if not (
                rows
                and before_rows.get(indicator.code)
                and now_item is not None
                and before_item is not None
                and now_item.comparable
                and before_item.comparable
            ):
                comparison.not_comparable.append(label)
                continue
            now, before = rows[0], before_rows[indicator.code][0]
            labels[now.item] = label
            pairs.append((now, before, wave_difference(now, before)))
        if not pairs:
            return comparison
        table = charts.comparison_table(pairs, labels, self.language)
        for (_now, _before, difference), row in zip(pairs, table["rows"], strict=True):
            p_value = difference.get("p_value")
            row["significant"] = (
                None if row["suppressed"] or p_value is None else p_value < SIGNIFICANCE
            )
        comparison.rows = table["rows"]
        comparison.footnote = table["footnote"]
        comparison.chart = self.chart(
            _("Key indicators in both waves; the figures are in the table."),
            charts.comparison_chart(
                [now for now, _b, _d in pairs],
                [before for _n, before, _d in pairs],
                labels,
                self.language,
                now_label=self.wave.title,
                before_label=previous.title,
            ),
        )
        return comparison

    # methods

    def methods(self) -> Methods:
        language = self.language
        fieldwork = field_report(self.wave)
        districts = [
            DistrictSample(
                d["code"],
                d["name"],
                format_number(d["sample"], language),
                format_number(d["used"], language),
                MISSING if d["rate"] is None else format_share(d["rate"] / 100, language, 1),
            )
            for d in fieldwork["districts"]
        ]
        info = self.design.diagnostics()
        margins = ", ".join(self.margin_label(name) for name in info["margins"])
        weighting = [
            (
                _("Design weights"),
                _(
                    "Each respondent of the random sample stands for the adults of their "
                    "sampling district divided by the number of people drawn there."
                ),
            ),
            (
                _("Raking"),
                _(
                    "Adjusted to the population by %(margins)s (iterative proportional "
                    "fitting): %(iterations)d iterations, %(state)s."
                )
                % {
                    "margins": margins,
                    "iterations": info["iterations"],
                    "state": _("converged") if info["converged"] else _("not converged"),
                },
            ),
            (
                _("Weighted answers"),
                _("%(n)s answers of the random sample, weighted to %(population)s adults.")
                % {
                    "n": format_number(info["n"], language),
                    "population": format_number(info["population"], language),
                },
            ),
            (
                _("Weight range"),
                _("%(low)s to %(high)s times the mean weight (largest to smallest: %(ratio)s).")
                % {
                    "low": format_decimal(info["weight_min"], language, 2),
                    "high": format_decimal(info["weight_max"], language, 2),
                    "ratio": format_decimal(info["weight_ratio"], language, 1),
                },
            ),
            (
                _("Design effect (Kish)"),
                _("%(deff)s; effective sample size %(neff)s.")
                % {
                    "deff": format_decimal(info["design_effect"], language, 2),
                    "neff": format_number(round(info["effective_n"]), language),
                },
            ),
        ]
        if info["trimmed_cells"]:
            weighting.append(
                (
                    _("Trimming"),
                    _("Weights capped in %(n)d weighting cells.") % {"n": info["trimmed_cells"]},
                )
            )
        notes = list(info["notes"])
        if info["excluded"]:
            notes.append(
                _("%(n)d answers without a sampling district are not in the weighted base.")
                % {"n": info["excluded"]}
            )
        return Methods(
            sample_size=format_number(fieldwork["sample_size"], language),
            codes_used=format_number(fieldwork["codes_used"], language),
            response_rate=MISSING
            if fieldwork["response_rate"] is None
            else format_share(fieldwork["response_rate"] / 100, language, 1),
            districts=districts,
            returns=self.returns(),
            open_link=format_number(
                fieldwork["by_source"].get(Response.Source.OPEN_LINK, 0), language
            ),
            weighting=weighting,
            notes=notes,
            base=base_statement(self.design),
            minimum=self.minimum,
        )

    def returns(self) -> list[tuple[str, str, str]]:
        """Questionnaires of the random sample by mode: counts of returns, not of answers."""
        counts = dict(
            Response.objects.filter(wave=self.wave, source=Response.Source.SAMPLE)
            .order_by()
            .values("mode")
            .annotate(n=Count("id"))
            .values_list("mode", "n")
        )
        total = sum(counts.values())
        labels = {Response.Mode.WEB: _("online"), Response.Mode.PAPER: _("on paper")}
        return [
            (
                str(label),
                format_number(counts.get(mode, 0), self.language),
                format_share(counts.get(mode, 0) / total, self.language) if total else MISSING,
            )
            for mode, label in labels.items()
        ]

    def margin_label(self, name: str) -> str:
        labels = {
            "gender_age": _("gender × age group"),
            "gender": _("gender"),
            "age_group": _("age group"),
            "district": _("district"),
        }
        if name in labels:
            return labels[name]
        item = self.instrument.item_index.get(name)
        return f"{name} {item.label(self.language)}" if item else name


SVG_ID = re.compile(r'\bid="([^"]+)"')
SVG_ROLES = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')


def inline_svg(svg: str, prefix: str) -> str:
    """A chart's SVG for inlining: hidden from screen readers (the figure's text alternative
    and the table carry the content; Vega's mark roles without names are noise) and with
    ids that do not clash with those of the other charts of the page."""
    svg = SVG_ROLES.sub("", svg)
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    return unique_ids(gradients_in_user_space(svg), prefix)


GRADIENT_RECT = re.compile(r'<path d="M0,0h([\d.]+)v([\d.]+)h-[\d.]+Z" fill="url\(#([^)"]+)\)"')


def gradients_in_user_space(svg: str) -> str:
    """Vega's legend gradients span their rectangle (objectBoundingBox), which WeasyPrint
    does not paint; the same gradient in the rectangle's own coordinates it does."""
    for width, height, name in GRADIENT_RECT.findall(svg):
        start = svg.find(f'<linearGradient id="{name}"')
        end = svg.find(">", start)
        if start < 0 or end < 0 or "gradientUnits" in svg[start:end]:
            continue
        head = re.sub(
            r'\b([xy][12])="([\d.]+)"',
            functools.partial(_scaled, {"x": float(width), "y": float(height)}),
            svg[start:end],
        )
        svg = svg[:start] + head + ' gradientUnits="userSpaceOnUse"' + svg[end:]
    return svg


def _scaled(size: dict[str, float], match: re.Match[str]) -> str:
    """x1="0.5" → x1="120" for a 240 wide rectangle."""
    attribute, value = match.group(1), float(match.group(2))
    return f'{attribute}="{value * size[attribute[0]]:g}"'


def unique_ids(svg: str, prefix: str) -> str:
    """The SVG with its ids (e.g. a legend's gradient) prefixed, so that several charts in
    one page do not share ids (a second map would otherwise paint with the first one's)."""
    for name in set(SVG_ID.findall(svg)):
        svg = re.sub(
            rf'(id="|url\(#|href="#){re.escape(name)}(?=["\)])', rf"\g<1>{prefix}{name}", svg
        )
    return svg


def share_row(rows: Sequence[Estimate], code: int) -> Estimate | None:
    """The share of answer `code` among an item's rows of results.estimate_item."""
    return next((r for r in rows if r.statistic == "share" and r.codes == [code]), None)


def find(rows: Sequence[Estimate], by: str | None, group: Any) -> Estimate:
    return next(r for r in rows if r.by == by and r.group == group)


# --- HTML and PDF ------------------------------------------------------------------------------


def report_context(report: Report) -> dict[str, Any]:
    return {"report": report, "language": report.language}


def render_report_html(report: Report) -> str:
    """The report as a complete HTML document (for the PDF and `-o report.html`)."""
    with translation.override(report.language):
        return render_to_string("analysis/report_document.html", report_context(report))


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint with nothing fetched from outside: fonts come from the system (fontconfig),
    charts are inline SVG."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def report_key(wave: Wave, language: str) -> str:
    """What the report depends on: the answers (read fresh), the weighting settings, the
    language, and what else it prints (districts, places, sample sizes, the previous wave)."""
    language = check_language(language)
    revision = answers_version(wave).replace(":", "-")
    fingerprint = hashlib.sha256(
        json.dumps(_report_inputs(wave), sort_keys=True, default=str).encode()
    ).hexdigest()[:12]
    return f"{revision}-{Settings.for_wave(wave).key()}-{fingerprint}-{language}"


def _report_inputs(wave: Wave) -> dict[str, Any]:
    fresh = Wave.objects.select_related("organisation").get(pk=wave.pk)
    previous = previous_wave(fresh)
    return {
        "code": code_version(),
        "minimum": minimum_cell(),
        "wave": [
            fresh.title,
            fresh.organisation.name,
            fresh.field_start,
            fresh.field_end,
            fresh.instrument_version,
            fresh.extension,
        ],
        "districts": list(
            fresh.districts.order_by("pk").values_list(
                "code", "name", "answer_code", "population", "boundary"
            )
        ),
        "places": list(
            fresh.places.order_by("pk").values_list("code", "name", "kind", "aliases", "district")
        ),
        "codes": list(
            fresh.access_codes.order_by()
            .values("district")
            .annotate(n=Count("id"))
            .values_list("district", "n")
            .order_by("district")
        ),
        "previous": [
            previous.pk,
            previous.title,
            previous.answers_revision,
            Settings.for_wave(previous).key(),
        ]
        if previous
        else None,
    }


@functools.cache
def code_version() -> str:
    """A digest of the report's code and templates, read once per process."""
    return source_digest(Path(__file__).resolve().parent, REPORT_SOURCES)


def report_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "reports"


def report_pdf_path(wave: Wave, language: str) -> Path:
    return report_dir() / f"report-{report_key(wave, language)}.pdf"


def report_pdf(wave: Wave, language: str, *, today: date | None = None) -> Path:
    """The report PDF, made once and reused until its key changes; older PDFs of the wave in
    the same language are removed. Raises WeightingError if the wave cannot be weighted."""
    language = check_language(language)
    path = report_pdf_path(wave, language)
    if path.is_file():
        return path
    pdf = html_to_pdf(render_report_html(build_report(wave, language, today=today)))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(pdf)
    os.replace(temporary, path)
    for old in path.parent.glob(f"report-{wave.pk}-*-{language}.pdf"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def render_report_body(report: Report) -> str:
    """The report as an HTML fragment (the web page puts it into the site's layout)."""
    with translation.override(report.language):
        return render_to_string("analysis/report_body.html", report_context(report))


def report_html(wave: Wave, language: str) -> str:
    """The report body for the web page, cached under the same key as the PDF. Raises
    WeightingError if the wave cannot be weighted."""
    language = check_language(language)
    key = f"analysis:report:{report_key(wave, language)}"
    html: str | None = cache.get(key)
    if html is None:
        html = render_report_body(build_report(wave, language))
        cache.set(key, html, CACHE_SECONDS)
    return html
