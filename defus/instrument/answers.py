"""Turning raw answers (web form fields, paper entry, CSV cells) into clean item values.

One set of rules for every way an answer arrives, so web, paper and import cannot drift.
Values: single → option code (int), multi → 1/0, number → int, text → str (trimmed).
Missing answers are simply absent from the answers mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from .definition import (
    NO_ANSWER,
    NOT_APPLICABLE,
    Instrument,
    Item,
    Module,
    filter_applies,
)

TEXT_MAX_LENGTH = 1000


class AnswerError(ValueError):
    """A value that is not an answer to the item; the message is for the person who gave it."""


def clean_value(item: Item, raw: Any) -> int | str | None:
    """Clean one raw value for `item`; None for no answer; AnswerError when invalid."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raw = int(raw)
    text = str(raw).strip()
    if text == "" or text in (str(NO_ANSWER), str(NOT_APPLICABLE)):
        return None
    if item.kind == "text":
        if len(text) > TEXT_MAX_LENGTH:
            raise AnswerError(_("Please use at most %(n)d characters.") % {"n": TEXT_MAX_LENGTH})
        return text
    try:
        number = int(text)
    except ValueError:
        raise AnswerError(_("Please enter a whole number.")) from None
    if item.kind == "single":
        assert item.scale is not None
        if number not in item.scale.codes:
            raise AnswerError(_("This is not one of the answers offered."))
    elif item.kind == "multi":
        if number not in (0, 1):
            raise AnswerError(_("Tick the box or leave it empty."))
    elif item.kind == "number":
        if item.minimum is not None and number < item.minimum:
            raise AnswerError(_("Please enter a number of at least %(n)d.") % {"n": item.minimum})
        if item.maximum is not None and number > item.maximum:
            raise AnswerError(_("Please enter a number of at most %(n)d.") % {"n": item.maximum})
    return number


def clean_module_form(
    module: Module, data: Mapping[str, Any], previous: Mapping[str, Any]
) -> tuple[dict[str, int | str], dict[str, str]]:
    """Read one module's form fields (named by item code) into answers and errors.

    `data` is a QueryDict or plain mapping; for multi questions, the field `<question code>`
    carries the ticked item codes, and a hidden `<question code>__shown` marks it as answered.
    Answers of questions whose filter does not apply are dropped. Returns (answers, errors by
    item or question code).
    """
    answers: dict[str, int | str] = {}
    errors: dict[str, str] = {}
    for question in module.questions:
        if question.kind == "multi":
            ticked = set(_getlist(data, question.code))
            unknown = ticked - {i.code for i in question.items}
            if unknown:
                errors[question.code] = _("This is not one of the answers offered.")
                continue
            if ticked:
                for item in question.items:
                    answers[item.code] = 1 if item.code in ticked else 0
            continue
        for item in question.items:
            try:
                value = clean_value(item, data.get(item.code))
            except AnswerError as exc:
                errors[item.code] = str(exc)
                continue
            if value is not None:
                answers[item.code] = value
    # Second pass: drop what a filter excludes (filters may refer to this page's answers).
    context = {**previous, **answers}
    for question in module.questions:
        if not filter_applies(question.show_if, context):
            for item in question.items:
                answers.pop(item.code, None)
                errors.pop(item.code, None)
            errors.pop(question.code, None)
    return answers, errors


def _getlist(data: Mapping[str, Any], key: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [str(v) for v in data.getlist(key)]
    value = data.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def asked_items(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, bool]:
    """For every item: was it asked (its filter applies) given the final answers?"""
    return {
        item.code: filter_applies(question.show_if, answers)
        for question in instrument.questions
        for item in question.items
    }


def export_value(item: Item, answers: Mapping[str, Any], asked: bool) -> int | str:
    """The value written to an export cell: the answer, or NO_ANSWER / NOT_APPLICABLE."""
    if not asked:
        return NOT_APPLICABLE
    value = answers.get(item.code)
    if value is None:
        return NO_ANSWER
    return value
