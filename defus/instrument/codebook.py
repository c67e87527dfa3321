"""The codebook: every variable of the data with its question, values and missing codes.

Generated from the same definition as the questionnaire, so they cannot disagree.
"""

from __future__ import annotations

import csv
import io
from typing import Any

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
                    (1, _MENTIONED[language], "substantive"),
                    (0, _NOT[language], "substantive"),
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
