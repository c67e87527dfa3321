"""A wave's answers as arrays, the form every analysis works on.

Loaded once per wave and answer revision (`Wave.answers_revision` grows with every recorded
answer) and kept in the cache, so the dashboard, the report and the exports read the database
only when new answers have arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db.models import Count

from ..fieldwork.models import AGE_GROUPS, GENDERS, Response, Wave, age_group
from ..instrument.answers import asked_items
from ..instrument.definition import NO_ANSWER, NOT_APPLICABLE, Instrument

GENDER_ITEM, AGE_ITEM = "D1", "D2"  # the standard instrument's gender (1 f, 2 m, 3 d) and age
GENDER_CODES = {1: "female", 2: "male", 3: "diverse"}
CACHE_SECONDS = 24 * 3600


@dataclass
class District:
    pk: int
    answer_code: int
    code: str
    name: str
    population: dict[str, dict[str, int]]
    drawn: int  # access codes drawn in the district (the sample size)


@dataclass
class WaveData:
    """One row per completed questionnaire; categorical values as small integers.

    `items` holds single, multi and number items (the code or value; NO_ANSWER −9 for no
    answer, NOT_APPLICABLE −8 where a filter skipped the question); `texts` the open answers.
    """

    wave_id: int
    revision: int
    response_ids: list[str]
    is_sample: np.ndarray  # bool: from the random sample (web or paper); else the open link
    is_paper: np.ndarray  # bool
    language: list[str]
    stratum: np.ndarray  # index into `districts` (the sampling district), −1 unknown
    gender: np.ndarray  # index into GENDERS, −1 unknown
    age_group: np.ndarray  # index into AGE_GROUPS, −1 unknown
    items: dict[str, np.ndarray] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)
    districts: list[District] = field(default_factory=list)
    district_pks: list[int] = field(default_factory=list)  # the districts `stratum` indexes

    @property
    def n(self) -> int:
        return len(self.response_ids)


def load_wave_data(wave: Wave) -> WaveData:
    """The wave's answers as arrays, cached until new answers arrive; districts (population,
    sample sizes) are read fresh, since they can change without new answers."""
    revision = Wave.objects.filter(pk=wave.pk).values_list("answers_revision", flat=True).get()
    key = f"analysis:data:{wave.pk}:{revision}"
    data: WaveData | None = cache.get(key)
    districts = read_districts(wave)
    if data is None:
        data = read_wave_data(wave, districts, revision)
        cache.set(key, replace(data, districts=[]), CACHE_SECONDS)
    # Answers keep the position of their district; a changed list of districts re-reads them.
    if [d.pk for d in districts] != data.district_pks:
        data = read_wave_data(wave, districts, revision)
        cache.set(key, replace(data, districts=[]), CACHE_SECONDS)
    return replace(data, districts=districts)


def read_districts(wave: Wave) -> list[District]:
    drawn = dict(
        wave.access_codes.order_by()
        .values("district_id")
        .annotate(n=Count("id"))
        .values_list("district_id", "n")
    )
    return [
        District(d.pk, d.answer_code, d.code, d.name, d.population or {}, drawn.get(d.pk, 0))
        for d in wave.districts.order_by("answer_code")
    ]


def read_wave_data(wave: Wave, districts: list[District], revision: int) -> WaveData:
    position = {d.pk: index for index, d in enumerate(districts)}
    rows = list(
        Response.objects.filter(wave=wave)
        .order_by("id")
        .values_list("id", "source", "mode", "language", "sample_district_id", "answers")
    )
    return build_wave_data(
        wave.instrument,
        [row[5] for row in rows],
        wave_id=wave.pk,
        revision=revision,
        response_ids=[str(row[0]) for row in rows],
        is_sample=[row[1] == Response.Source.SAMPLE for row in rows],
        is_paper=[row[2] == Response.Mode.PAPER for row in rows],
        language=[row[3] for row in rows],
        stratum=[position.get(row[4], -1) for row in rows],
        districts=districts,
    )


def build_wave_data(
    instrument: Instrument,
    answers: list[dict[str, Any]],
    *,
    wave_id: int = 0,
    revision: int = 0,
    response_ids: list[str],
    is_sample: list[bool],
    is_paper: list[bool],
    language: list[str],
    stratum: list[int],
    districts: list[District],
) -> WaveData:
    items: dict[str, np.ndarray] = {}
    texts: dict[str, list[str]] = {}
    filtered = {
        item.code: question.show_if
        for question in instrument.questions
        if question.show_if
        for item in question.items
    }
    asked: list[dict[str, bool]] = (
        [asked_items(instrument, a) for a in answers] if filtered else [{} for _ in answers]
    )
    for item in instrument.items:
        if item.kind == "text":
            texts[item.code] = [str(a.get(item.code) or "") for a in answers]
            continue
        code = item.code
        values = np.fromiter(
            (a.get(code, NO_ANSWER) for a in answers), dtype=np.int32, count=len(answers)
        )
        if code in filtered:
            skipped = np.fromiter(
                (not flags.get(code, True) for flags in asked), dtype=bool, count=len(answers)
            )
            values[skipped] = NOT_APPLICABLE
        items[code] = values
    gender = np.full(len(answers), -1, dtype=np.int32)
    if GENDER_ITEM in items:
        for answer, name in GENDER_CODES.items():
            gender[items[GENDER_ITEM] == answer] = GENDERS.index(name)
    ages = np.full(len(answers), -1, dtype=np.int32)
    if AGE_ITEM in items:
        lookup = {
            age: AGE_GROUPS.index(group)
            for age in range(0, 130)
            if (group := age_group(age)) is not None
        }
        ages = np.fromiter(
            (lookup.get(int(v), -1) for v in items[AGE_ITEM]), dtype=np.int32, count=len(answers)
        )
    return WaveData(
        wave_id=wave_id,
        revision=revision,
        response_ids=response_ids,
        is_sample=np.asarray(is_sample, dtype=bool),
        is_paper=np.asarray(is_paper, dtype=bool),
        language=language,
        stratum=np.asarray(stratum, dtype=np.int32),
        gender=gender,
        age_group=ages,
        items=items,
        texts=texts,
        districts=districts,
        district_pks=[d.pk for d in districts],
    )


def previous_wave(wave: Wave) -> Wave | None:
    """The organisation's last wave of the same questionnaire before this one."""
    return (
        Wave.objects.filter(
            organisation=wave.organisation,
            instrument_key=wave.instrument_key,
            field_start__lt=wave.field_start,
        )
        .order_by("-field_start")
        .first()
    )
