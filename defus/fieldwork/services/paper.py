"""Paper questionnaires typed in by staff: single entry, or double entry with a comparison.

Rules (the same cleaning as web and import: `defus.instrument.answers.clean_value`):

- A sheet is identified by its sheet number, the number staff write on the returned paper.
  A sheet number is committed (becomes a Response) at most once per wave.
- Single entry: the sheet is stored at once through `record_response(mode="paper")`; a
  PaperEntry (round 1, committed) keeps the sheet number so it cannot be entered again.
- Double entry: the first entry is kept as PaperEntry round 1; a second person types the sheet
  again (round 2). Identical entries are committed at once; otherwise staff pick the correct
  value for each difference (`resolve_sheet`), and then the sheet is committed.
- The access code printed on the paper is optional. With single entry it is passed to
  `record_response(access_code=...)`, which marks it used (no reminder goes out) and takes the
  sampling district from it. With double entry it is claimed already with the first entry, so
  no reminder goes out while the sheet waits for its second entry; only its district is kept
  on the PaperEntry, never the code itself, so nothing in the database links a code to answers.
- Values of questions whose filter does not apply are not stored; they are reported back as
  `dropped` so staff can see what was left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from defus.instrument.answers import AnswerError, clean_value
from defus.instrument.definition import Instrument, Item, Module, filter_applies, translate

from ..models import AccessCode, District, PaperEntry, Response, Wave
from .codes import format_code, normalise_code
from .responses import CodeAlreadyUsed, claim_code, record_response

SHEET_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")
ITEM_FIELD_PREFIX = "i_"
LANGUAGE_KEY = "language"  # the key of a language difference in double entry
LABEL_LENGTH = 90


class SheetRejected(Exception):
    """A sheet that cannot be stored as typed; `field` names the form field to blame."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(message)


# --- the entry form: rows in questionnaire order ----------------------------------------------


@dataclass(frozen=True)
class EntryRow:
    item: Item
    label: str
    hint: str  # the values that may be typed, e.g. "1–5, 8"
    numeric: bool
    question: str = ""  # on the first row of a question with several items: its text

    @property
    def field_name(self) -> str:
        return item_field(self.item.code)


@dataclass(frozen=True)
class EntryGroup:
    module: Module
    title: str
    rows: tuple[EntryRow, ...]


def item_field(code: str) -> str:
    return f"{ITEM_FIELD_PREFIX}{code}"


def value_hint(item: Item) -> str:
    """What may be typed for an item, short enough to stand next to a small input."""
    if item.kind == "single" and item.scale is not None:
        return _compact_codes(item.scale.codes)
    if item.kind == "multi":
        return _("1 ticked, 0 not")
    if item.kind == "number":
        low = "" if item.minimum is None else str(item.minimum)
        high = "" if item.maximum is None else str(item.maximum)
        return f"{low}–{high}" if low or high else _("number")
    return _("text")


def _compact_codes(codes: Iterable[int]) -> str:
    """1, 2, 3, 4, 5, 8 → "1–5, 8"."""
    values = sorted(set(codes))
    parts: list[str] = []
    start = prev = None
    for value in [*values, None]:
        if start is not None and (value is None or prev is None or value != prev + 1):
            parts.append(str(start) if start == prev else f"{start}–{prev}")
            start = None
        if value is not None and start is None:
            start = value
        prev = value
    return ", ".join(parts)


def entry_groups(instrument: Instrument, language: str) -> list[EntryGroup]:
    """Every item of the instrument as a compact row, grouped by module, in questionnaire order."""
    groups = []
    for module in instrument.modules:
        rows = []
        for question in module.questions:
            for index, item in enumerate(question.items):
                own_text = item.code != question.code
                label = item.label(language) if own_text else question.label(language)
                heading = (
                    f"{question.code} – {Truncator(question.label(language)).chars(LABEL_LENGTH)}"
                    if own_text and index == 0
                    else ""
                )
                rows.append(
                    EntryRow(
                        item=item,
                        label=Truncator(label).chars(LABEL_LENGTH),
                        hint=value_hint(item),
                        numeric=item.kind != "text",
                        question=heading,
                    )
                )
        groups.append(
            EntryGroup(
                module=module,
                title=translate(module.title, language),
                rows=tuple(rows),
            )
        )
    return groups


# --- cleaning a typed sheet -------------------------------------------------------------------


@dataclass
class TypedSheet:
    """A sheet as typed, cleaned: what can be stored, what is wrong, what was left out."""

    sheet: str
    access_code: str  # normalised; "" when none was typed
    language: str
    answers: dict[str, int | str]
    errors: dict[str, str] = field(default_factory=dict)  # by form field name
    dropped: list[str] = field(default_factory=list)  # item codes whose filter does not apply

    @property
    def is_valid(self) -> bool:
        return not self.errors


def clean_sheet(instrument: Instrument, data: Mapping[str, Any]) -> TypedSheet:
    """Read the entry form (a QueryDict or mapping of field name → typed text)."""
    errors: dict[str, str] = {}
    sheet = str(data.get("sheet") or "").strip()
    if not sheet:
        errors["sheet"] = _("Please enter the sheet number written on the paper.")
    elif not SHEET_PATTERN.match(sheet):
        errors["sheet"] = _(
            "Use up to 40 letters and digits (also . _ -), starting with a letter or digit."
        )
    raw_code = str(data.get("access_code") or "").strip()
    code = normalise_code(raw_code) if raw_code else ""
    if raw_code and not code:
        errors["access_code"] = _("This is not an access code.")
    language = str(data.get("language") or "").strip()
    if language not in instrument.languages:
        errors["language"] = _("Please choose the language of the paper questionnaire.")
    answers: dict[str, int | str] = {}
    for item in instrument.items:
        try:
            value = clean_value(item, data.get(item_field(item.code)))
        except AnswerError as exc:
            errors[item_field(item.code)] = str(exc)
            continue
        if value is not None:
            answers[item.code] = value
    answers = _fill_multi(instrument, answers)
    kept, dropped = drop_not_asked(instrument, answers)
    return TypedSheet(
        sheet=sheet,
        access_code=code,
        language=language,
        answers=kept,
        errors=errors,
        dropped=dropped,
    )


def _fill_multi(instrument: Instrument, answers: dict[str, int | str]) -> dict[str, int | str]:
    """As on the web: once one box of a multiple-choice question is ticked, the rest are 0."""
    for question in instrument.questions:
        if question.kind == "multi" and any(answers.get(i.code) == 1 for i in question.items):
            for item in question.items:
                answers.setdefault(item.code, 0)
    return answers


def drop_not_asked(
    instrument: Instrument, answers: Mapping[str, int | str]
) -> tuple[dict[str, int | str], list[str]]:
    """Remove answers to questions whose filter does not apply; return (kept, dropped codes).

    Filters only look back, so walking the questions in order and deciding on what has been
    kept so far gives the same result as the web questionnaire.
    """
    kept = dict(answers)
    dropped: list[str] = []
    for question in instrument.questions:
        if filter_applies(question.show_if, kept):
            continue
        for item in question.items:
            if item.code in kept:
                del kept[item.code]
                dropped.append(item.code)
    return kept, dropped


# --- storing ----------------------------------------------------------------------------------


class Outcome:
    COMMITTED = "committed"  # stored as a Response
    FIRST_ENTRY = "first_entry"  # double entry: waits for the second entry
    DIFFERENCES = "differences"  # double entry: the two entries differ


@dataclass(frozen=True)
class Difference:
    key: str  # an item code, or LANGUAGE_KEY
    first: Any  # None when the entry has no value
    second: Any


@dataclass
class EntryResult:
    outcome: str
    sheet: str
    response: Response | None = None
    differences: list[Difference] = field(default_factory=list)


def _find_code(wave: Wave, code: str) -> AccessCode:
    found = AccessCode.objects.filter(wave=wave, code=code).select_related("district").first()
    if found is None:
        raise SheetRejected(
            "access_code",
            _("There is no access code %(code)s in this survey wave. Please check it.")
            % {"code": format_code(code)},
        )
    return found


def _used_message(access_code: AccessCode) -> str:
    return _(
        "Access code %(code)s has already been used. This questionnaire may be a duplicate: "
        "please check it before entering it without the code."
    ) % {"code": format_code(access_code.code)}


def _committed_message(sheet: str) -> str:
    return _("Sheet %(sheet)s has already been entered and stored.") % {"sheet": sheet}


def save_sheet(wave: Wave, typed: TypedSheet, *, double: bool, user: Any = None) -> EntryResult:
    """Store a cleaned sheet as its next entry; raise SheetRejected when it cannot be stored.

    When a first entry of the sheet is waiting, this is its second entry whatever `double`
    says; otherwise `double` chooses between keeping a first entry and committing at once.
    """
    if not typed.is_valid:
        raise ValueError("save_sheet needs a sheet without errors")
    user = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            entries = list(
                PaperEntry.objects.select_for_update()
                .filter(wave=wave, sheet=typed.sheet)
                .order_by("round")
            )
            if any(e.committed for e in entries):
                raise SheetRejected("sheet", _committed_message(typed.sheet))
            if len(entries) >= 2:
                raise SheetRejected(
                    "sheet",
                    _(
                        "Sheet %(sheet)s has been entered twice already. Please resolve the "
                        "differences on the comparison page."
                    )
                    % {"sheet": typed.sheet},
                )
            if entries:
                return _second_entry(wave, typed, entries[0], user)
            if double:
                return _first_entry(wave, typed, user)
            return _single_entry(wave, typed, user)
    except IntegrityError:
        # Someone else stored an entry of the same sheet and round at the same moment.
        raise SheetRejected(
            "sheet",
            _("Sheet %(sheet)s was just entered by someone else. Please check the sheet number.")
            % {"sheet": typed.sheet},
        ) from None


def _single_entry(wave: Wave, typed: TypedSheet, user: Any) -> EntryResult:
    access_code = _find_code(wave, typed.access_code) if typed.access_code else None
    PaperEntry.objects.create(
        wave=wave,
        sheet=typed.sheet,
        round=1,
        answers=typed.answers,
        language=typed.language,
        sample_district=access_code.district if access_code else None,
        entered_by=user,
        committed=True,
    )
    try:
        response = record_response(
            wave,
            typed.answers,
            mode=Response.Mode.PAPER,
            language=typed.language,
            access_code=access_code,
            source=Response.Source.SAMPLE,
        )
    except CodeAlreadyUsed:
        assert access_code is not None
        access_code.refresh_from_db()
        raise SheetRejected("access_code", _used_message(access_code)) from None
    return EntryResult(Outcome.COMMITTED, typed.sheet, response=response)


def _first_entry(wave: Wave, typed: TypedSheet, user: Any) -> EntryResult:
    district = None
    if typed.access_code:
        access_code = _find_code(wave, typed.access_code)
        if not claim_code(access_code):
            access_code.refresh_from_db()
            raise SheetRejected("access_code", _used_message(access_code))
        district = access_code.district
    PaperEntry.objects.create(
        wave=wave,
        sheet=typed.sheet,
        round=1,
        answers=typed.answers,
        language=typed.language,
        sample_district=district,
        entered_by=user,
    )
    return EntryResult(Outcome.FIRST_ENTRY, typed.sheet)


def _second_entry(wave: Wave, typed: TypedSheet, first: PaperEntry, user: Any) -> EntryResult:
    district = first.sample_district
    if typed.access_code:
        access_code = _find_code(wave, typed.access_code)
        if access_code.used:
            # Most likely used by this sheet's first entry (codes keep no mode or day).
            same = access_code.district_id == first.sample_district_id
            if not same:
                raise SheetRejected("access_code", _used_message(access_code))
        elif first.sample_district_id is not None:
            raise SheetRejected(
                "access_code",
                _(
                    "The first entry of sheet %(sheet)s was saved with a different access code. "
                    "Please check the code on the paper."
                )
                % {"sheet": typed.sheet},
            )
        else:
            # The first entry was saved without a code: the second one supplies it.
            if not claim_code(access_code):
                access_code.refresh_from_db()
                raise SheetRejected("access_code", _used_message(access_code))
            district = access_code.district
            PaperEntry.objects.filter(pk=first.pk).update(sample_district=district)
            first.sample_district = district
    second = PaperEntry.objects.create(
        wave=wave,
        sheet=typed.sheet,
        round=2,
        answers=typed.answers,
        language=typed.language,
        sample_district=district,
        entered_by=user,
    )
    differences = compare_entries(wave.instrument, first, second)
    if differences:
        return EntryResult(Outcome.DIFFERENCES, typed.sheet, differences=differences)
    response = _commit(wave, first, typed.answers, typed.language)
    return EntryResult(Outcome.COMMITTED, typed.sheet, response=response)


def _commit(
    wave: Wave, first: PaperEntry, answers: Mapping[str, int | str], language: str
) -> Response:
    """Store the agreed answers of a double-entered sheet, once."""
    marked = PaperEntry.objects.filter(wave=wave, sheet=first.sheet, committed=False).update(
        committed=True
    )
    if marked == 0:
        raise SheetRejected("sheet", _committed_message(first.sheet))
    return record_response(
        wave,
        answers,
        mode=Response.Mode.PAPER,
        language=language,
        sample_district=first.sample_district,
        source=Response.Source.SAMPLE,
    )


def compare_entries(
    instrument: Instrument, first: PaperEntry, second: PaperEntry
) -> list[Difference]:
    """Every value in which two entries of a sheet differ, in questionnaire order."""
    order = {item.code: i for i, item in enumerate(instrument.items)}
    differences = []
    if first.language != second.language:
        differences.append(Difference(LANGUAGE_KEY, first.language, second.language))
    keys = set(first.answers) | set(second.answers)
    for key in sorted(keys, key=lambda k: (order.get(k, len(order)), k)):
        one, two = first.answers.get(key), second.answers.get(key)
        if one != two:
            differences.append(Difference(key, one, two))
    return differences


def describe_value(instrument: Instrument, key: str, value: Any, language: str) -> str:
    """A value for people comparing entries: "2 (fairly safe)", "1 (ticked)", "" for none."""
    if value is None:
        return ""
    item = instrument.item_index.get(key)
    if item is not None and item.kind == "single" and item.scale is not None:
        option = item.scale.option(value) if isinstance(value, int) else None
        if option is not None:
            return f"{value} ({option.text(language)})"
    if item is not None and item.kind == "multi" and value in (0, 1):
        return f"{value} ({_('ticked') if value == 1 else _('not ticked')})"
    return str(value)


# --- double entry: what is waiting, and resolving ---------------------------------------------


def sheet_sort_key(sheet: str) -> tuple[Any, ...]:
    """Natural order: 2 before 10, and numbers before names."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.findall(r"\d+|\D+", sheet)
    )


@dataclass
class SheetState:
    sheet: str
    first: PaperEntry
    second: PaperEntry | None
    differences: list[Difference]


def open_sheets(wave: Wave) -> list[SheetState]:
    """Sheets entered but not committed: waiting for a second entry, or with differences."""
    instrument = wave.instrument
    by_sheet: dict[str, dict[int, PaperEntry]] = {}
    for entry in PaperEntry.objects.filter(wave=wave, committed=False).select_related(
        "sample_district", "entered_by"
    ):
        by_sheet.setdefault(entry.sheet, {})[entry.round] = entry
    states = []
    for sheet in sorted(by_sheet, key=sheet_sort_key):
        rounds = by_sheet[sheet]
        if 1 not in rounds:
            continue  # a lone second entry cannot arise; ignore it defensively
        first, second = rounds[1], rounds.get(2)
        differences = compare_entries(instrument, first, second) if second else []
        states.append(SheetState(sheet, first, second, differences))
    return states


def sheet_state(wave: Wave, sheet: str) -> SheetState | None:
    """The open (uncommitted) entries of one sheet, or None."""
    entries = {
        e.round: e
        for e in PaperEntry.objects.filter(wave=wave, sheet=sheet, committed=False).select_related(
            "sample_district", "entered_by"
        )
    }
    if 1 not in entries:
        return None
    first, second = entries[1], entries.get(2)
    differences = compare_entries(wave.instrument, first, second) if second else []
    return SheetState(sheet, first, second, differences)


@dataclass
class Resolution:
    answers: dict[str, int | str]
    language: str
    errors: dict[str, str]  # by difference key
    dropped: list[str]


def clean_resolution(
    wave: Wave, state: SheetState, picks: Mapping[str, Any], others: Mapping[str, Any]
) -> Resolution:
    """Apply staff's choice per difference: "1", "2" or "other" (with a value in `others`)."""
    instrument = wave.instrument
    assert state.second is not None
    answers: dict[str, int | str] = {
        k: v for k, v in state.first.answers.items() if state.second.answers.get(k) == v
    }
    language = state.first.language
    errors: dict[str, str] = {}
    for difference in state.differences:
        key = difference.key
        pick = str(picks.get(key) or "")
        if not pick and str(others.get(key) or "").strip():
            pick = "other"  # a value typed in the "other" field speaks for itself
        if pick == "1":
            value: Any = difference.first
        elif pick == "2":
            value = difference.second
        elif pick == "other":
            raw = others.get(key)
            if key == LANGUAGE_KEY:
                value = str(raw or "").strip()
                if value not in instrument.languages:
                    errors[key] = _("Please choose the language of the paper questionnaire.")
                    continue
            else:
                try:
                    value = clean_value(instrument.item(key), raw)
                except AnswerError as exc:
                    errors[key] = str(exc)
                    continue
                except KeyError:
                    errors[key] = _("This item is not part of the questionnaire.")
                    continue
        else:
            errors[key] = _("Please choose the correct value.")
            continue
        if key == LANGUAGE_KEY:
            language = str(value)
        elif value is not None:
            answers[key] = value
    kept, dropped = drop_not_asked(instrument, _fill_multi(instrument, answers))
    return Resolution(answers=kept, language=language, errors=errors, dropped=dropped)


def resolve_sheet(wave: Wave, sheet: str, resolution: Resolution) -> Response:
    """Commit a double-entered sheet with the values staff chose."""
    if resolution.errors:
        raise ValueError("resolve_sheet needs a resolution without errors")
    with transaction.atomic():
        first = (
            PaperEntry.objects.select_for_update()
            .filter(wave=wave, sheet=sheet, round=1, committed=False)
            .first()
        )
        if first is None:
            raise SheetRejected("sheet", _committed_message(sheet))
        return _commit(wave, first, resolution.answers, resolution.language)


def discard_entry(wave: Wave, sheet: str, round_: int) -> bool:
    """Delete an uncommitted entry (e.g. typed under a wrong sheet number); True if deleted.

    Deleting the first entry deletes the second as well. An access code claimed with the
    entry stays used: the paper came back.
    """
    entries = PaperEntry.objects.filter(wave=wave, sheet=sheet, committed=False)
    if round_ == 1:
        deleted, _details = entries.delete()
    else:
        deleted, _details = entries.filter(round=2).delete()
    return deleted > 0


def district_label(district: District | None) -> str:
    return f"{district.answer_code} {district.name}" if district else ""
