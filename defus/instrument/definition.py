"""The questionnaire as data: load, check and query a declarative instrument definition.

A definition is a YAML file (schema: instrument.schema.json) with modules → questions → items,
answer scales with numeric codes, "don't know / don't use" codes kept apart from missing,
filters (`show_if`) and texts in every language the instrument offers. One definition drives
the web questionnaire, the paper questionnaire, the codebook, data entry and exports.

Nothing here touches the database or a request: views, commands and tasks all call it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
SCHEMA_PATH = Path(__file__).resolve().parent / "instrument.schema.json"

# Codes used in exports for answers that are not there. Substantive and "don't know /
# don't use" codes are always >= 0, so these never collide.
NO_ANSWER = -9  # the question was shown but left empty
NOT_APPLICABLE = -8  # a filter skipped the question

QUESTION_KINDS = ("single", "grid", "multi", "number", "text")
# A question with this scale offers the wave's own districts (codes 1..n in district order);
# `for_wave` binds it. The standard instrument cannot know a city's districts.
WAVE_DISTRICTS = "@districts"
SPECIAL_KINDS = ("dont_know", "dont_use")

Text = Mapping[str, str]


class InstrumentError(ValueError):
    """A definition that cannot be used; `problems` name each place."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Problem:
    place: str  # e.g. "modules[2] (COG) › questions[0] (C1) › scale"
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


def translate(text: Text | None, language: str, fallback: str = "de") -> str:
    if not text:
        return ""
    return text.get(language) or text.get(fallback) or next(iter(text.values()), "")


@dataclass(frozen=True)
class Option:
    code: int
    label: Text
    special: str | None = None  # "dont_know" / "dont_use": a valid answer, not missing

    def text(self, language: str) -> str:
        return translate(self.label, language)


@dataclass(frozen=True)
class Scale:
    key: str
    options: tuple[Option, ...]
    ordinal: bool = False  # ordered answers: analysis reports means

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(o.code for o in self.options)

    @property
    def substantive_codes(self) -> tuple[int, ...]:
        return tuple(o.code for o in self.options if o.special is None)

    @property
    def special_codes(self) -> tuple[int, ...]:
        return tuple(o.code for o in self.options if o.special is not None)

    def option(self, code: int) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class Item:
    """One variable in the data: a stable code and one value per respondent.

    kind: "single" (a code of `scale`), "multi" (1 ticked / 0 not ticked), "number" or "text".
    """

    code: str
    kind: str
    text: Text
    question: str
    module: str
    scale: Scale | None = None
    minimum: int | None = None
    maximum: int | None = None
    core: bool = True
    comparable: bool = True

    def label(self, language: str) -> str:
        return translate(self.text, language)


@dataclass(frozen=True)
class Question:
    code: str
    kind: str
    text: Text
    module: str
    items: tuple[Item, ...]
    scale: Scale | None = None
    note: Text | None = None
    show_if: Mapping[str, Any] | None = None
    unit: Text | None = None
    core: bool = True
    scale_ref: str | None = None  # the scale key as written, e.g. "@districts"

    def label(self, language: str) -> str:
        return translate(self.text, language)


@dataclass(frozen=True)
class Module:
    code: str
    title: Text
    questions: tuple[Question, ...]
    intro: Text | None = None
    core: bool = True
    comparable: bool = True

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for q in self.questions for item in q.items)


@dataclass(frozen=True)
class Indicator:
    """A key indicator: the share of the answers `share` to `item`."""

    code: str
    item: str
    share: tuple[int, ...]
    label: Text


@dataclass(frozen=True)
class Index:
    """A respondent's mean over `items` (with at least `minimum_answers` answered)."""

    code: str
    items: tuple[str, ...]
    label: Text
    minimum_answers: int = 1


@dataclass(frozen=True)
class Instrument:
    key: str
    version: str
    languages: tuple[str, ...]
    title: Text
    scales: Mapping[str, Scale]
    modules: tuple[Module, ...]
    item_index: Mapping[str, Item] = field(repr=False, default_factory=dict)
    indicators: tuple[Indicator, ...] = ()
    indices: tuple[Index, ...] = ()

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for m in self.modules for item in m.items)

    @property
    def questions(self) -> Iterator[Question]:
        for module in self.modules:
            yield from module.questions

    def item(self, code: str) -> Item:
        return self.item_index[code]

    def module(self, code: str) -> Module:
        return next(m for m in self.modules if m.code == code)

    @property
    def ident(self) -> str:
        return f"{self.key}-{self.version}"


# --- filters ----------------------------------------------------------------------------------


def filter_applies(condition: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    """Whether a question with this `show_if` is asked, given the answers so far."""
    if not condition:
        return True
    if "all" in condition:
        return all(filter_applies(c, answers) for c in condition["all"])
    if "any" in condition:
        return any(filter_applies(c, answers) for c in condition["any"])
    return answers.get(condition["item"]) in condition["in"]


def filter_items(condition: Mapping[str, Any] | None) -> Iterator[tuple[str, list[Any]]]:
    """The (item code, values) pairs a filter refers to."""
    if not condition:
        return
    for key in ("all", "any"):
        if key in condition:
            for c in condition[key]:
                yield from filter_items(c)
            return
    yield condition["item"], list(condition["in"])


# --- loading and checking ---------------------------------------------------------------------


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _schema_place(path: Iterable[Any], data: Mapping[str, Any]) -> str:
    """Turn a JSON path into a readable place that also names module and question codes."""
    parts: list[str] = []
    node: Any = data
    for step in path:
        node = node[step] if isinstance(node, Mapping | list) else None
        if isinstance(step, int):
            code = node.get("code") if isinstance(node, Mapping) else None
            parts[-1] += f"[{step}]" + (f" ({code})" if code is not None else "")
        else:
            parts.append(str(step))
    return " › ".join(parts) or "(top level)"


def check_definition(data: Any) -> list[Problem]:
    """Every problem of a definition: schema, unknown codes, broken filters, translations."""
    if not isinstance(data, Mapping):
        return [Problem("(top level)", "a definition is a mapping with instrument, version, …")]
    validator = jsonschema.Draft202012Validator(_schema())
    problems = [
        Problem(_schema_place(err.absolute_path, data), err.message)
        for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path)))
    ]
    if problems:
        return problems
    return _semantic_problems(data)


def _semantic_problems(data: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    languages = list(data["languages"])
    scales = data.get("scales", {})

    def need_languages(text: Any, place: str) -> None:
        if text is None:
            return
        missing = [lang for lang in languages if not str(text.get(lang, "")).strip()]
        if missing:
            problems.append(Problem(place, f"translation missing for {', '.join(missing)}"))

    need_languages(data["title"], "title")
    for key, scale in scales.items():
        seen: set[int] = set()
        for i, option in enumerate(scale["options"]):
            place = f"scales › {key} › options[{i}] ({option['code']})"
            if option["code"] in seen:
                problems.append(Problem(place, f"code {option['code']} used twice in the scale"))
            seen.add(option["code"])
            need_languages(option["label"], f"{place} › label")

    item_codes: dict[str, str] = {}
    item_values: dict[str, set[Any] | None] = {}
    question_codes: set[str] = set()
    module_codes: set[str] = set()
    filters: list[tuple[str, Any, int]] = []
    # question code → its item codes, to name the right thing in a filter that uses a question
    question_items: dict[str, list[str]] = {}
    for mi, module in enumerate(data["modules"]):
        mplace = f"modules[{mi}] ({module['code']})"
        if module["code"] in module_codes:
            problems.append(Problem(mplace, f"module code {module['code']} used twice"))
        module_codes.add(module["code"])
        need_languages(module["title"], f"{mplace} › title")
        need_languages(module.get("intro"), f"{mplace} › intro")
        for qi, question in enumerate(module["questions"]):
            qplace = f"{mplace} › questions[{qi}] ({question['code']})"
            kind = question["kind"]
            if question["code"] in question_codes:
                problems.append(Problem(qplace, f"question code {question['code']} used twice"))
            question_codes.add(question["code"])
            need_languages(question["text"], f"{qplace} › text")
            need_languages(question.get("note"), f"{qplace} › note")
            need_languages(question.get("unit"), f"{qplace} › unit")
            scale_key = question.get("scale")
            if kind in ("single", "grid"):
                if scale_key is None:
                    problems.append(Problem(qplace, f"a {kind} question needs a scale"))
                elif scale_key not in scales and scale_key != WAVE_DISTRICTS:
                    problems.append(Problem(f"{qplace} › scale", f"unknown scale {scale_key!r}"))
            elif scale_key is not None:
                problems.append(Problem(f"{qplace} › scale", f"a {kind} question has no scale"))
            if kind in ("grid", "multi") and not question.get("items"):
                problems.append(Problem(qplace, f"a {kind} question needs items"))
            if kind in ("single", "number", "text") and question.get("items"):
                problems.append(Problem(qplace, f"a {kind} question has no items"))
            if kind == "number" and question.get("min", 0) > question.get("max", 10**9):
                problems.append(Problem(qplace, "min is larger than max"))
            if question.get("show_if"):
                # Items registered so far are the ones asked before this question.
                filters.append((f"{qplace} › show_if", question["show_if"], len(item_codes)))
            values: set[Any] | None
            if scale_key == WAVE_DISTRICTS:
                values = None
            elif kind in ("single", "grid") and scale_key in scales:
                values = {o["code"] for o in scales[scale_key]["options"]}
            elif kind == "multi":
                values = {0, 1}
            else:
                values = None
            rows = question.get("items") or [{"code": question["code"], "text": None}]
            question_items.setdefault(question["code"], [row["code"] for row in rows])
            for ii, item in enumerate(rows):
                iplace = (
                    f"{qplace} › items[{ii}] ({item['code']})" if question.get("items") else qplace
                )
                if item["code"] in item_codes:
                    problems.append(
                        Problem(
                            iplace,
                            f"item code {item['code']} already used at {item_codes[item['code']]}",
                        )
                    )
                item_codes.setdefault(item["code"], iplace)
                item_values[item["code"]] = values
                need_languages(item.get("text"), f"{iplace} › text")
    # Filters may only look back: an item asked earlier, with values it can take.
    order = list(item_codes)
    for place, condition, first_own in filters:
        for code, wanted in filter_items(condition):
            if code not in item_codes:
                hint = ""
                if code in question_items:
                    hint = f" ({code} is a question: name one of its items, e.g. "
                    hint += f"{question_items[code][0]!r}, or combine them with any/all)"
                problems.append(Problem(place, f"filter refers to unknown item {code!r}{hint}"))
                continue
            if order.index(code) >= first_own:
                problems.append(
                    Problem(place, f"filter refers to item {code!r}, which is not asked before")
                )
            allowed = item_values.get(code)
            if allowed is not None:
                bad = [v for v in wanted if v not in allowed]
                if bad:
                    problems.append(
                        Problem(place, f"filter value(s) {bad} are not codes of item {code!r}")
                    )
    for ii, indicator in enumerate(data.get("indicators", ())):
        place = f"indicators[{ii}] ({indicator['code']})"
        need_languages(indicator["label"], f"{place} › label")
        if indicator["item"] not in item_codes:
            problems.append(Problem(place, f"unknown item {indicator['item']!r}"))
            continue
        allowed = item_values.get(indicator["item"])
        if allowed is not None and not set(indicator["share"]) <= allowed:
            problems.append(
                Problem(place, f"{indicator['share']} are not all codes of {indicator['item']!r}")
            )
    for ii, index in enumerate(data.get("indices", ())):
        place = f"indices[{ii}] ({index['code']})"
        need_languages(index["label"], f"{place} › label")
        unknown = [code for code in index["items"] if code not in item_codes]
        if unknown:
            problems.append(Problem(place, f"unknown item(s) {unknown}"))
        if index.get("minimum_answers", 1) > len(index["items"]):
            problems.append(Problem(place, "minimum_answers is larger than the number of items"))
    return problems


def parse_instrument(data: Mapping[str, Any], *, extension: bool = False) -> Instrument:
    """Build an Instrument from checked data; raise InstrumentError with every problem."""
    problems = check_definition(data)
    if problems:
        raise InstrumentError(problems)
    return _build_instrument(data, extension=extension)


def _build_instrument(data: Mapping[str, Any], *, extension: bool = False) -> Instrument:
    """Build an Instrument from data that has been checked."""
    scales = {
        key: Scale(
            key=key,
            options=tuple(
                Option(code=o["code"], label=o["label"], special=o.get("special"))
                for o in spec["options"]
            ),
            ordinal=bool(spec.get("ordinal", False)),
        )
        for key, spec in data.get("scales", {}).items()
    }
    modules = []
    for m in data["modules"]:
        module_core = bool(m.get("core", True)) and not extension
        comparable = module_core and bool(m.get("comparable", True))
        questions = []
        for q in m["questions"]:
            kind = q["kind"]
            scale = scales.get(q.get("scale", ""))
            q_core = module_core and bool(q.get("core", True))
            item_kind = {"grid": "single", "multi": "multi"}.get(kind, kind)
            rows = q.get("items") or [{"code": q["code"], "text": q["text"]}]
            items = tuple(
                Item(
                    code=row["code"],
                    kind=item_kind,
                    text=row["text"],
                    question=q["code"],
                    module=m["code"],
                    scale=scale if item_kind == "single" else None,
                    minimum=q.get("min"),
                    maximum=q.get("max"),
                    core=q_core,
                    comparable=comparable and q_core,
                )
                for row in rows
            )
            questions.append(
                Question(
                    code=q["code"],
                    kind=kind,
                    text=q["text"],
                    module=m["code"],
                    items=items,
                    scale=scale,
                    note=q.get("note"),
                    show_if=q.get("show_if"),
                    unit=q.get("unit"),
                    core=q_core,
                    scale_ref=q.get("scale"),
                )
            )
        modules.append(
            Module(
                code=m["code"],
                title=m["title"],
                intro=m.get("intro"),
                questions=tuple(questions),
                core=module_core,
                comparable=comparable,
            )
        )
    instrument = Instrument(
        key=data["instrument"],
        version=str(data["version"]),
        languages=tuple(data["languages"]),
        title=data["title"],
        scales=scales,
        modules=tuple(modules),
        indicators=tuple(
            Indicator(code=i["code"], item=i["item"], share=tuple(i["share"]), label=i["label"])
            for i in data.get("indicators", ())
        ),
        indices=tuple(
            Index(
                code=i["code"],
                items=tuple(i["items"]),
                label=i["label"],
                minimum_answers=int(i.get("minimum_answers", len(i["items"]))),
            )
            for i in data.get("indices", ())
        ),
    )
    object.__setattr__(instrument, "item_index", {i.code: i for i in instrument.items})
    return instrument


def read_definition(path: str | Path) -> Any:
    # libyaml's loader, where installed, parses the instrument about 8× faster.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 — a safe loader


def load_instrument(path: str | Path) -> Instrument:
    return parse_instrument(read_definition(path))


def available_versions() -> list[tuple[str, str]]:
    """(key, version) of every definition shipped in the repository."""
    found = []
    for path in sorted(DEFINITIONS_DIR.glob("*.yaml")):
        data = read_definition(path)
        found.append((data["instrument"], str(data["version"])))
    return found


@cache
def standard_instrument(key: str = "defus-monitor", version: str | None = None) -> Instrument:
    """A shipped definition by key and version (the newest when version is None)."""
    candidates = [(k, v) for k, v in available_versions() if k == key]
    if version is not None:
        candidates = [(k, v) for k, v in candidates if v == version]
    if not candidates:
        raise LookupError(f"No instrument {key} {version or ''} in {DEFINITIONS_DIR}")
    chosen_version = max(candidates, key=lambda kv: [int(p) for p in kv[1].split(".")])[1]
    return load_instrument(DEFINITIONS_DIR / f"{key}-{chosen_version}.yaml")


def for_wave(
    base: Instrument,
    *,
    districts: Iterable[tuple[int, str]] = (),
    extension: Mapping[str, Any] | None = None,
) -> Instrument:
    """The instrument as one wave asks it: its districts bound, its own modules added.

    `districts` are (answer code, label) pairs for questions on the `@districts` scale.
    `extension` is {"scales": {...}, "modules": [...]} in the definition format; those modules
    are the city's own and are marked not comparable.
    """
    districts = list(districts)
    extension = extension or {}
    if not districts and not extension.get("modules"):
        return base
    scales = {k: _scale_data(s) for k, s in base.scales.items()}
    if districts:
        scales["districts"] = {
            "options": [{"code": code, "label": {"de": label}} for code, label in districts]
        }
    scales.update(extension.get("scales", {}))
    modules = [_module_data(m) for m in base.modules] + list(extension.get("modules", []))
    for module in modules:
        for question in module["questions"]:
            if question.get("scale") == WAVE_DISTRICTS and districts:
                question["scale"] = "districts"
    data = {
        "instrument": base.key,
        "version": base.version,
        "languages": list(base.languages),
        "title": dict(base.title),
        "scales": scales,
        "modules": modules,
    }
    # District names are proper names: the same in every language. A scale in a file needs two
    # options, a wave may have one district: check with a stand-in second one, so that the
    # schema passes and the rest of the definition (extension modules) is checked too.
    check_data: dict[str, Any] = data
    if len(districts) == 1:
        stand_in = {"code": districts[0][0] + 1, "label": {"de": "-"}}
        check_data = {
            **data,
            "scales": {
                **scales,
                "districts": {"options": [*scales["districts"]["options"], stand_in]},
            },
        }
    problems = [
        p for p in check_definition(check_data) if not p.place.startswith("scales › districts")
    ]
    if problems:
        raise InstrumentError(problems)
    if districts:
        for option in scales["districts"]["options"]:
            option["label"] = dict.fromkeys(base.languages, option["label"]["de"])
    # Checked above (a wave may have a single district, which a scale in a file may not).
    merged = replace(_build_instrument(data), indicators=base.indicators, indices=base.indices)
    object.__setattr__(merged, "item_index", {i.code: i for i in merged.items})
    extra_codes = {m["code"] for m in extension.get("modules", [])}
    if not extra_codes:
        return merged
    modules_out = tuple(_not_comparable(m) if m.code in extra_codes else m for m in merged.modules)
    result = replace(merged, modules=modules_out)
    object.__setattr__(result, "item_index", {i.code: i for i in result.items})
    return result


def _not_comparable(module: Module) -> Module:
    questions = tuple(
        replace(
            q,
            core=False,
            items=tuple(replace(i, core=False, comparable=False) for i in q.items),
        )
        for q in module.questions
    )
    return replace(module, core=False, comparable=False, questions=questions)


def _scale_data(scale: Scale) -> dict[str, Any]:
    return {
        "options": [
            {
                "code": o.code,
                "label": dict(o.label),
                **({"special": o.special} if o.special else {}),
            }
            for o in scale.options
        ],
        **({"ordinal": True} if scale.ordinal else {}),
    }


def _module_data(module: Module) -> dict[str, Any]:
    questions = []
    for q in module.questions:
        entry: dict[str, Any] = {"code": q.code, "kind": q.kind, "text": dict(q.text)}
        if q.scale_ref:
            entry["scale"] = q.scale_ref
        if q.kind in ("grid", "multi"):
            entry["items"] = [{"code": i.code, "text": dict(i.text)} for i in q.items]
        if q.note:
            entry["note"] = dict(q.note)
        if q.show_if:
            entry["show_if"] = q.show_if
        if q.unit:
            entry["unit"] = dict(q.unit)
        if q.kind == "number":
            entry["min"], entry["max"] = q.items[0].minimum, q.items[0].maximum
        if not q.core:
            entry["core"] = False
        questions.append(entry)
    out: dict[str, Any] = {"code": module.code, "title": dict(module.title), "questions": questions}
    if module.intro:
        out["intro"] = dict(module.intro)
    if not module.core:
        out["core"] = False
    return out
