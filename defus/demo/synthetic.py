"""Synthetic answers to a wave's questionnaire whose patterns look like those of a real wave.

Every respondent carries a latent insecurity ("fear") made of gender, age and a personal
part, an extra unease after dark that grows with age, and the neighbourhood effect of the
district they live in. Every item of the wave's instrument is drawn from these with noise,
question by question in the instrument's order, so that filters (`show_if`) decide exactly as
in the web questionnaire: a question whose filter does not apply gets no answer at all.

The DEFUS-Monitor core questions (A1…A5, C1, K1…K3, T1, V1, V2, I1, S1, S2, D1…D3) have rules
of their own; the other demographic questions are recognised by their wording (years lived
in the city, household size, school, employment, migration, disability, children); any other
question — a new core item or a city's own module — gets a plausible answer for its kind and
scale. Every value is one that `defus.instrument.answers.clean_value` accepts unchanged.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from defus.fieldwork.models import age_group
from defus.instrument.definition import Instrument, Item, Question, filter_applies

Value = int | str


@dataclass(frozen=True)
class Respondent:
    gender: str  # "female", "male" or "diverse"
    age: int
    district: int | None  # answer code of the district of residence (D3)
    unease: float = 0.0  # how much less safe the district feels than the city on average
    mode: str = "web"  # "web" or "paper"
    language: str = "de"
    worry: float = 0.0  # extra insecurity, e.g. people who answer an open link


@dataclass(frozen=True)
class Mention:
    """A place as residents name it in open answers ("am Hauptbahnhof", "Stadtpark abends")."""

    district: int | None  # answer code of its district: neighbours name it more often
    weight: float  # how often it is named city-wide
    phrases: Mapping[str, Sequence[str]]  # by language; "de" is the fallback


# --- the latent model ---------------------------------------------------------------------------

GENDER_FEAR = {"female": 0.5, "male": -0.25, "diverse": 0.55}
AGE_FEAR = {"18-29": -0.05, "30-44": -0.1, "45-59": 0.0, "60-74": 0.15, "75+": 0.3}
AGE_NIGHT = {"18-29": -0.15, "30-44": 0.0, "45-59": 0.1, "60-74": 0.35, "75+": 0.65}
# "I don't go there": older people avoid parks and the evening; the young ride buses and trains.
AGE_DONT_USE = {"18-29": 0.6, "30-44": 0.8, "45-59": 1.0, "60-74": 1.5, "75+": 2.4}
ITEM_NONRESPONSE = {"web": 0.02, "paper": 0.045}

# The places of A2 (day) and A3 (after dark), by item number: 1 own neighbourhood,
# 2 pedestrian zone, 3 small squares, 4 small green spaces, 5 large parks, 6 buses and trains,
# 7 stations and stops. Levels are on a 0..4 scale (0 = very safe, 4 = very unsafe).
PLACE_DAY = {1: 0.55, 2: 0.75, 3: 0.85, 4: 0.8, 5: 1.0, 6: 0.95, 7: 1.35}
PLACE_AREA = {1: 0.85, 2: 0.15, 3: 0.45, 4: 0.4, 5: 0.2, 6: 0.2, 7: 0.3}
PLACE_NIGHT = {1: 0.55, 2: 0.9, 3: 1.0, 4: 1.2, 5: 1.55, 6: 1.15, 7: 1.45}
DONT_USE_DAY = {1: 0.0, 2: 0.03, 3: 0.07, 4: 0.06, 5: 0.09, 6: 0.12, 7: 0.08}
DONT_USE_NIGHT = {1: 0.02, 2: 0.1, 3: 0.17, 4: 0.21, 5: 0.27, 6: 0.19, 7: 0.15}
PARKS = (4, 5)
TRANSPORT = (6, 7)

# C1: how likely to become a victim (0..4, 4 = very likely), by item number: burglary,
# bicycle theft, fraud at the door or phone, assault, harassment.
LIKELY = {1: 1.3, 2: 1.7, 3: 1.0, 4: 0.7, 5: 1.0}
# V1: victimisation in the last 12 months, by item number: theft, burglary, fraud, assault,
# harassment, damage to property; V2: reported to the police.
VICTIM = {1: 0.11, 2: 0.04, 3: 0.06, 4: 0.04, 5: 0.09, 6: 0.08}
REPORTED = {1: 0.45, 2: 0.85, 3: 0.35, 4: 0.5, 5: 0.15, 6: 0.55}
# K2: what worry made people do (given K1 = yes): not out in the evening, avoid buses and
# trains in the evening, avoid places, protective measures, something else.
RESTRICTED = {1: 0.4, 2: 0.32, 3: 0.62, 4: 0.3, 5: 0.07}
# I1: importance for feeling safe (0..4, 4 = very important): cleanliness, lighting, busy
# streets, police presence, youth activities, green spaces.
IMPORTANT = {1: 3.1, 2: 3.4, 3: 2.6, 4: 2.8, 5: 2.5, 6: 2.9}
# S1: dissatisfaction with the city's work (offset on 0..4) and "don't know", by area: youth
# work, social work, integration, streets and squares, parks, public order, road safety.
DISSATISFIED = {1: 0.0, 2: 0.35, 3: 0.3, 4: 0.1, 5: -0.15, 6: 0.2, 7: 0.0}
DONT_KNOW = {1: 0.3, 2: 0.28, 3: 0.33, 4: 0.1, 5: 0.07, 6: 0.15, 7: 0.08}
# S2: measures wished for: presence, lighting, video, cleaning, social work, redesign, other.
WISHED = {1: 0.55, 2: 0.45, 3: 0.3, 4: 0.38, 5: 0.25, 6: 0.3, 7: 0.05}

GENERIC_PLACES = {
    "de": ["dunkle Ecken", "Parkhäuser", "Wege ohne Beleuchtung", "leere Haltestellen"],
    "en": ["dark corners", "car parks", "paths without lights", "empty bus stops"],
    "fr": ["les coins sombres", "les parkings", "les chemins sans éclairage"],
}
AND = {"de": " und ", "en": " and ", "fr": " et "}


@dataclass
class _State:
    respondent: Respondent
    rng: random.Random
    mentions: Sequence[Mention]
    group: str
    fear: float
    night: float
    day_levels: dict[int, float] = field(default_factory=dict)
    memo: dict[str, float | int | bool] = field(default_factory=dict)

    @property
    def unease(self) -> float:
        """The neighbourhood effect of the district the respondent lives in."""
        return self.respondent.unease

    @property
    def young_woman(self) -> bool:
        return self.respondent.gender != "male" and self.respondent.age < 45

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def day_level(self, place: int) -> float:
        """The person's latent unease at a place by day (kept: the night builds on it)."""
        if place not in self.day_levels:
            self.day_levels[place] = (
                PLACE_DAY.get(place, 0.9)
                + 0.55 * self.fear
                + PLACE_AREA.get(place, 0.3) * self.unease
                + self.rng.gauss(0, 0.35)
            )
        return self.day_levels[place]

    def night_level(self, place: int) -> float:
        extra = 0.3 if place in TRANSPORT and self.young_woman else 0.0
        return (
            self.day_level(place)
            + PLACE_NIGHT.get(place, 1.0)
            + self.night
            + 0.2 * self.fear
            + extra
        )


def synthetic_answers(
    instrument: Instrument,
    respondent: Respondent,
    rng: random.Random,
    mentions: Sequence[Mention] = (),
) -> dict[str, Value]:
    """One respondent's answers to every question of `instrument` that applies to them."""
    group = age_group(respondent.age) or "18-29"
    state = _State(
        respondent=respondent,
        rng=rng,
        mentions=mentions,
        group=group,
        fear=rng.gauss(0, 0.75)
        + GENDER_FEAR.get(respondent.gender, 0.0)
        + AGE_FEAR[group]
        + respondent.worry,
        night=AGE_NIGHT[group],
    )
    skip = ITEM_NONRESPONSE.get(respondent.mode, 0.03)
    answers: dict[str, Value] = {}
    for question in instrument.questions:
        if not filter_applies(question.show_if, answers):
            continue
        if question.kind == "multi":
            if not state.chance(skip):
                answers.update(_multi(state, question))
            continue
        for number, item in enumerate(question.items, start=1):
            if state.chance(skip):
                continue
            value = _answer(state, question, item, _item_number(item, number))
            if value is not None:
                answers[item.code] = value
    return answers


def _item_number(item: Item, position: int) -> int:
    """The number after the underscore of a grid item code (A2_07 → 7), else the position."""
    _stem, _sep, suffix = item.code.rpartition("_")
    return int(suffix) if suffix.isdigit() else position


def _answer(state: _State, question: Question, item: Item, number: int) -> Value | None:
    rule = RULES.get(question.code)
    # A rule is used only for the kind of question it was written for; should the instrument
    # change a question's kind or scale, the question gets a generic answer instead.
    if rule is not None and _fits(item, RULE_KINDS.get(question.code, "single")):
        return rule(state, item, number)
    for recognise, recognised_rule in WORDED_RULES:
        if recognise(item):
            return recognised_rule(state, item, number)
    return _generic(state, item)


# --- drawing values -----------------------------------------------------------------------------


def _ordinal(
    state: _State, item: Item, level: float, sd: float = 0.6, high_first: bool = False
) -> int:
    """A substantive code of the item's scale from a latent level on 0..4.

    The level counts towards the scale's last substantive option (e.g. "very unsafe"); with
    `high_first` it counts towards the first one (e.g. "very likely", "very important").
    """
    assert item.scale is not None
    codes = item.scale.substantive_codes
    steps = len(codes) - 1
    position = round((level + state.rng.gauss(0, sd)) * steps / 4)
    position = min(steps, max(0, position))
    return codes[steps - position] if high_first else codes[position]


def _special(item: Item, kind: str) -> int | None:
    if item.scale is None:
        return None
    return next((o.code for o in item.scale.options if o.special == kind), None)


def _yes_no(state: _State, item: Item, p_yes: float) -> int:
    """For a yes/no item: the first substantive code is yes, the second no."""
    assert item.scale is not None
    yes, no = item.scale.substantive_codes[:2]
    return yes if state.chance(p_yes) else no


def _is_yes(item: Item, value: Value | None) -> bool:
    return value is not None and item.scale is not None and value == item.scale.substantive_codes[0]


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _weighted(state: _State, item: Item, weight: Callable[[str], float]) -> int:
    """A code of the item's scale, each option weighted by its English label."""
    assert item.scale is not None
    options = item.scale.options
    weights = [
        0.02 if o.special else max(weight(o.label.get("en", "").lower()), 0.0) for o in options
    ]
    if not any(w > 0 for w, o in zip(weights, options, strict=True) if not o.special):
        weights = [0.02 if o.special else 1.0 for o in options]  # no label recognised
    return state.rng.choices([o.code for o in options], weights=weights)[0]


# --- the core questions -------------------------------------------------------------------------


def _a1(state: _State, item: Item, number: int) -> Value:
    return _ordinal(state, item, state.night_level(1) + 0.2, sd=0.55)


def _place(state: _State, item: Item, number: int, *, night: bool) -> Value:
    dont_use = _special(item, "dont_use")
    if dont_use is not None:
        age = AGE_DONT_USE[state.group]
        if number in TRANSPORT and state.group == "18-29":
            age = 0.3
        if number in PARKS:
            age *= 1.3 if state.group in ("60-74", "75+") else 1.0
        key = f"day-dont-use-{number}"
        if not night:
            p = DONT_USE_DAY.get(number, 0.05) * age
            state.memo[key] = state.chance(p)
            if state.memo[key]:
                return dont_use
        else:
            if state.memo.get(key) and state.chance(0.85):
                return dont_use
            p = DONT_USE_NIGHT.get(number, 0.15) * age * (1 + 0.35 * max(state.fear, 0.0))
            if state.chance(p):
                return dont_use
    if night:
        return _ordinal(state, item, state.night_level(number), sd=0.5)
    return _ordinal(state, item, state.day_level(number), sd=0.45)


def _a2(state: _State, item: Item, number: int) -> Value:
    return _place(state, item, number, night=False)


def _a3(state: _State, item: Item, number: int) -> Value:
    return _place(state, item, number, night=True)


def _a4(state: _State, item: Item, number: int) -> Value:
    level = 1.3 + 0.6 * state.fear + 0.25 * state.unease + 0.2 * state.night
    return _ordinal(state, item, level)


def _a5(state: _State, item: Item, number: int) -> Value:
    dont_know = _special(item, "dont_know")
    if dont_know is not None and state.chance(0.18 if state.group == "18-29" else 0.08):
        return dont_know
    return _ordinal(state, item, 2.3 + 0.55 * state.fear, sd=0.8)


def _c1(state: _State, item: Item, number: int) -> Value:
    dont_know = _special(item, "dont_know")
    if dont_know is not None and state.chance(0.04):
        return dont_know
    level = LIKELY.get(number, 1.0) + 0.45 * state.fear + 0.25 * state.unease
    if number == 2:  # bicycle theft: the young cycle more, the oldest hardly
        level += {"18-29": 0.4, "75+": -0.7}.get(state.group, 0.0)
    if number == 3 and state.group == "75+":  # fraudsters at the door and on the phone
        level += 0.6
    if number == 5 and state.respondent.gender != "male":
        level += 0.7 if state.young_woman else 0.3
    return _ordinal(state, item, level, sd=0.7, high_first=True)


def _k1(state: _State, item: Item, number: int) -> Value:
    p = _logistic(-1.2 + 1.0 * state.fear + 0.45 * state.unease + 0.6 * state.night)
    return _yes_no(state, item, p)


def _k3(state: _State, item: Item, number: int) -> Value | None:
    if not state.mentions or state.chance(0.15):
        return None
    return _places_text(state)


def _t1(state: _State, item: Item, number: int) -> Value:
    text = item.text.get("en", "").lower()
    cycling = any(word in text for word in ("bicycle", "cycl", "bike"))
    dont_use = _special(item, "dont_use")
    if cycling:
        if "cycles" not in state.memo:
            p_not = {"18-29": 0.15, "30-44": 0.18, "45-59": 0.25, "60-74": 0.38, "75+": 0.62}
            state.memo["cycles"] = not state.chance(p_not[state.group])
        if dont_use is not None and not state.memo["cycles"]:
            return dont_use
        level = 2.1 + 0.3 * state.fear
    else:
        if dont_use is not None and state.chance(0.05 if state.group == "75+" else 0.01):
            return dont_use
        level = 0.85 + 0.3 * state.fear + 0.15 * state.unease
    if "elsewhere" in text or "city" in text:
        level += 0.2
    return _ordinal(state, item, level, sd=0.6)


def _v1(state: _State, item: Item, number: int) -> Value:
    p = VICTIM.get(number, 0.06)
    male = state.respondent.gender == "male"
    if number == 1 and state.group in ("18-29", "30-44"):
        p *= 1.4
    if number == 3 and state.group == "75+":
        p *= 1.6
    if number == 4 and male and state.group == "18-29":
        p *= 1.8
    if number == 5:
        p *= 0.6 if male else (1.8 if state.young_woman else 1.0)
    p *= math.exp(0.25 * state.fear + 0.2 * state.unease)
    value = _yes_no(state, item, min(max(p, 0.01), 0.35))
    state.memo[f"victim-{number}"] = _is_yes(item, value)
    return value


def _v2(state: _State, item: Item, number: int) -> Value | None:
    """Reported to the police: asked for every kind, answered for what happened."""
    if not state.memo.get(f"victim-{number}"):
        return None
    return _yes_no(state, item, REPORTED.get(number, 0.4))


def _i1(state: _State, item: Item, number: int) -> Value:
    level = IMPORTANT.get(number, 2.8) + 0.3 * state.fear
    if number == 4 and state.group in ("60-74", "75+"):
        level += 0.35
    if number == 5 and state.group == "18-29":
        level += 0.35
    return _ordinal(state, item, level, sd=0.6, high_first=True)


def _s1(state: _State, item: Item, number: int) -> Value:
    dont_know = _special(item, "dont_know")
    p_dont_know = DONT_KNOW.get(number, 0.15) + (0.05 if state.group == "18-29" else 0.0)
    if dont_know is not None and state.chance(p_dont_know):
        return dont_know
    level = 1.7 + DISSATISFIED.get(number, 0.1) + 0.35 * state.fear + 0.25 * state.unease
    return _ordinal(state, item, level, sd=0.7)


def _d1(state: _State, item: Item, number: int) -> Value:
    gender = state.respondent.gender
    return _weighted(state, item, lambda label: 1.0 if label == gender else 0.0)


def _d2(state: _State, item: Item, number: int) -> Value:
    return _clamp(item, state.respondent.age)


def _d3(state: _State, item: Item, number: int) -> Value | None:
    district = state.respondent.district
    if item.scale is None or district not in item.scale.codes:
        return None
    return district


def _fits(item: Item, kind: str) -> bool:
    if item.kind != kind:
        return False
    return kind != "single" or (item.scale is not None and len(item.scale.substantive_codes) >= 2)


RULE_KINDS = {"D2": "number", "K3": "text"}  # all other rules are for single-choice items
RULES: dict[str, Callable[[_State, Item, int], Value | None]] = {
    "A1": _a1,
    "A2": _a2,
    "A3": _a3,
    "A4": _a4,
    "A5": _a5,
    "C1": _c1,
    "K1": _k1,
    "K3": _k3,
    "T1": _t1,
    "V1": _v1,
    "V2": _v2,
    "I1": _i1,
    "S1": _s1,
    "D1": _d1,
    "D2": _d2,
    "D3": _d3,
}


def _multi(state: _State, question: Question) -> dict[str, Value]:
    """Ticks of a multiple-choice question: 1/0 for every item once one is ticked."""
    chances = {
        "K2": lambda n: (
            RESTRICTED.get(n, 0.1)
            + (0.25 if n == 1 and state.group in ("60-74", "75+") else 0.0)
            + (0.15 if n == 2 and state.respondent.gender != "male" else 0.0)
        ),
        "S2": lambda n: _logistic(
            math.log(WISHED.get(n, 0.1) / (1 - WISHED.get(n, 0.1)))
            + (0.45 * state.fear if n in (1, 2, 3) else 0.0)
            + (0.5 if n == 3 and state.group in ("60-74", "75+") else 0.0)
            + (0.3 if n == 5 and state.group == "18-29" else 0.0)
        ),
    }
    chance = chances.get(question.code, lambda n: 0.25)
    numbers = [_item_number(item, i) for i, item in enumerate(question.items, start=1)]
    ticks = [state.chance(chance(n)) for n in numbers]
    if question.code == "K2" and not any(ticks):
        # K2 is only asked after "yes, worry changed what I did": at least one way applies.
        best = max(range(len(numbers)), key=lambda i: chance(numbers[i]))
        ticks[best] = True
    if not any(ticks):
        return {}
    return {item.code: int(tick) for item, tick in zip(question.items, ticks, strict=True)}


# --- questions recognised by their wording (demographics) -----------------------------------------


def _text(item: Item) -> str:
    return item.text.get("en", "").lower()


def _labels(item: Item) -> str:
    if item.scale is None:
        return ""
    return " ".join(o.label.get("en", "") for o in item.scale.options).lower()


def _yes_no_item(item: Item) -> bool:
    return item.scale is not None and _labels(item).split()[:2] == ["yes", "no"]


def _years_lived(state: _State, item: Item, number: int) -> Value:
    age = state.respondent.age
    if state.chance(0.3 if age >= 30 else 0.45):
        years = age  # born here
    else:
        years = 1 + int((age - 17) * state.rng.random() ** 1.3)
    return _clamp(item, years)


HOUSEHOLD = {
    "18-29": (0.38, 0.32, 0.15, 0.10, 0.05),
    "30-44": (0.22, 0.28, 0.20, 0.22, 0.08),
    "45-59": (0.22, 0.35, 0.20, 0.17, 0.06),
    "60-74": (0.30, 0.60, 0.07, 0.03, 0.0),
    "75+": (0.50, 0.47, 0.03, 0.0, 0.0),
}


def _household(state: _State, item: Item, number: int) -> Value:
    size = state.rng.choices(range(1, 6), weights=HOUSEHOLD[state.group])[0]
    state.memo["household"] = size
    return _clamp(item, size)


def _children(state: _State, item: Item, number: int) -> Value:
    size = int(state.memo.get("household", 2))
    p = 0.0 if size == 1 else (0.75 if size >= 3 and 25 <= state.respondent.age < 60 else 0.08)
    return _yes_no(state, item, p)


def _disability(state: _State, item: Item, number: int) -> Value:
    p = {"18-29": 0.05, "30-44": 0.07, "45-59": 0.12, "60-74": 0.2, "75+": 0.35}[state.group]
    return _yes_no(state, item, p)


def _school(state: _State, item: Item, number: int) -> Value:
    age = state.respondent.age
    older = age >= 60

    def weight(label: str) -> float:
        if "still at school" in label:
            return 0.15 if age < 20 else 0.0
        if label.startswith("no "):
            return 0.03
        if "lower secondary" in label:
            return 0.35 if older else 0.12
        if "intermediate" in label:
            return 0.3
        if "higher education" in label:
            return 0.25 if older else 0.55
        return 0.04

    return _weighted(state, item, weight)


def _employment(state: _State, item: Item, number: int) -> Value:
    age = state.respondent.age
    working = 25 <= age < 64
    woman = state.respondent.gender == "female"

    def weight(label: str) -> float:
        if "retired" in label:
            return 10.0 if age >= 64 else (0.3 if age >= 58 else 0.0)
        if "school" in label or "training" in label or "university" in label:
            return 6.0 if age < 25 else (1.0 if age < 30 else 0.02)
        if "full-time" in label:
            return (3.5 if woman else 6.0) if working else (1.0 if age < 25 else 0.1)
        if "part-time" in label:
            return (2.5 if woman else 0.6) if working else 0.4
        if "unemployed" in label:
            return 0.35 if age < 64 else 0.0
        if "home or family" in label:
            return (1.0 if woman else 0.15) if 25 <= age < 50 else 0.05
        return 0.2

    return _weighted(state, item, weight)


def _migration(state: _State, item: Item, number: int) -> Value:
    more = 1.6 if state.unease > 0.4 else 1.0  # the inner-city districts

    def weight(label: str) -> float:
        if label.startswith("i was born abroad"):
            return 0.16 * more
        if "parents was born abroad" in label or "parents were born abroad" in label:
            return 0.1 * more
        return 0.74

    return _weighted(state, item, weight)


WORDED_RULES: list[tuple[Callable[[Item], bool], Callable[[_State, Item, int], Value | None]]] = [
    (lambda i: i.kind == "number" and "years" in _text(i) and "live" in _text(i), _years_lived),
    (lambda i: i.kind == "number" and "household" in _text(i), _household),
    (lambda i: _yes_no_item(i) and "children" in _text(i), _children),
    (lambda i: _yes_no_item(i) and ("disab" in _text(i) or "illness" in _text(i)), _disability),
    (lambda i: i.kind == "single" and "retired" in _labels(i), _employment),
    (lambda i: i.kind == "single" and "born abroad" in _labels(i), _migration),
    (lambda i: i.kind == "single" and "qualification" in _labels(i), _school),
]


# --- anything else -------------------------------------------------------------------------------


def _generic(state: _State, item: Item) -> Value | None:
    """A plausible answer to a question this module does not know."""
    rng = state.rng
    if item.kind == "single" and item.scale is not None:
        if not item.scale.substantive_codes:
            return rng.choice(item.scale.codes)
        for option in item.scale.options:
            if option.special and state.chance(0.04):
                return option.code
        if "unsafe" in _labels(item):
            return _ordinal(state, item, 1.1 + 0.6 * state.fear + 0.3 * state.unease)
        return _ordinal(state, item, 1.6 + 0.3 * state.fear, sd=0.9)
    if item.kind == "multi":
        return int(state.chance(0.25))
    if item.kind == "number":
        low = item.minimum if item.minimum is not None else 0
        high = item.maximum if item.maximum is not None else low + 20
        return low + int(rng.random() ** 2 * min(high - low, 20))
    return None  # no invented free text for unknown questions


def _clamp(item: Item, value: int) -> int:
    if item.minimum is not None:
        value = max(item.minimum, value)
    if item.maximum is not None:
        value = min(item.maximum, value)
    return value


# --- open answers naming places -------------------------------------------------------------


def _places_text(state: _State) -> str:
    """An open answer naming one to three places in the respondent's words."""
    rng = state.rng
    language = state.respondent.language
    count = rng.choices((1, 2, 3), weights=(0.62, 0.3, 0.08))[0]
    pool = list(state.mentions)
    weights = [
        m.weight
        * (3.0 if m.district is not None and m.district == state.respondent.district else 1.0)
        for m in pool
    ]
    parts: list[str] = []
    while pool and len(parts) < count:
        index = rng.choices(range(len(pool)), weights=weights)[0]
        mention = pool.pop(index)
        weights.pop(index)
        phrases = mention.phrases.get(language) or mention.phrases["de"]
        parts.append(rng.choice(list(phrases)))
    if state.chance(0.15):
        generic = GENERIC_PLACES.get(language) or GENERIC_PLACES["de"]
        parts.append(rng.choice(generic))
    if len(parts) == 1:
        text = parts[0]
    else:
        text = ", ".join(parts[:-1]) + (AND.get(language) or AND["de"]) + parts[-1]
    return text[:1].upper() + text[1:]
