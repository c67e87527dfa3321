"""The one-page overview for the council: priorities, their indicator from the baseline to
now against the target (with 95 % confidence intervals), and the measures with their status.

HTML (the web page and `defus measures report -o FILE.html`) and an A4 PDF made by WeasyPrint
(analysis.report.html_to_pdf: nothing fetched from outside). Everything is evaluated afresh
(evaluation.py); nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from defus.analysis import charts
from defus.analysis.formatting import format_decimal
from defus.analysis.report import html_to_pdf
from defus.analysis.results import minimum_cell
from defus.core.languages import check_language
from defus.organisations.models import Organisation

from .evaluation import evaluate, evaluation_table
from .models import Measure, Priority


def format_budget(value: Decimal | None, language: str) -> str:
    if value is None:
        return ""
    return format_decimal(float(value), language, 0) + "\u00a0€"


def format_period(measure: Measure) -> str:
    def day(value: date | None) -> str:
        return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "…"

    if measure.start is None and measure.end is None:
        return ""
    return f"{day(measure.start)} – {day(measure.end)}"


@dataclass
class PriorityLine:
    priority: Priority
    place: str
    figure: dict[str, Any]
    measures: list[dict[str, Any]]


def priorities_of(organisation: Organisation) -> list[Priority]:
    return list(
        Priority.objects.filter(organisation=organisation)
        .select_related("baseline_wave", "place", "place__district")
        .prefetch_related(Prefetch("measures", queryset=Measure.objects.order_by("start", "pk")))
    )


def measure_line(measure: Measure, language: str) -> dict[str, Any]:
    return {
        "measure": measure,
        "title": measure.title,
        "department": measure.department,
        "status": measure.status,
        "status_label": measure.get_status_display(),
        "period": format_period(measure),
        "budget": format_budget(measure.budget, language),
        "where": measure.where,
    }


def place_text(priority: Priority) -> str:
    return priority.place.name if priority.place is not None else priority.place_text


def build_overview(organisation: Organisation, language: str) -> dict[str, Any]:
    language = check_language(language)
    with translation.override(language):
        lines = []
        for priority in priorities_of(organisation):
            lines.append(
                PriorityLine(
                    priority=priority,
                    place=place_text(priority),
                    figure=evaluation_table(evaluate(priority, language), language),
                    measures=[measure_line(m, language) for m in priority.measures.all()],
                )
            )
        measures = [m for line in lines for m in line.measures]
        status_counts = []
        for status, label in Measure.Status.choices:
            count = sum(1 for m in measures if m["status"] == status)
            if count:
                status_counts.append((str(label), count))
        budget = sum(
            (m["measure"].budget for m in measures if m["measure"].budget is not None),
            Decimal(0),
        )
        return {
            "organisation": organisation,
            "language": language,
            "today": formats.date_format(timezone.localdate(), "DATE_FORMAT"),
            "lines": lines,
            "measure_count": len(measures),
            "status_counts": status_counts,
            "budget": format_budget(budget, language) if measures else "",
            "any_suppressed": any(line.figure["suppressed"] for line in lines),
            "footnote": charts.table_footnote(language),
            "minimum": minimum_cell(),
            "title": _("Safety strategy: priorities, measures and evaluation"),
        }


def render_overview_body(context: dict[str, Any]) -> str:
    with translation.override(context["language"]):
        return render_to_string("strategy/overview_body.html", context)


def render_overview_html(organisation: Organisation, language: str) -> str:
    """A complete HTML document (for the PDF and `-o overview.html`)."""
    context = build_overview(organisation, language)
    with translation.override(context["language"]):
        return render_to_string("strategy/overview_document.html", context)


def overview_pdf(organisation: Organisation, language: str) -> bytes:
    return html_to_pdf(render_overview_html(organisation, language))
