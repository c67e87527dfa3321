"""The codebook: every variable of the data with its question, values and missing codes.

Generated from the same definition as the questionnaire, so they cannot disagree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from .definition import NO_ANSWER, NOT_APPLICABLE, Instrument, translate

CODEBOOK_COLUMNS = [
    "variable",
    "module",
    "question",
    "kind",
    "label",
    "value",
    "value_label",
    "value_type",
    "comparable",
]


def codebook_rows(instrument: Instrument, language: str = "de") -> list[dict[str, Any]]:
    """One row per variable and value (substantive, "don't know/use" and missing codes)."""
    rows: list[dict[str, Any]] = []
    for question in instrument.questions:
        for item in question.items:
            base = {
                "variable": item.code,
                "module": item.module,
                "question": question.code,
                "kind": item.kind,
                "label": _item_label(question.label(language), item.label(language), item.kind),
                "comparable": "yes" if item.comparable else "no",
            }
            values: list[tuple[Any, str, str]] = []
            if item.kind == "single" and item.scale is not None:
                values = [
                    (o.code, o.text(language), o.special or "substantive")
                    for o in item.scale.options
                ]
            elif item.kind == "multi":
                values = [
                    (1, _pick(_MENTIONED, language), "substantive"),
                    (0, _pick(_NOT, language), "substantive"),
                ]
            elif item.kind == "number":
                unit = translate(question.unit, language)
                values = [(f"{item.minimum}..{item.maximum}", unit, "substantive")]
            elif item.kind == "text":
                values = [("text", _pick(_TEXT, language), "substantive")]
            values += [
                (NO_ANSWER, _pick(_NO_ANSWER, language), "missing"),
                (NOT_APPLICABLE, _pick(_NOT_APPLICABLE, language), "missing"),
            ]
            for value, label, value_type in values:
                rows.append(
                    {**base, "value": value, "value_label": label, "value_type": value_type}
                )
    return rows


def codebook_csv(instrument: Instrument, language: str = "de") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CODEBOOK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(codebook_rows(instrument, language))
    return out.getvalue()


def filter_expression(condition: Mapping[str, Any] | None) -> str:
    """A filter for analysts, e.g. "K1 = 1" or "(V1_01 = 1) or (V1_02 = 1)"; "" if always asked."""
    if not condition:
        return ""
    for key in ("all", "any"):
        if key in condition:
            parts = [filter_expression(c) for c in condition[key]]
            joiner = " and " if key == "all" else " or "
            if len(parts) == 1:
                return parts[0]
            return joiner.join(f"({p})" for p in parts)
    values = list(condition["in"])
    if len(values) == 1:
        return f"{condition['item']} = {values[0]}"
    return f"{condition['item']} in {{{', '.join(map(str, values))}}}"


def codebook_variables(instrument: Instrument, language: str = "de") -> list[dict[str, Any]]:
    """The codebook grouped by variable: one entry per item with its values and filter.

    Built from `codebook_rows`, so the HTML and the CSV codebook list the same values.
    """
    filters = {
        item.code: filter_expression(question.show_if)
        for question in instrument.questions
        for item in question.items
    }
    variables: dict[str, dict[str, Any]] = {}
    for row in codebook_rows(instrument, language):
        entry = variables.get(row["variable"])
        if entry is None:
            entry = {
                key: row[key]
                for key in ("variable", "module", "question", "kind", "label", "comparable")
            }
            entry["asked_if"] = filters.get(row["variable"], "")
            entry["values"] = []
            variables[row["variable"]] = entry
        entry["values"].append(
            {"value": row["value"], "label": row["value_label"], "type": row["value_type"]}
        )
    return list(variables.values())


def render_codebook_html(instrument: Instrument, language: str = "de") -> str:
    """A self-contained, printable HTML codebook (one table per variable) in `language`."""
    with translation.override(language):
        return render_to_string(
            "instrument/codebook_document.html", codebook_context(instrument, language)
        )


def codebook_context(instrument: Instrument, language: str) -> dict[str, Any]:
    """Template context shared by the standalone codebook and the codebook web page."""
    modules = []
    variables = codebook_variables(instrument, language)
    for module in instrument.modules:
        modules.append(
            {
                "code": module.code,
                "title": translate(module.title, language),
                "comparable": module.comparable,
                "variables": [v for v in variables if v["module"] == module.code],
            }
        )
    return {
        "instrument": instrument,
        "title": translate(instrument.title, language),
        "language": language,
        "modules": modules,
        "variable_count": len(variables),
        "no_answer": NO_ANSWER,
        "not_applicable": NOT_APPLICABLE,
    }


def _pick(labels: dict[str, str], language: str) -> str:
    return labels.get(language, labels["en"])


def _item_label(question: str, item: str, kind: str) -> str:
    return question if item == question else f"{question} – {item}"


_MENTIONED = {"de": "genannt", "en": "ticked", "fr": "coché"}
_NOT = {"de": "nicht genannt", "en": "not ticked", "fr": "non coché"}
_TEXT = {"de": "offene Angabe", "en": "open answer", "fr": "réponse libre"}
_NO_ANSWER = {"de": "keine Angabe", "en": "no answer", "fr": "sans réponse"}
_NOT_APPLICABLE = {
    "de": "nicht gefragt (Filter)",
    "en": "not asked (filter)",
    "fr": "non posée (filtre)",
}
