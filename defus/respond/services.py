"""The respondent's questionnaire: entering a code, drafts, pages, filters and completion.

Views call these functions; nothing here reads a request. Answers are cleaned by the one rule
set in defus.instrument.answers and stored only through record_response, so the anonymity
rules of defus.fieldwork hold: a Response never learns the code, the IP or the time of day.

Speed matters on this path (many residents answer at once), so the wave's bound instrument
and everything a page needs that depends only on (wave, page, language) is computed once per
process and kept in memory.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from defus.core.languages import language_choices
from defus.fieldwork.models import AccessCode, District, Draft, Response, Wave
from defus.fieldwork.services.codes import normalise_code
from defus.fieldwork.services.responses import CodeAlreadyUsed, record_response
from defus.instrument.answers import TEXT_MAX_LENGTH, clean_module_form
from defus.instrument.definition import (
    Instrument,
    Item,
    Module,
    Question,
    filter_applies,
    filter_items,
    translate,
)
from defus.organisations.models import Organisation

__all__ = [
    "CodeAlreadyUsed",
    "DraftGone",
    "EntryResult",
    "EntryStatus",
    "bound_instrument",
    "complete",
    "enter_code",
    "field_problem",
    "final_answers",
    "load_draft",
    "save_page",
    "start_open_link",
]

# --- wrong-code throttle ----------------------------------------------------------------------
# Counted per client in the cache only (keyed by a keyed hash of the address, never stored in
# the database and never linked to answers). A fixed window from the first wrong code.
WRONG_CODE_LIMIT = 20
WRONG_CODE_WINDOW = 10 * 60
NUMBER_MAX_DIGITS = 12


class DraftGone(Exception):
    """The draft no longer exists (completed elsewhere, or removed)."""


def client_key(meta: Mapping[str, Any]) -> str:
    """A keyed hash of the client's address, for the throttle only.

    Behind a reverse proxy, set DEFUS_CLIENT_IP_HEADER (e.g. "HTTP_X_REAL_IP") to the header
    the proxy sets, or every respondent would share one counter.
    """
    header = getattr(settings, "DEFUS_CLIENT_IP_HEADER", None)
    address = str((header and meta.get(header)) or meta.get("REMOTE_ADDR") or "")
    address = address.split(",")[0].strip()
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return "respond:wrong-codes:" + digest.hexdigest()[:32]


def is_throttled(key: str) -> bool:
    return int(cache.get(key, 0)) >= WRONG_CODE_LIMIT


def count_wrong_code(key: str) -> int:
    if cache.add(key, 1, WRONG_CODE_WINDOW):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WRONG_CODE_WINDOW)
        return 1


# --- the wave in the field --------------------------------------------------------------------


def field_problem(wave: Wave, today: date | None = None) -> str | None:
    """None when respondents may answer online now, else why not.

    "not_started" / "ended" (outside the field period), "closed" (status not "field"),
    "offline" (the wave is not answered online).
    """
    today = today or timezone.localdate()
    if wave.status != Wave.Status.FIELD:
        return "closed"
    if today < wave.field_start:
        return "not_started"
    if today > wave.field_end:
        return "ended"
    if not wave.mode_web and not wave.mode_open_link:
        return "offline"
    return None


# --- per-process cache of the bound instrument and the pages' static parts --------------------

DISTRICT_RECHECK_SECONDS = 30.0


@dataclass(frozen=True)
class OptionSpec:
    value: str
    label: str
    special: bool
    separated: bool  # first "don't know / don't use" option after the substantive ones


@dataclass(frozen=True)
class ItemSpec:
    code: str
    label: str
    first_id: str  # the id of the item's first input (error links point there)


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    kind: str
    text: str
    note: str
    unit: str
    filter_note: str  # "If you answered …" for filters on this page; "" otherwise
    show_if: Mapping[str, Any] | None
    earlier_filter: bool  # the filter refers only to earlier pages: hide when it does not apply
    items: tuple[ItemSpec, ...]
    options: tuple[OptionSpec, ...]
    minimum: int | None
    maximum: int | None
    maxlength: int
    first_id: str
    # HTML pieces prepared once by defus.respond.render (per wave, page and language)
    cache: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class PageSpec:
    number: int
    total: int  # module pages + the final summary page
    code: str
    title: str
    intro: str
    questions: tuple[QuestionSpec, ...]
    error_targets: Mapping[str, tuple[str, str]]  # error key → (label, id of the input)
    field_codes: frozenset[str]  # every form field name the page reads


@dataclass
class BoundInstrument:
    wave_id: int
    signature: tuple[Any, ...]
    districts: tuple[tuple[int, str], ...]
    instrument: Instrument
    checked: float
    module_of_item: dict[str, int]
    organisation: str = ""
    _pages: dict[tuple[int, str], PageSpec] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return len(self.instrument.modules)

    def page(self, number: int, language: str) -> PageSpec:
        key = (number, language)
        spec = self._pages.get(key)
        if spec is None:
            from django.utils import translation

            with translation.override(language):
                spec = _build_page(self, number, language)
            self._pages[key] = spec
        return spec

    def languages(self) -> tuple[str, ...]:
        return self.instrument.languages

    def language_for(self, wanted: str | None) -> str:
        offered = self.instrument.languages
        return wanted if wanted in offered else offered[0]


_BOUND: dict[int, BoundInstrument] = {}
_BOUND_LOCK = threading.Lock()


def _signature(wave: Wave) -> tuple[Any, ...]:
    extension = json.dumps(wave.extension or {}, sort_keys=True) if wave.extension else ""
    return (wave.instrument_key, wave.instrument_version, extension, wave.created)


def _districts(wave: Wave) -> tuple[tuple[int, str], ...]:
    return tuple(
        District.objects.filter(wave_id=wave.pk)
        .order_by("answer_code")
        .values_list("answer_code", "name")
    )


def bound_instrument(wave: Wave) -> BoundInstrument:
    """The wave's instrument with its districts bound, cached per process.

    Rebuilt when the wave's instrument version or own modules change; the districts are
    re-read at most every DISTRICT_RECHECK_SECONDS (one small query) and the instrument is
    rebuilt only if they changed.
    """
    signature = _signature(wave)
    now = time.monotonic()
    entry = _BOUND.get(wave.pk)
    if (
        entry is not None
        and entry.signature == signature
        and now - entry.checked < DISTRICT_RECHECK_SECONDS
    ):
        return entry
    districts = _districts(wave)
    organisation = (
        Organisation.objects.filter(pk=wave.organisation_id).values_list("name", flat=True).first()
    ) or ""
    with _BOUND_LOCK:
        entry = _BOUND.get(wave.pk)
        if (
            entry is not None
            and entry.signature == signature
            and entry.districts == districts
            and entry.organisation == organisation
        ):
            entry.checked = now
            return entry
        from defus.instrument.definition import for_wave, standard_instrument

        base = standard_instrument(wave.instrument_key, wave.instrument_version)
        instrument = for_wave(base, districts=districts, extension=wave.extension or None)
        entry = BoundInstrument(
            wave_id=wave.pk,
            signature=signature,
            districts=districts,
            instrument=instrument,
            checked=now,
            organisation=organisation,
            module_of_item={
                item.code: index
                for index, module in enumerate(instrument.modules, start=1)
                for item in module.items
            },
        )
        _BOUND[wave.pk] = entry
        return entry


def forget_instruments() -> None:
    """Drop the per-process caches (after editing a wave in a test, for example)."""
    with _BOUND_LOCK:
        _BOUND.clear()
        _WAVES.clear()


def _quoted(text: str) -> str:
    return _("“%(text)s”") % {"text": text}


def _condition_words(condition: Mapping[str, Any], instrument: Instrument, language: str) -> str:
    if "all" in condition or "any" in condition:
        joiner = _(" and ") if "all" in condition else _(" or ")
        parts = [
            _condition_words(c, instrument, language)
            for c in condition["all" if "all" in condition else "any"]
        ]
        return joiner.join(p for p in parts if p)
    code = condition["item"]
    item = instrument.item_index.get(code)
    if item is None:
        return ""
    question = next(q for q in instrument.questions if q.code == item.question)
    label = question.label(language)
    if question.kind == "grid":
        label = f"{label} – {item.label(language)}"
    wanted = list(condition["in"])
    if item.kind == "single" and item.scale is not None:
        names = [
            _quoted(option.text(language))
            for value in wanted
            if (option := item.scale.option(value)) is not None
        ]
        return _("you answered %(answers)s to %(question)s") % {
            "answers": _(" or ").join(names),
            "question": _quoted(label),
        }
    if item.kind == "multi":
        if 1 in wanted:
            return _("you ticked %(item)s in %(question)s") % {
                "item": _quoted(item.label(language)),
                "question": _quoted(question.label(language)),
            }
        return _("you did not tick %(item)s in %(question)s") % {
            "item": _quoted(item.label(language)),
            "question": _quoted(question.label(language)),
        }
    return _("your answer to %(question)s was %(values)s") % {
        "question": _quoted(label),
        "values": _(" or ").join(str(v) for v in wanted),
    }


def filter_note(condition: Mapping[str, Any], instrument: Instrument, language: str) -> str:
    words = _condition_words(condition, instrument, language)
    if not words:
        return ""
    return _("Only if %(condition)s:") % {"condition": words}


def _input_id(code: str, suffix: str | int | None = None) -> str:
    return f"f-{code}" if suffix is None else f"f-{code}-{suffix}"


def _build_page(bound: BoundInstrument, number: int, language: str) -> PageSpec:
    instrument = bound.instrument
    module = instrument.modules[number - 1]
    questions: list[QuestionSpec] = []
    targets: dict[str, tuple[str, str]] = {}
    fields: set[str] = set()
    for q in module.questions:
        referenced = [code for code, _values in filter_items(q.show_if)]
        earlier = bool(referenced) and all(
            bound.module_of_item.get(code, 0) < number for code in referenced
        )
        note = ""
        if q.show_if and not earlier:
            note = filter_note(q.show_if, instrument, language)
        options: tuple[OptionSpec, ...] = ()
        if q.scale is not None:
            seen_substantive = False
            separated_done = False
            built = []
            for option in q.scale.options:
                special = option.special is not None
                separated = special and seen_substantive and not separated_done
                if separated:
                    separated_done = True
                if not special:
                    seen_substantive = True
                built.append(
                    OptionSpec(str(option.code), option.text(language), special, separated)
                )
            options = tuple(built)
        text = q.label(language)
        if q.kind == "multi":
            items = tuple(
                ItemSpec(i.code, i.label(language), _input_id(q.code, i.code)) for i in q.items
            )
            first_id = items[0].first_id if items else _input_id(q.code)
            targets[q.code] = (text, first_id)
            fields.add(q.code)
        elif q.kind in ("single", "grid"):
            first = options[0].value if options else "0"
            items = tuple(
                ItemSpec(i.code, i.label(language), _input_id(i.code, first)) for i in q.items
            )
            first_id = items[0].first_id
            for spec in items:
                label = text if q.kind == "single" else f"{text} – {spec.label}"
                targets[spec.code] = (label, spec.first_id)
                fields.add(spec.code)
        else:
            items = tuple(ItemSpec(i.code, i.label(language), _input_id(i.code)) for i in q.items)
            first_id = items[0].first_id
            targets[q.items[0].code] = (text, first_id)
            fields.add(q.items[0].code)
        questions.append(
            QuestionSpec(
                code=q.code,
                kind=q.kind,
                text=text,
                note=translate(q.note, language),
                unit=translate(q.unit, language),
                filter_note=note,
                show_if=q.show_if,
                earlier_filter=earlier,
                items=items,
                options=options,
                minimum=q.items[0].minimum if q.kind == "number" else None,
                maximum=q.items[0].maximum if q.kind == "number" else None,
                maxlength=TEXT_MAX_LENGTH,
                first_id=first_id,
            )
        )
    return PageSpec(
        number=number,
        total=len(instrument.modules) + 1,
        code=module.code,
        title=translate(module.title, language),
        intro=translate(module.intro, language),
        questions=tuple(questions),
        error_targets=targets,
        field_codes=frozenset(fields),
    )


# --- code entry and drafts --------------------------------------------------------------------


class EntryStatus(enum.Enum):
    OK = "ok"
    EMPTY = "empty"
    UNKNOWN = "unknown"
    USED = "used"
    NOT_IN_FIELD = "not_in_field"
    THROTTLED = "throttled"


@dataclass
class EntryResult:
    status: EntryStatus
    draft: Draft | None = None
    wave: Wave | None = None
    problem: str | None = None  # field_problem() for NOT_IN_FIELD
    resumed: bool = False


def new_draft_id() -> str:
    return secrets.token_urlsafe(32)


def enter_code(
    raw: str,
    *,
    client: str,
    language: str | None = None,
    explicit: bool = True,
    today: date | None = None,
) -> EntryResult:
    """Check a typed access code and give the draft to answer with (created or resumed).

    `language` is the language of the page the code was typed on; a resumed draft keeps its
    own language unless the person chose another one there (`explicit`).

    The throttle counts only codes that do not exist; while a client is over the limit,
    every code is refused, so guessing cannot go on by other means.
    """
    if is_throttled(client):
        return EntryResult(EntryStatus.THROTTLED)
    code = normalise_code(raw or "")
    if not code:
        return EntryResult(EntryStatus.EMPTY)
    access = AccessCode.objects.select_related("wave", "draft").filter(code=code).first()
    if access is None:
        count_wrong_code(client)
        return EntryResult(EntryStatus.UNKNOWN)
    wave = access.wave
    if access.used:
        return EntryResult(EntryStatus.USED, wave=wave)
    problem = field_problem(wave, today)
    if problem is None and not wave.mode_web:
        problem = "offline"
    if problem is not None:
        return EntryResult(EntryStatus.NOT_IN_FIELD, wave=wave, problem=problem)
    bound = bound_instrument(wave)
    chosen = bound.language_for(language) if language else None
    try:
        draft: Draft | None = access.draft
    except Draft.DoesNotExist:
        draft = None
    if draft is not None:
        if explicit and chosen and draft.language != chosen:
            Draft.objects.filter(pk=draft.pk).update(language=chosen)
            draft.language = chosen
        draft.wave = wave
        draft.access_code = access
        return EntryResult(EntryStatus.OK, draft=draft, wave=wave, resumed=True)
    draft = Draft(
        id=new_draft_id(),
        wave=wave,
        access_code=access,
        answers={},
        language=chosen or bound.language_for(None),
        page=0,
    )
    try:
        with transaction.atomic():
            draft.save(force_insert=True)
    except IntegrityError:
        # Someone entered the same code at the same moment (another tab or device).
        existing = Draft.objects.select_related("wave", "access_code").filter(access_code=access)
        draft = existing.first()
        if draft is None:
            return EntryResult(EntryStatus.USED, wave=wave)
        return EntryResult(EntryStatus.OK, draft=draft, wave=wave, resumed=True)
    return EntryResult(EntryStatus.OK, draft=draft, wave=wave)


def open_link_wave(token: str) -> Wave | None:
    if not token or len(token) > 64:
        return None
    return Wave.objects.filter(open_link_token=token, mode_open_link=True).first()


def start_open_link(wave: Wave, language: str | None = None) -> Draft:
    """An anonymous draft without a code (answers are flagged as not from the sample)."""
    bound = bound_instrument(wave)
    return Draft.objects.create(
        id=new_draft_id(),
        wave=wave,
        access_code=None,
        answers={},
        language=bound.language_for(language),
        page=0,
    )


# The wave's row (status, field period, modes) is re-read at most every few seconds per
# process: a wave closed in the back office stops the questionnaire within that time.
WAVE_RECHECK_SECONDS = 5.0
_WAVES: dict[int, tuple[float, Wave]] = {}


def _wave(wave_id: int) -> Wave | None:
    now = time.monotonic()
    cached = _WAVES.get(wave_id)
    if cached is not None and now - cached[0] < WAVE_RECHECK_SECONDS:
        return cached[1]
    wave = Wave.objects.filter(pk=wave_id).first()
    if wave is None:
        _WAVES.pop(wave_id, None)
        return None
    _WAVES[wave_id] = (now, wave)
    return wave


def load_draft(draft_id: str) -> Draft | None:
    """The draft, with its wave from the short-lived per-process cache: one query.

    The code itself is fetched at completion only, and the organisation's name comes with
    the cached instrument.
    """
    if not draft_id or len(draft_id) > 64:
        return None
    draft = Draft.objects.filter(pk=draft_id).first()
    if draft is None:
        return None
    wave = _wave(draft.wave_id)
    if wave is None:
        return None
    draft.wave = wave
    return draft


def update_draft(draft: Draft, **values: Any) -> None:
    """Write the draft's answers/page/language; DraftGone if it was completed meanwhile.

    A plain UPDATE, never an INSERT: a draft deleted by a completed submission must not come
    back.
    """
    values.setdefault("updated_on", timezone.localdate())
    if not Draft.objects.filter(pk=draft.pk).update(**values):
        raise DraftGone(draft.pk)
    for key, value in values.items():
        setattr(draft, key, value)


# --- pages ------------------------------------------------------------------------------------


def form_values(spec: PageSpec, data: Any) -> dict[str, Any]:
    """Only the fields this page asks, with NUL characters removed and sizes bounded.

    Anything else in the submitted form is ignored.
    """
    values: dict[str, Any] = {}
    getlist = getattr(data, "getlist", None)
    for q in spec.questions:
        if q.kind == "multi":
            raw = getlist(q.code) if getlist else data.get(q.code, [])
            if isinstance(raw, str):
                raw = [raw]
            values[q.code] = [_sanitise(v, 64) for v in list(raw)[:200]]
            continue
        limit = TEXT_MAX_LENGTH * 2 if q.kind == "text" else 64
        for item in q.items:
            value = data.get(item.code)
            if value is not None:
                values[item.code] = _sanitise(value, limit)
    return values


def _sanitise(value: Any, limit: int) -> str:
    text = str(value)
    if len(text) > limit:
        # Keep the size visible to the cleaning rules (too long / not a number) without
        # carrying megabytes around.
        text = text[: limit + 1]
    return text.replace("\x00", "")


class _Values(dict[str, Any]):
    def getlist(self, key: str) -> list[str]:
        value = self.get(key)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]


def save_page(
    draft: Draft, bound: BoundInstrument, number: int, values: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean one page's values and merge the valid ones into the draft's answers.

    Returns (the draft's new answers, errors by item or question code). Valid answers are
    kept even when others on the page are not; nothing is written here.
    """
    module = bound.instrument.modules[number - 1]
    own = {item.code for item in module.items}
    previous = {k: v for k, v in (draft.answers or {}).items() if k not in own}
    cleaned, errors = clean_module_form(module, _Values(values), previous)
    merged = {**previous, **cleaned}
    return merged, errors


def visible_questions(spec: PageSpec, answers: Mapping[str, Any]) -> list[QuestionSpec]:
    """The page's questions, without those whose filter on earlier pages does not apply."""
    return [
        q
        for q in spec.questions
        if not (q.earlier_filter and not filter_applies(q.show_if, answers))
    ]


def final_answers(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to store: known items only, without what a filter excludes.

    Filters only look back, so one pass in questionnaire order settles every filter, even
    when the respondent went back and changed an earlier answer.
    """
    kept: dict[str, Any] = {}
    for question in instrument.questions:
        applies = filter_applies(question.show_if, kept)
        for item in question.items:
            if applies and item.code in answers and _valid(item, answers[item.code]):
                kept[item.code] = answers[item.code]
    return kept


def _valid(item: Item, value: Any) -> bool:
    from defus.instrument.answers import AnswerError, clean_value

    try:
        return clean_value(item, value) == value
    except AnswerError:
        return False


# --- the summary page -------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryEntry:
    question: str
    answer: str
    rows: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SummaryModule:
    number: int
    title: str
    entries: tuple[SummaryEntry, ...]


def summary(
    bound: BoundInstrument, answers: Mapping[str, Any], language: str
) -> list[SummaryModule]:
    """What the respondent answered, page by page, in their language."""
    instrument = bound.instrument
    final = final_answers(instrument, answers)
    none = _("No answer")
    out: list[SummaryModule] = []
    for number, module in enumerate(instrument.modules, start=1):
        entries: list[SummaryEntry] = []
        for q in module.questions:
            if not filter_applies(q.show_if, final):
                continue
            entries.append(_summary_entry(q, final, language, none))
        out.append(SummaryModule(number, translate(module.title, language), tuple(entries)))
    return out


def _answer_text(item: Item, question: Question, value: Any, language: str, none: str) -> str:
    if value is None:
        return none
    if item.kind == "single" and item.scale is not None:
        option = item.scale.option(value)
        return option.text(language) if option else none
    if item.kind == "number" and question.unit:
        return f"{value} {translate(question.unit, language)}"
    return str(value)


def _summary_entry(
    q: Question, answers: Mapping[str, Any], language: str, none: str
) -> SummaryEntry:
    text = q.label(language)
    if q.kind == "grid":
        rows = tuple(
            (i.label(language), _answer_text(i, q, answers.get(i.code), language, none))
            for i in q.items
        )
        return SummaryEntry(text, "", rows)
    if q.kind == "multi":
        ticked = [i.label(language) for i in q.items if answers.get(i.code) == 1]
        return SummaryEntry(text, "; ".join(ticked) if ticked else none)
    item = q.items[0]
    return SummaryEntry(text, _answer_text(item, q, answers.get(item.code), language, none))


# --- completion -------------------------------------------------------------------------------


def complete(draft: Draft, language: str) -> Response:
    """Store the questionnaire as an anonymous Response and remove the draft.

    With a code, record_response claims the code atomically: of racing submissions exactly
    one wins and the others get CodeAlreadyUsed. An open-link draft is deleted in the same
    transaction; a second submission of it raises DraftGone.
    """
    bound = bound_instrument(draft.wave)
    answers = final_answers(bound.instrument, draft.answers or {})
    language = bound.language_for(language)
    if draft.access_code_id is not None:
        access = AccessCode.objects.get(pk=draft.access_code_id)
        return record_response(
            draft.wave, answers, mode="web", language=language, access_code=access
        )
    with transaction.atomic():
        deleted, _counts = Draft.objects.filter(pk=draft.pk).delete()
        if not deleted:
            raise DraftGone(draft.pk)
        return record_response(draft.wave, answers, mode="web", language=language)


def page_for(draft: Draft, bound: BoundInstrument) -> int:
    """The page to resume at: 0 welcome, 1..n modules, n+1 the summary."""
    return max(0, min(int(draft.page or 0), bound.page_count + 1))


def module_item_codes(module: Module) -> set[str]:
    return {item.code for item in module.items}


def known_languages(codes: Iterable[str]) -> list[tuple[str, str]]:
    return language_choices(codes)


# --- drafts in progress (back office and command line) ----------------------------------------


def draft_counts(wave: Wave) -> dict[str, int]:
    """How many questionnaires are in progress, with a code and via the open link."""
    drafts = Draft.objects.filter(wave=wave)
    with_code = drafts.filter(access_code__isnull=False).count()
    return {"with_code": with_code, "open_link": drafts.count() - with_code}


def purge_open_link_drafts(wave: Wave, older_than_days: int, today: date | None = None) -> int:
    """Delete open-link drafts untouched for `older_than_days` days; drafts with a code stay.

    Open-link drafts can only be resumed in the browser that started them, so abandoned ones
    would otherwise pile up. Drafts with a code are kept until the code is used.
    """
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=max(0, older_than_days))
    deleted, _counts = Draft.objects.filter(
        wave=wave, access_code__isnull=True, updated_on__lt=cutoff
    ).delete()
    return deleted
