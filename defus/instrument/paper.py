"""The questionnaire in words and on paper: filter instructions, an outline, the paper PDF.

`questionnaire_outline` turns an Instrument into plain data (modules, questions, options, filter
instructions in words) for one language; the paper questionnaire (`render_paper_pdf`) and the
overview page for staff both render it, so they say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .definition import WAVE_DISTRICTS, Instrument, Item, Question, filter_items, translate

# Short answer labels fit side by side on one line; longer ones go one below the other.
INLINE_LABEL_LENGTH = 24


@dataclass
class OptionView:
    code: int
    label: str
    special: str | None = None
    go_to: str | None = None  # "→ go on to question X" printed next to the box on paper


@dataclass
class RowView:
    code: str
    label: str


@dataclass
class QuestionView:
    code: str
    kind: str
    text: str
    note: str = ""
    scale_key: str = ""
    options: list[OptionView] = field(default_factory=list)
    rows: list[RowView] = field(default_factory=list)
    filter_text: str = ""  # "If you answered “yes” (1) to question K1"
    otherwise: str = ""  # code of the question to go on to when the filter does not apply
    unit: str = ""
    minimum: int | None = None
    maximum: int | None = None
    digits: int = 0
    write_in: bool = False  # an unbound @districts question: a line to write on
    inline: bool = False  # few short options: print them side by side
    columns: int = 1  # long option lists (districts) in several columns
    core: bool = True

    @property
    def has_special(self) -> bool:
        return any(o.special for o in self.options)

    @property
    def option_columns(self) -> list[list[OptionView]]:
        """The options split into `columns` lists, top to bottom, then left to right."""
        per_column = -(-len(self.options) // max(self.columns, 1))
        return [
            self.options[i : i + per_column] for i in range(0, len(self.options), per_column or 1)
        ]

    @property
    def digit_slots(self) -> range:
        return range(self.digits)


@dataclass
class ModuleView:
    number: int
    code: str
    title: str
    intro: str
    core: bool
    comparable: bool
    questions: list[QuestionView]


# --- filters in words -------------------------------------------------------------------------


def _question_of(instrument: Instrument, item: Item) -> Question:
    return next(q for q in instrument.questions if q.code == item.question)


def _quoted(text: str) -> str:
    # Quotation marks differ by language („…“, “…”, « … »): translators set them.
    return _("“%(text)s”") % {"text": text}


def _answers_in_words(item: Item, values: Sequence[Any], language: str) -> str:
    labels = []
    for value in values:
        option = item.scale.option(value) if item.scale is not None else None
        if option is not None:
            labels.append(
                _("“%(answer)s” (%(code)s)") % {"answer": option.text(language), "code": value}
            )
        else:
            labels.append(str(value))
    return _(" or ").join(labels)


def _leaf_in_words(
    instrument: Instrument, item_code: str, values: Sequence[Any], language: str
) -> str:
    item = instrument.item_index.get(item_code)
    if item is None:
        return _("you answered %(values)s to %(item)s") % {
            "values": ", ".join(map(str, values)),
            "item": item_code,
        }
    question = _question_of(instrument, item)
    if item.kind == "multi":
        if list(values) == [0]:
            return _("you did not tick %(row)s in question %(question)s") % {
                "row": _quoted(item.label(language)),
                "question": question.code,
            }
        return _("you ticked %(row)s in question %(question)s") % {
            "row": _quoted(item.label(language)),
            "question": question.code,
        }
    answers = _answers_in_words(item, values, language)
    if item.code == question.code:
        return _("you answered %(answers)s to question %(question)s") % {
            "answers": answers,
            "question": question.code,
        }
    return _("you answered %(answers)s for %(row)s in question %(question)s") % {
        "answers": answers,
        "row": _quoted(item.label(language)),
        "question": question.code,
    }


def _condition_in_words(instrument: Instrument, condition: Mapping[str, Any], language: str) -> str:
    for key, joiner in (("any", _(" or ")), ("all", _(" and "))):
        if key not in condition:
            continue
        parts = condition[key]
        leaves = list(filter_items(condition))
        # "yes" to any row of one grid: say it once.
        if key == "any" and all("item" in part for part in parts):
            items = [instrument.item_index.get(code) for code, _values in leaves]
            questions = {item.question for item in items if item is not None}
            value_sets = {tuple(values) for _code, values in leaves}
            if (
                None not in items
                and len(questions) == 1
                and len(value_sets) == 1
                and len(leaves) > 1
                and items[0] is not None
                and items[0].kind == "single"
            ):
                return _("you answered %(answers)s at least once in question %(question)s") % {
                    "answers": _answers_in_words(items[0], leaves[0][1], language),
                    "question": items[0].question,
                }
        return joiner.join(_condition_in_words(instrument, part, language) for part in parts)
    return _leaf_in_words(instrument, condition["item"], condition["in"], language)


def describe_filter(
    instrument: Instrument, condition: Mapping[str, Any] | None, language: str
) -> str:
    """A filter as the start of a sentence, e.g. "If you answered “yes” (1) to question K1".

    Wording comes from the instrument in `language`; the connecting words from gettext in the
    same language. Empty for a question that is always asked.
    """
    if not condition:
        return ""
    with translation.override(language):
        return _("If %(condition)s") % {
            "condition": _condition_in_words(instrument, condition, language)
        }


def _referenced_questions(instrument: Instrument, condition: Mapping[str, Any] | None) -> set[str]:
    found = set()
    for code, _values in filter_items(condition):
        item = instrument.item_index.get(code)
        if item is not None:
            found.add(item.question)
    return found


def next_question_when_skipped(instrument: Instrument, question_code: str) -> str:
    """Where a respondent goes on when a filtered question is skipped ("" at the end).

    Questions whose filter depends on a skipped question, or that share its filter, are
    skipped too (K1 "no" skips K2 and K3, which depends on K2).
    """
    questions = list(instrument.questions)
    index = next(i for i, q in enumerate(questions) if q.code == question_code)
    skipped = {question_code}
    condition = questions[index].show_if
    for later in questions[index + 1 :]:
        if later.show_if and (
            later.show_if == condition or _referenced_questions(instrument, later.show_if) & skipped
        ):
            skipped.add(later.code)
            continue
        return later.code
    return ""


# --- the outline --------------------------------------------------------------------------------


def questionnaire_outline(instrument: Instrument, language: str) -> list[ModuleView]:
    """The instrument as plain data in one language, in questionnaire order."""
    with translation.override(language):
        return _outline(instrument, language)


def _outline(instrument: Instrument, language: str) -> list[ModuleView]:
    questions = list(instrument.questions)
    jumps = _jumps(instrument, questions)
    modules = []
    for number, module in enumerate(instrument.modules, start=1):
        views = []
        for question in module.questions:
            views.append(_question_view(instrument, question, language, jumps))
        modules.append(
            ModuleView(
                number=number,
                code=module.code,
                title=translate(module.title, language),
                intro=translate(module.intro, language),
                core=module.core,
                comparable=module.comparable,
                questions=views,
            )
        )
    return modules


def _jumps(instrument: Instrument, questions: list[Question]) -> dict[tuple[str, int], str]:
    """(item code, option code) → the question to go on to, for answers that skip the next one."""
    jumps: dict[tuple[str, int], str] = {}
    for here, following in pairwise(questions):
        condition = following.show_if
        if here.kind != "single" or not condition or "item" not in condition:
            continue
        if condition["item"] != here.code or here.scale is None:
            continue
        target = next_question_when_skipped(instrument, following.code)
        for option in here.scale.options:
            if option.code not in condition["in"]:
                jumps[(here.code, option.code)] = target
    return jumps


def _question_view(
    instrument: Instrument,
    question: Question,
    language: str,
    jumps: Mapping[tuple[str, int], str],
) -> QuestionView:
    view = QuestionView(
        code=question.code,
        kind=question.kind,
        text=question.label(language),
        note=translate(question.note, language),
        scale_key=question.scale_ref or "",
        unit=translate(question.unit, language),
        core=question.core,
    )
    if question.show_if:
        view.filter_text = describe_filter(instrument, question.show_if, language)
        view.otherwise = next_question_when_skipped(instrument, question.code)
    if question.scale is not None:
        view.options = [
            OptionView(
                code=o.code,
                label=o.text(language),
                special=o.special,
                go_to=jumps.get((question.code, o.code)),
            )
            for o in question.scale.options
        ]
        short = all(len(o.label) <= INLINE_LABEL_LENGTH for o in view.options)
        view.inline = (
            question.kind == "single" and short and len(view.options) <= 4 and not view.has_special
        )
        if len(view.options) > 18:
            view.columns = 3
        elif len(view.options) > 8:
            view.columns = 2
    elif question.kind == "single" and question.scale_ref == WAVE_DISTRICTS:
        view.write_in = True
    if question.kind in ("grid", "multi"):
        view.rows = [RowView(code=i.code, label=i.label(language)) for i in question.items]
    if question.kind == "number":
        item = question.items[0]
        view.minimum, view.maximum = item.minimum, item.maximum
        view.digits = len(str(item.maximum)) if item.maximum is not None else 3
    return view


# --- the paper questionnaire ----------------------------------------------------------------


def render_paper_html(
    instrument: Instrument,
    language: str,
    *,
    title: str | None = None,
    organisation_name: str | None = None,
) -> str:
    """The printable HTML the PDF is made from (also handy to look at in a browser)."""
    if language not in instrument.languages:
        raise ValueError(f"{instrument.ident} has no language {language!r}")
    with translation.override(language):
        modules = _outline(instrument, language)
        first_module = modules[0].code if modules else ""
        context = {
            "language": language,
            "title": title or translate(instrument.title, language),
            "organisation_name": organisation_name or "",
            "instrument": instrument,
            "modules": modules,
            "first_module": first_module,
            "question_count": sum(len(m.questions) for m in modules),
            # Page header and footer texts are CSS strings inside <style>.
            "css_title": _css_string(title or translate(instrument.title, language)),
            "css_ident": _css_string(instrument.ident),
            "css_page": _css_string(_("Page")),
        }
        return render_to_string("instrument/paper.html", context)


def _css_string(text: str) -> SafeString:
    """A quoted CSS string that is safe inside a <style> element."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\A ")
        .replace("<", "\\3C ")
        .replace(">", "\\3E ")
    )
    return mark_safe(f'"{escaped}"')  # escaped for CSS above


def render_paper_pdf(
    instrument: Instrument,
    language: str,
    *,
    title: str | None = None,
    organisation_name: str | None = None,
) -> bytes:
    """The paper questionnaire as an A4 PDF in one language.

    Pass a wave's instrument (`Wave.instrument`) to print its districts as answers; the
    standard instrument prints a line to write the district on instead.
    """
    from weasyprint import HTML

    html = render_paper_html(instrument, language, title=title, organisation_name=organisation_name)
    pdf = HTML(string=html, base_url=str(Path(__file__).resolve().parent)).write_pdf()
    assert pdf is not None
    return pdf
