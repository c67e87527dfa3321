"""Evaluation of a priority: its indicator in the baseline wave and now, against the target.

Nothing here is stored: every figure is recomputed from the answers (analysis.results), so
the evaluation always follows the data and disclosure control holds – a suppressed figure is
shown as suppressed, never as a number, and no difference is given for it.

"Now" is the latest later wave of the same questionnaire in the same organisation that has
answers (fieldwork started after the baseline's). The difference between the two waves and
its design-based p-value come from results.wave_difference (independent samples). A target is
met when the current estimate has reached it in the direction the target sets from the
baseline (up when the target lies above the baseline, down when below).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from defus.analysis import charts
from defus.analysis.dashboard import comparable
from defus.analysis.formatting import (
    format_decimal,
    format_estimate,
    format_row_ci,
    format_row_n,
    format_share,
)
from defus.analysis.results import AnalysisError, Estimate, wave_difference
from defus.analysis.weighting import WeightingError
from defus.fieldwork.models import Response, Wave
from defus.walks.models import Walk

from .models import Priority
from .services import figure_estimate, find_figure, group_label

SIGNIFICANCE = 0.05


def later_wave(baseline: Wave) -> Wave | None:
    """The organisation's latest wave of the same questionnaire that started after the
    baseline and has answers."""
    return (
        Wave.objects.filter(
            organisation_id=baseline.organisation_id,
            instrument_key=baseline.instrument_key,
            field_start__gt=baseline.field_start,
        )
        .exclude(pk=baseline.pk)
        .filter(Exists(Response.objects.filter(wave=OuterRef("pk"))))
        .order_by("-field_start", "-pk")
        .first()
    )


@dataclass
class Measurement:
    """The indicator in one wave: the estimate row, or why there is none."""

    wave: Wave
    row: Estimate | None = None
    problem: str = ""

    @property
    def shown(self) -> bool:
        return self.row is not None and charts.is_shown(self.row)

    @property
    def suppressed(self) -> bool:
        return self.row is not None and not charts.is_shown(self.row)


@dataclass
class WalkPair:
    walk: Walk
    first: Walk
    url: str | None


@dataclass
class Evaluation:
    priority: Priority
    label: str
    statistic: str  # "share" or "mean"
    who: str
    baseline: Measurement
    current: Measurement | None  # None: no later wave yet
    difference: dict[str, Any] | None = None
    target_met: bool | None = None
    walks: list[WalkPair] = field(default_factory=list)

    @property
    def target_value(self) -> float:
        """The target on the estimates' scale (a proportion for shares)."""
        target = float(self.priority.target)
        return target / 100 if self.statistic == "share" else target

    @property
    def significant(self) -> bool:
        p = (self.difference or {}).get("p_value")
        return p is not None and p < SIGNIFICANCE


def evaluate(priority: Priority, language: str = "de") -> Evaluation:
    baseline_wave = priority.baseline_wave
    share = [int(c) for c in priority.share or []] or None
    with translation.override(language):
        figure = find_figure(baseline_wave, priority.item, share, language)
        label = figure.label if figure is not None else priority.indicator_label
        result = Evaluation(
            priority=priority,
            label=label,
            statistic="share" if share else "mean",
            who=group_label(baseline_wave, priority.group_by, priority.group),
            baseline=measure(priority, baseline_wave, language),
            current=None,
        )
        now = later_wave(baseline_wave)
        if now is not None:
            if comparable(priority.item, now.instrument, baseline_wave.instrument):
                result.current = measure(priority, now, language)
            else:
                result.current = Measurement(
                    now, problem=_("The indicator was not asked the same way in this wave.")
                )
        before, after = result.baseline.row, result.current.row if result.current else None
        if before is not None and after is not None:
            result.difference = wave_difference(after, before)
            if not result.difference["suppressed"] and charts.is_shown(after):
                result.target_met = target_met(before, after, result.target_value)
        result.walks = repeat_walks(priority)
    return result


def measure(priority: Priority, wave: Wave, language: str) -> Measurement:
    share = [int(c) for c in priority.share or []] or None
    try:
        row = figure_estimate(
            wave, priority.item, share, priority.group_by, priority.group, language
        )
    except (WeightingError, AnalysisError) as error:
        return Measurement(wave, problem=str(error))
    return Measurement(wave, row)


def target_met(baseline: Estimate, current: Estimate, target: float) -> bool:
    """Reached in the direction the target sets from the baseline (a target equal to the
    baseline means: do not fall below it)."""
    if target >= baseline.estimate:
        return current.estimate >= target
    return current.estimate <= target


def priority_district(priority: Priority) -> str | None:
    """The district code a priority is about: its group, else its place's district."""
    if priority.group_by == "district":
        return priority.group
    if priority.place is not None and priority.place.district is not None:
        return priority.place.district.code
    return None


def repeat_walks(priority: Priority) -> list[WalkPair]:
    """Repeat walks (with the walk they repeat) in the priority's district – all of the
    organisation's for a priority without a district – newest first."""
    walks = Walk.objects.filter(
        organisation_id=priority.organisation_id, repeat_of__isnull=False
    ).select_related("repeat_of", "district")
    district = priority_district(priority)
    if district is not None:
        walks = walks.filter(Q(district__code=district) | Q(repeat_of__district__code=district))
    out = []
    for walk in walks.order_by("-date", "-pk"):
        assert walk.repeat_of is not None
        out.append(WalkPair(walk, walk.repeat_of, walk_report_url(walk)))
    return out


def walk_report_url(walk: Walk) -> str | None:
    """The walk report (it compares a repeat walk with the first), if that page exists."""
    try:
        return reverse("walks:report", kwargs={"org": walk.organisation.slug, "walk": walk.pk})
    except NoReverseMatch:
        return None


# --- as text, chart and table ----------------------------------------------------------------


def format_target(evaluation: Evaluation, language: str) -> str:
    if evaluation.statistic == "share":
        return format_share(evaluation.target_value, language)
    return format_decimal(evaluation.target_value, language)


def measurement_cells(measurement: Measurement | None, language: str) -> dict[str, Any]:
    """{"value", "ci", "n", "suppressed", "problem"} as printed."""
    if measurement is None:
        return {"value": "", "ci": "", "n": "", "suppressed": False, "problem": ""}
    if measurement.row is None:
        return {
            "value": charts.DASH,
            "ci": "",
            "n": "",
            "suppressed": False,
            "problem": measurement.problem,
        }
    row = measurement.row
    return {
        "value": format_estimate(row, language),
        "ci": format_row_ci(row, language),
        "n": format_row_n(row, language),
        "suppressed": not charts.is_shown(row),
        "problem": "",
    }


def evaluation_table(evaluation: Evaluation, language: str) -> dict[str, Any]:
    """What the page and the overview print for a priority."""
    with translation.override(language):
        difference = evaluation.difference or {}
        if evaluation.target_met is None:
            status = ""
        elif evaluation.target_met:
            status = _("target reached")
        else:
            status = _("target not yet reached")
        return {
            "label": evaluation.label,
            "who": evaluation.who,
            "baseline_wave": evaluation.baseline.wave,
            "baseline": measurement_cells(evaluation.baseline, language),
            "current_wave": evaluation.current.wave if evaluation.current else None,
            "current": measurement_cells(evaluation.current, language)
            if evaluation.current
            else None,
            "difference": charts.format_difference(
                difference.get("difference"), evaluation.statistic, language
            )
            if evaluation.difference
            else "",
            "p_value": charts.format_p(difference.get("p_value"), language)
            if evaluation.difference
            else "",
            "significant": evaluation.significant,
            "difference_suppressed": bool(difference.get("suppressed")),
            "target": format_target(evaluation, language),
            "target_met": evaluation.target_met,
            "status": status,
            "suppressed": any(
                m is not None and m.suppressed for m in (evaluation.baseline, evaluation.current)
            ),
            "footnote": charts.table_footnote(language),
        }


def evaluation_chart(evaluation: Evaluation, language: str) -> dict[str, Any] | None:
    """Baseline and now as points with their 95 % CI, the target as a dashed line (the
    dashboard's series chart, one more layer). None when no figure may be shown."""
    series = [(evaluation.baseline.wave.title, evaluation.baseline)]
    if evaluation.current is not None:
        series.append((evaluation.current.wave.title, evaluation.current))
    shown = [(name, m.row) for name, m in series if m.row is not None and m.shown]
    if not shown:
        return None
    with translation.override(language):
        labels = {shown[0][1].item: evaluation.who}
        spec = charts.series_chart(
            [(name, [row]) for name, row in shown],
            labels,
            language,
            description=_("%(indicator)s (%(who)s): baseline, now and target")
            % {"indicator": evaluation.label, "who": evaluation.who},
            colours=[charts.BEFORE, charts.BRAND],
            shapes=["diamond", "circle"],
        )
        target = evaluation.target_value
        spec["layer"].append(
            {
                "data": {"values": [{"target": target, "text": _("target")}]},
                "layer": [
                    {
                        "mark": {"type": "rule", "color": charts.INK, "strokeDash": [5, 3]},
                        "encoding": {"x": {"field": "target", "type": "quantitative"}},
                    },
                    {
                        "mark": {
                            "type": "text",
                            "align": "left",
                            "baseline": "top",
                            "dx": 3,
                            "y": 0,
                            "color": charts.INK,
                            "fontSize": 11,
                        },
                        "encoding": {
                            "x": {"field": "target", "type": "quantitative"},
                            "text": {"field": "text"},
                        },
                    },
                ],
            }
        )
        return spec
