"""The results dashboard of a wave: what each section shows, assembled from results.py rows.

Every figure on the dashboard is an `Estimate` row (or a `PlaceShare`) of results.py, so
disclosure control holds; this module only chooses rows, labels them and turns them into
charts and tables (charts.py). The page is made of sections, each rendered to HTML once and
kept in the cache until something it depends on changes: new answers (the wave's
answers_revision, read fresh), the weighting settings, the districts and places, the
language, the section's filters, and for the comparisons the other waves' revisions.

Sections: summary (base, key indicators), breakdown (key indicators by a group variable),
map (one figure by district), modules (a chart and table per question), comparison (previous
wave, open-link answers, other cities). Breakdown and map have filters and are replaced on
their own (htmx) when a filter changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from ..fieldwork.models import Response, Wave
from ..instrument.definition import Instrument, Item, Question, standard_instrument, translate
from ..organisations.models import Organisation
from . import charts
from .data import CACHE_SECONDS, answers_version, load_wave_data, previous_wave
from .margins import Settings, WaveDesign, wave_design
from .results import (
    AnalysisError,
    Estimate,
    base_statement,
    estimate_item,
    index_alpha,
    minimum_cell,
    unsafe_places,
    wave_difference,
)
from .weighting import WeightingError

BREAKDOWNS = ("district", "gender", "age_group")
SECTIONS = ("summary", "breakdown", "map", "modules", "comparison")
FILTERED_SECTIONS = ("breakdown", "map")  # replaced on their own when a filter changes
PLACES_ITEM = "K3"  # the open answer naming unsafe places


# --- figures and filters ---------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A key indicator (share of `share` answers to `item`) or an index (a mean)."""

    code: str
    item: str
    share: tuple[int, ...] | None
    label: str
    domain: tuple[float, float] | None = None  # the scale of an index

    @property
    def statistic(self) -> str:
        return "share" if self.share else "mean"


def figures(instrument: Instrument, language: str) -> list[Figure]:
    """The instrument's key indicators and indices, as offered in the filters."""
    out = [
        Figure(i.code, i.item, tuple(i.share), translate(i.label, language))
        for i in instrument.indicators
        if i.item in instrument.item_index
    ]
    for index in instrument.indices:
        if all(code in instrument.item_index for code in index.items):
            out.append(
                Figure(
                    index.code,
                    index.code,
                    None,
                    translate(index.label, language),
                    index_domain(instrument, index.items),
                )
            )
    return out


def index_domain(instrument: Instrument, items: Sequence[str]) -> tuple[float, float] | None:
    scale = instrument.item(items[0]).scale if items else None
    codes = scale.substantive_codes if scale else ()
    return (float(min(codes)), float(max(codes))) if codes else None


@dataclass(frozen=True)
class Filters:
    by: str  # "district", "gender" or "age_group"
    figure: str  # code of the figure broken down
    map: str  # code of the figure on the map

    def key(self, section: str) -> str:
        return {"breakdown": f"{self.by}:{self.figure}", "map": self.map}.get(section, "")

    def query(self) -> dict[str, str]:
        return {"by": self.by, "figure": self.figure, "map": self.map}


def parse_filters(query: Mapping[str, str], choices: Sequence[Figure]) -> Filters:
    """The filters of the request; unknown values fall back to the defaults (no error page
    for a hand-edited URL)."""
    codes = [f.code for f in choices]
    default = codes[0] if codes else ""
    by = query.get("by", "")
    figure = query.get("figure", "")
    shown_on_map = query.get("map", "")
    return Filters(
        by=by if by in BREAKDOWNS else BREAKDOWNS[0],
        figure=figure if figure in codes else default,
        map=shown_on_map if shown_on_map in codes else default,
    )


def breakdown_choices() -> list[tuple[str, str]]:
    return [("district", _("district")), ("gender", _("gender")), ("age_group", _("age group"))]


# --- the other waves a dashboard compares with ---------------------------------------------


def _with_answers() -> Exists:
    return Exists(Response.objects.filter(wave=OuterRef("pk")))


def comparison_waves(wave: Wave) -> list[Wave]:
    """Other organisations' latest waves of the same questionnaire with answers – only when
    this organisation and each other one agreed to compare (Organisation.compare_results)."""
    organisation = Organisation.objects.get(pk=wave.organisation_id)
    if not organisation.compare_results:
        return []
    # One query for all cities that agreed: their waves of this questionnaire with answers,
    # newest first; the first of each organisation is its latest.
    candidates = (
        Wave.objects.filter(organisation__compare_results=True, instrument_key=wave.instrument_key)
        .exclude(organisation=organisation)
        .filter(_with_answers())
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id", "-field_start", "-pk")
    )
    latest: dict[int, Wave] = {}
    for candidate in candidates:
        latest.setdefault(candidate.organisation_id, candidate)
    return list(latest.values())


def comparable(item: str, now: Instrument, before: Instrument) -> bool:
    """An item asked the same way in both questionnaires: comparable in both, same answers."""
    indices = {i.code: i for i in now.indices}
    if item in indices:
        other = next((i for i in before.indices if i.code == item), None)
        return (
            other is not None
            and other.items == indices[item].items
            and all(comparable(code, now, before) for code in other.items)
        )
    a, b = now.item_index.get(item), before.item_index.get(item)
    if a is None or b is None or not (a.comparable and b.comparable):
        return False
    return (a.scale.codes if a.scale else None) == (b.scale.codes if b.scale else None)


# --- the dashboard -----------------------------------------------------------------------------


class Dashboard:
    """One wave's dashboard in one language; sections are rendered to HTML and cached."""

    def __init__(self, wave: Wave, language: str):
        self.wave = wave
        self.language = language

    # ---- state shared by the sections

    @cached_property
    def instrument(self) -> Instrument:
        return self.wave.instrument

    @cached_property
    def figures(self) -> list[Figure]:
        # Key indicators and indices come from the standard questionnaire (a city's own
        # modules add none); it is loaded once per process, unlike the wave's bound copy.
        base = standard_instrument(self.wave.instrument_key, self.wave.instrument_version)
        return figures(base, self.language)

    def filters(self, query: Mapping[str, str]) -> Filters:
        return parse_filters(query, self.figures)

    @cached_property
    def answers(self) -> int:
        return load_wave_data(self.wave).n

    @cached_property
    def design_or_error(self) -> WaveDesign | WeightingError:
        try:
            return wave_design(self.wave)
        except WeightingError as error:
            return error

    @property
    def design(self) -> WaveDesign | None:
        design = self.design_or_error
        return design if isinstance(design, WaveDesign) else None

    @cached_property
    def previous(self) -> Wave | None:
        return previous_wave(self.wave)

    @cached_property
    def cities(self) -> list[Wave]:
        return comparison_waves(self.wave)

    @cached_property
    def fingerprint(self) -> str:
        """What the sections depend on besides the filters and the language."""
        wave = self.wave
        revision = answers_version(wave)
        districts = list(
            wave.districts.order_by("answer_code").values_list(
                "pk", "code", "name", "answer_code", "population", "boundary"
            )
        )
        drawn = sorted(
            wave.access_codes.order_by()
            .values("district_id")
            .annotate(n=Count("id"))
            .values_list("district_id", "n")
        )
        places = list(wave.places.order_by("code").values_list("code", "name", "aliases"))
        others = [self.previous, *self.cities]
        other_state = list(
            Wave.objects.filter(pk__in=[w.pk for w in others if w is not None])
            .order_by("pk")
            .values_list("pk", "title", "answers_revision", "weighting__updated")
        )
        parts = [
            revision,
            wave.title,
            [w.organisation.name for w in [wave, *self.cities]],
            Settings.for_wave(wave).key(),
            minimum_cell(),
            wave.instrument_key,
            wave.instrument_version,
            wave.extension,
            districts,
            drawn,
            places,
            self.previous.pk if self.previous else None,
            [w.pk for w in self.cities],
            other_state,
        ]
        text = json.dumps(parts, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def cache_key(self, section: str, filters: Filters) -> str:
        return (
            f"analysis:dashboard:{self.wave.pk}:{self.fingerprint}:{self.language}:"
            f"{section}:{filters.key(section)}"
        )

    def section(self, name: str, filters: Filters) -> str:
        """A section's HTML, from the cache when nothing it depends on has changed."""
        if name not in SECTIONS:
            raise ValueError(name)
        key = self.cache_key(name, filters)
        html: str | None = cache.get(key)
        if html is None:
            with translation.override(self.language):
                context = {
                    "wave": self.wave,
                    "organisation": self.wave.organisation,
                    "filters": filters,
                    "status": self.status(),
                    **getattr(self, f"{name}_context")(filters),
                }
                html = render_to_string(f"analysis/_dashboard_{name}.html", context)
            cache.set(key, html, CACHE_SECONDS)
        return html

    def status(self) -> dict[str, Any]:
        """The dashboard's state, cached like the sections: "empty" (no answers), "error" (the
        random sample cannot be weighted; the message says why) or "ok"."""
        key = self.cache_key("status", Filters("", "", ""))
        status: dict[str, Any] | None = cache.get(key)
        if status is None:
            with translation.override(self.language):
                status = self.compute_status()
            cache.set(key, status, CACHE_SECONDS)
        return status

    def compute_status(self) -> dict[str, Any]:
        if not self.answers:
            return {"state": "empty", "message": ""}
        design = self.design_or_error
        if isinstance(design, WeightingError):
            return {"state": "error", "message": str(design)}
        return {"state": "ok", "message": ""}

    # ---- sections

    def summary_context(self, filters: Filters) -> dict[str, Any]:
        design = self.design
        if design is None:
            return {}
        rows = self.key_rows(design)
        labels = {figure.code: figure.label for figure in self.figures}
        indicator_rows = [row for figure, row in rows if figure.share]
        index_rows = [(figure, row) for figure, row in rows if not figure.share]
        diagnostics = design.diagnostics()
        indices = []
        for figure, row in index_rows:
            alpha = index_alpha(design, figure.code) if charts.is_shown(row) else float("nan")
            indices.append(
                {
                    "label": figure.label,
                    "estimate": charts.format_estimate(row, self.language),
                    "ci": charts.format_ci(row, self.language),
                    "n": charts.format_n(row, self.language),
                    "alpha": charts.format_number(alpha, 2, self.language)
                    if alpha == alpha
                    else charts.DASH,
                    "suppressed": not charts.is_shown(row),
                }
            )
        item_labels = self.figure_labels()
        domain = next((f.domain for f, _row in index_rows if f.domain), None)
        return {
            "base": base_statement(design),
            "respondents": charts.format_number(diagnostics.get("n", 0), 0, self.language),
            "effective_n": charts.format_number(
                diagnostics.get("effective_n", 0), 0, self.language
            ),
            "design_effect": charts.format_number(
                diagnostics.get("design_effect", 1), 2, self.language
            ),
            "notes": design.notes,
            "excluded": design.excluded,
            "indicators": self.chart(
                "indicators",
                charts.indicator_chart(
                    indicator_rows, item_labels, self.language, description=_("Key indicators")
                ),
                charts.chart_table(indicator_rows, item_labels, self.language),
            ),
            "indices": indices,
            "indices_chart": self.chart(
                "indices",
                charts.indicator_chart(
                    [row for _f, row in index_rows],
                    item_labels,
                    self.language,
                    description=_("Indices"),
                    domain=domain,
                ),
                None,
            )
            if index_rows
            else None,
            "indices_footnote": charts.table_footnote(self.language)
            if any(i["suppressed"] for i in indices)
            else "",
            "labels": labels,
        }

    def key_rows(self, design: WaveDesign) -> list[tuple[Figure, Estimate]]:
        """The overall row of every figure (key indicators and indices)."""
        out = []
        for figure in self.figures:
            rows = self.figure_rows(design, figure, None)
            overall = next((r for r in rows if r.by is None), None)
            if overall is not None:
                out.append((figure, overall))
        return out

    def figure_rows(self, design: WaveDesign, figure: Figure, by: str | None) -> list[Estimate]:
        rows = estimate_item(design, figure.item, by=by, share=figure.share, language=self.language)
        return [r for r in rows if r.statistic == figure.statistic]

    def figure_labels(self) -> dict[Any, str]:
        """Labels of figures keyed by their item (how chart rows find them)."""
        return {figure.item: figure.label for figure in self.figures}

    def breakdown_context(self, filters: Filters) -> dict[str, Any]:
        design = self.design
        figure = next((f for f in self.figures if f.code == filters.figure), None)
        if design is None or figure is None:
            return {"choices": self.filter_choices()}
        rows = self.figure_rows(design, figure, filters.by)
        groups = [r for r in rows if r.by is not None]
        chart = self.chart(
            "breakdown",
            charts.indicator_chart(
                groups, {}, self.language, description=figure.label, domain=figure.domain
            ),
            charts.chart_table(groups, {}, self.language),
        )
        # All figures by the chosen group: one column per group.
        table_rows: list[dict[str, Any]] = []
        headers: list[str] = []
        any_hidden = False
        for other in self.figures:
            other_rows = [r for r in self.figure_rows(design, other, filters.by) if r.by]
            headers = headers or [r.group_label or str(r.group) for r in other_rows]
            cells = [
                {
                    "estimate": charts.format_estimate(r, self.language),
                    "ci": charts.format_ci(r, self.language),
                }
                for r in other_rows
            ]
            any_hidden |= any(not charts.is_shown(r) for r in other_rows)
            table_rows.append({"label": other.label, "cells": cells})
        return {
            "choices": self.filter_choices(),
            "figure": figure,
            "by_label": dict(breakdown_choices())[filters.by],
            "chart": chart,
            "all_figures": {
                "headers": headers,
                "rows": table_rows,
                "footnote": charts.table_footnote(self.language) if any_hidden else "",
            },
        }

    def filter_choices(self) -> dict[str, Any]:
        return {
            "by": breakdown_choices(),
            "figures": [(f.code, f.label) for f in self.figures],
        }

    def map_context(self, filters: Filters) -> dict[str, Any]:
        design = self.design
        figure = next((f for f in self.figures if f.code == filters.map), None)
        districts = list(self.wave.districts.order_by("answer_code"))
        with_boundary = [d for d in districts if d.boundary]
        context: dict[str, Any] = {
            "choices": self.filter_choices(),
            "has_boundaries": bool(with_boundary),
        }
        if design is None or figure is None or not with_boundary:
            return context
        rows = [r for r in self.figure_rows(design, figure, "district") if r.by]
        context.update(
            figure=figure,
            chart=self.chart(
                "map",
                charts.district_map(rows, with_boundary, figure.label, self.language),
                charts.chart_table(rows, {}, self.language),
            ),
            without_boundary=[d.name for d in districts if not d.boundary],
        )
        return context

    def modules_context(self, filters: Filters) -> dict[str, Any]:
        design = self.design
        if design is None:
            return {"modules": []}
        modules = []
        for module in self.instrument.modules:
            questions = []
            for question in module.questions:
                try:
                    shown = self.question(design, question)
                except AnalysisError:  # e.g. an item missing from old answers: leave it out
                    shown = None
                if shown is not None:
                    questions.append(shown)
            if questions:
                modules.append(
                    {
                        "code": module.code,
                        "title": translate(module.title, self.language),
                        "comparable": module.comparable,
                        "questions": questions,
                    }
                )
        return {"modules": modules}

    def question(self, design: WaveDesign, question: Question) -> dict[str, Any] | None:
        """A question's chart and table (or the unsafe places for the open answer)."""
        language = self.language
        out: dict[str, Any] = {
            "code": question.code,
            "text": question.label(language),
            "kind": question.kind,
        }
        items = list(question.items)
        if question.kind == "text":
            if PLACES_ITEM not in [item.code for item in items]:
                return None
            places, uncoded = unsafe_places(design, list(self.wave.places.all()))
            out["places"] = charts.places_table(places, language) if places else None
            out["uncoded"] = charts.format_number(uncoded, 0, language)
            return out
        if question.kind in ("grid", "single") and question.scale is not None:
            scale = question.scale
            item_rows = {
                item.code: estimate_item(design, item.code, language=language) for item in items
            }
            item_labels = {
                item.code: (item.label(language) if question.kind == "grid" else _("all"))
                for item in items
            }
            substantive = {o.code: o.text(language) for o in scale.options if o.special is None}
            special = {o.code: o.text(language) for o in scale.options if o.special is not None}
            out["chart"] = self.chart(
                f"q-{question.code}",
                charts.distribution_chart(
                    item_rows,
                    item_labels,
                    substantive,
                    language,
                    description=question.label(language),
                    ordinal=scale.ordinal,
                ),
                None,
            )
            out["distribution"] = charts.distribution_table(
                item_rows, item_labels, substantive, language, special_labels=special
            )
            return out
        if question.kind == "multi":
            rows = [
                estimate_item(design, item.code, share=[1], language=language)[0] for item in items
            ]
            labels = {item.code: item.label(language) for item in items}
            out["chart"] = self.chart(
                f"q-{question.code}",
                charts.indicator_chart(
                    rows, labels, language, description=question.label(language)
                ),
                charts.chart_table(rows, labels, language),
            )
            return out
        if question.kind == "number":
            means = [self.mean_row(design, item) for item in items]
            shown = [r for r in means if r is not None]
            if not shown:
                return None
            labels = {item.code: item.label(language) for item in items}
            out["table"] = charts.chart_table(shown, labels, language)
            return out
        return None

    def mean_row(self, design: WaveDesign, item: Item) -> Estimate | None:
        try:
            rows = estimate_item(design, item.code, language=self.language)
        except AnalysisError:
            return None
        return next((r for r in rows if r.statistic == "mean"), None)

    def comparison_context(self, filters: Filters) -> dict[str, Any]:
        design = self.design
        labels = self.figure_labels()
        context: dict[str, Any] = {
            "compare_results": self.wave.organisation.compare_results,
            "previous": None,
            "open_link": self.open_link_context(labels),
            "cities": None,
        }
        if design is None:
            return context
        if self.previous is not None:
            context["previous"] = self.previous_context(design, self.previous, labels)
        if context["compare_results"]:
            context["cities"] = self.cities_context(design, labels)
        return context

    def previous_context(
        self, design: WaveDesign, previous: Wave, labels: Mapping[Any, str]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"wave": previous, "error": ""}
        try:
            before_design = wave_design(previous)
        except WeightingError as error:
            out["error"] = str(error)
            return out
        pairs = []
        for figure in self.figures:
            if not comparable(figure.item, self.instrument, previous.instrument):
                continue
            now = self.figure_rows(design, figure, None)
            try:
                before = self.figure_rows(before_design, figure, None)
            except AnalysisError:
                continue
            for now_row, before_row in charts.matched_rows(now, before):
                pairs.append((now_row, before_row, wave_difference(now_row, before_row)))
        if not pairs:
            return out
        share_pairs = [p for p in pairs if p[0].statistic == "share"]
        out["chart"] = (
            self.chart(
                "previous",
                charts.comparison_chart(
                    [p[0] for p in share_pairs],
                    [p[1] for p in share_pairs],
                    labels,
                    self.language,
                    now_label=self.wave.title,
                    before_label=previous.title,
                ),
                None,
            )
            if share_pairs
            else None
        )
        out["table"] = charts.comparison_table(pairs, labels, self.language)
        return out

    def open_link_context(self, labels: Mapping[Any, str]) -> dict[str, Any] | None:
        if not self.answers:
            return None
        design = wave_design(self.wave, base="open_link")
        if not len(design.rows):
            return None
        rows = [row for figure, row in self.key_rows(design) if figure.share]
        return {
            "base": base_statement(design),
            "respondents": charts.format_number(len(design.rows), 0, self.language),
            "chart": self.chart(
                "open-link",
                charts.indicator_chart(
                    rows, labels, self.language, description=_("Key indicators: open link")
                ),
                charts.chart_table(rows, labels, self.language),
            ),
        }

    def cities_context(self, design: WaveDesign, labels: Mapping[Any, str]) -> dict[str, Any]:
        own = [row for figure, row in self.key_rows(design) if figure.share]
        series = [(self.wave.organisation.name, own)]
        missing = []
        for other in self.cities:
            try:
                other_design = wave_design(other)
            except WeightingError:
                missing.append(other.organisation.name)
                continue
            rows = []
            for figure in self.figures:
                if not figure.share or not comparable(
                    figure.item, self.instrument, other.instrument
                ):
                    continue
                try:
                    rows.extend(self.figure_rows(other_design, figure, None))
                except AnalysisError:
                    continue
            series.append((f"{other.organisation.name} ({other.title})", rows))
        if len(series) == 1:
            return {"series": [], "missing": missing}
        table = []
        any_hidden = False
        for row in own:
            cells = []
            for _name, rows in series:
                match = next((r for r in rows if charts.matched_rows([row], [r])), None)
                if match is None:
                    cells.append({"estimate": charts.DASH, "ci": "", "n": ""})
                    continue
                any_hidden |= not charts.is_shown(match)
                cells.append(
                    {
                        "estimate": charts.format_estimate(match, self.language),
                        "ci": charts.format_ci(match, self.language),
                        "n": charts.format_n(match, self.language),
                    }
                )
            table.append({"label": charts.row_label(row, labels), "cells": cells})
        return {
            "series": [name for name, _rows in series],
            "missing": missing,
            "chart": self.chart(
                "cities",
                charts.series_chart(
                    series,
                    labels,
                    self.language,
                    description=_("Key indicators of the cities that compare their results"),
                    colours=[charts.BRAND, *charts.CATEGORICAL[1:]],
                ),
                None,
            ),
            "table": {
                "rows": table,
                "footnote": charts.table_footnote(self.language) if any_hidden else "",
            },
        }

    def chart(
        self, name: str, spec: dict[str, Any], table: dict[str, Any] | None
    ) -> dict[str, Any]:
        return {
            "id": f"chart-{name}",
            "spec_id": f"chart-{name}-spec",
            "spec": spec,
            "description": spec.get("description", ""),
            "table": table,
        }
