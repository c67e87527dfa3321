"""A wave's answers as arrays, the form every analysis works on.

Loaded once per wave and answer revision (`Wave.answers_revision` grows with every recorded
answer) and kept in the cache, so the dashboard, the report and the exports read the database
only when new answers have arrived. Behind the cache, a columnar copy of the arrays in the
database (models.AnswerColumns) spares parsing every answer after a restart or an emptied
cache: only answers that arrived since it was written are read and appended.
"""

from __future__ import annotations

import io
import json
import operator
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, Max, OuterRef

from ..fieldwork.models import AGE_GROUPS, GENDERS, AccessCode, Response, Wave, age_group
from ..instrument.definition import NO_ANSWER, NOT_APPLICABLE, Instrument, filter_applies

GENDER_ITEM, AGE_ITEM = "D1", "D2"  # the standard instrument's gender (1 f, 2 m, 3 d) and age
GENDER_CODES = {1: "female", 2: "male", 3: "diverse"}
CACHE_SECONDS = 24 * 3600
COLUMNS_LAYOUT = 1  # of the stored columns: raise it when WaveData's arrays change meaning
COLUMNS_REFRESH = 100  # rewrite the stored columns when this many answers arrived since


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


def answers_version(wave: Wave) -> str:
    """Names the state of a wave's answers for caches: it changes with every new answer. The
    wave's random token makes it unique even where a database hands out an id again."""
    revision, token = (
        Wave.objects.filter(pk=wave.pk).values_list("answers_revision", "open_link_token").get()
    )
    return f"{wave.pk}:{token}:{revision}"


def load_wave_data(wave: Wave) -> WaveData:
    """The wave's answers as arrays, cached until new answers arrive; districts (population,
    sample sizes) are read fresh, since they can change without new answers.

    When answers have arrived since the last cached revision (or since the stored columns were
    written), only the new ones are read and appended (answers are never edited; a deleted one
    makes everything be read again)."""
    revision, token = (
        Wave.objects.filter(pk=wave.pk).values_list("answers_revision", "open_link_token").get()
    )
    key = f"analysis:data:{wave.pk}:{token}:{revision}"  # as answers_version(wave)
    data: WaveData | None = cache.get(key)
    districts = read_districts(wave)
    pks = [d.pk for d in districts]
    if data is None or data.district_pks != pks:
        # Answers keep the position of their district: other districts, everything again.
        latest: WaveData | None = cache.get(f"analysis:data:{wave.pk}:{token}:latest")
        stored = _stored_state(wave)
        outdated = (
            stored is None
            or stored[0] + COLUMNS_REFRESH <= revision
            or stored[1:3] != (COLUMNS_LAYOUT, pks)
        )
        if latest is not None and latest.district_pks == pks and latest.revision < revision:
            data = _with_new_answers(wave, latest, districts, revision)
        elif (known := _stored_columns(wave, stored, pks, revision)) is not None:
            data = known
            if known.revision < revision:
                data = _with_new_answers(wave, known, districts, revision)
        else:
            data = read_wave_data(wave, districts, revision)
            outdated = True  # no copy, or one that does not describe the answers any more
        if outdated:
            store_columns(wave, data)
        cached = replace(data, districts=[])
        cache.set(key, cached, CACHE_SECONDS)
        cache.set(f"analysis:data:{wave.pk}:{token}:latest", cached, CACHE_SECONDS)
    return replace(data, districts=districts)


# --- the columnar copy in the database ------------------------------------------------------

_FLAGS = ("is_sample", "is_paper", "stratum", "gender", "age_group")


def _stored_state(wave: Wave) -> tuple[int, int, list[int], int] | None:
    """(revision, layout, district pks, n) of the wave's stored columns, without the payload."""
    from .models import AnswerColumns

    row = (
        AnswerColumns.objects.filter(wave=wave)
        .values_list("revision", "layout", "district_pks", "n")
        .first()
    )
    return (int(row[0]), int(row[1]), list(row[2]), int(row[3])) if row else None


def _stored_columns(
    wave: Wave, state: tuple[int, int, list[int], int] | None, pks: list[int], revision: int
) -> WaveData | None:
    """The stored columns when they describe these districts and no more answers than there
    are now; at the same revision, also the same number of answers (else a full read)."""
    from .models import AnswerColumns

    if state is None or state[1] != COLUMNS_LAYOUT or state[2] != pks or state[0] > revision:
        return None
    if state[0] == revision and Response.objects.filter(wave=wave).count() != state[3]:
        return None
    payload = AnswerColumns.objects.filter(wave=wave).values_list("payload", flat=True).first()
    if payload is None:
        return None
    return columns_from_bytes(bytes(payload), wave_id=wave.pk, revision=state[0], pks=pks)


def store_columns(wave: Wave, data: WaveData) -> None:
    """Writes (or replaces) the wave's columnar copy of `data`, rows in the order of their ids."""
    from .models import AnswerColumns

    values = {
        "revision": data.revision,
        "layout": COLUMNS_LAYOUT,
        "district_pks": data.district_pks,
        "n": data.n,
        "payload": columns_to_bytes(in_id_order(data)),
    }
    try:
        with transaction.atomic():
            AnswerColumns.objects.update_or_create(wave=wave, defaults=values)
    except IntegrityError:
        pass  # another request wrote it at the same moment; either copy is right


def in_id_order(data: WaveData) -> WaveData:
    order = np.argsort(np.asarray(data.response_ids, dtype="U32"), kind="stable")
    if np.array_equal(order, np.arange(data.n)):
        return data
    return replace(
        data,
        response_ids=[data.response_ids[i] for i in order],
        language=[data.language[i] for i in order],
        items={code: values[order] for code, values in data.items.items()},
        texts={code: [values[i] for i in order] for code, values in data.texts.items()},
        **{name: getattr(data, name)[order] for name in _FLAGS},
    )


def columns_to_bytes(data: WaveData) -> bytes:
    arrays: dict[str, np.ndarray] = {
        "response_ids": np.asarray(data.response_ids, dtype="U32"),
        "language": np.asarray(data.language, dtype="U8"),
        # Open answers vary in length: one JSON text rather than fixed-width strings.
        "texts": np.frombuffer(json.dumps(data.texts, ensure_ascii=False).encode(), np.uint8),
        **{name: getattr(data, name) for name in _FLAGS},
        **{f"item.{code}": values for code, values in data.items.items()},
    }
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue()


def columns_from_bytes(payload: bytes, *, wave_id: int, revision: int, pks: list[int]) -> WaveData:
    with np.load(io.BytesIO(payload), allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    return WaveData(
        wave_id=wave_id,
        revision=revision,
        response_ids=arrays["response_ids"].tolist(),
        language=arrays["language"].tolist(),
        texts=json.loads(arrays["texts"].tobytes().decode()),
        items={name[5:]: values for name, values in arrays.items() if name.startswith("item.")},
        district_pks=pks,
        **{name: arrays[name] for name in _FLAGS},
    )


def _with_new_answers(
    wave: Wave, known: WaveData, districts: list[District], revision: int
) -> WaveData:
    ids = {_response_id(row[0]) for row in _response_rows(wave, ("id",))}
    have = set(known.response_ids)
    if not have <= ids or len(ids) - len(have) > 1000:
        return read_wave_data(wave, districts, revision)
    new = read_wave_data(wave, districts, revision, only=sorted(ids - have))
    # Rows in the order of their ids, as a full read gives them: sums over rows then come
    # out the same to the last bit, however the answers were read.
    return in_id_order(concatenate(known, new))


def _response_rows(
    wave: Wave, fields: tuple[str, ...], *, only: list[str] | None = None
) -> list[tuple[Any, ...]]:
    """The wave's responses as the database stores them, ordered by id (`only`: these ids).

    Plain SQL: the ORM's per-row converters cost more than the rest of the analysis. SQLite
    hands JSON over as text and ids as 32 hex digits, PostgreSQL's driver decoded objects."""
    meta = Response._meta
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return quote(str(getattr(meta.get_field(name), "column", name)))

    query = (
        f"SELECT {', '.join(column(f) for f in fields)} "  # noqa: S608
        f"FROM {quote(meta.db_table)} WHERE {column('wave')} = %s"
    )
    parameters: list[Any] = [wave.pk]
    if only is not None:
        id_field = meta.get_field("id")
        parameters += [id_field.get_db_prep_value(uuid.UUID(hex=pk), connection) for pk in only]
        query += f" AND {column('id')} IN ({', '.join(['%s'] * len(only))})"
    with connection.cursor() as cursor:
        cursor.execute(f"{query} ORDER BY {column('id')}", parameters)
        return list(cursor.fetchall())


def _response_id(value: Any) -> str:
    """A response id as 32 hex digits (SQLite stores them so, PostgreSQL hands out UUIDs)."""
    return value.hex if isinstance(value, uuid.UUID) else str(value).replace("-", "")


def concatenate(first: WaveData, second: WaveData) -> WaveData:
    """The rows of both (same instrument and districts)."""
    return replace(
        second,
        response_ids=first.response_ids + second.response_ids,
        is_sample=np.concatenate([first.is_sample, second.is_sample]),
        is_paper=np.concatenate([first.is_paper, second.is_paper]),
        language=first.language + second.language,
        stratum=np.concatenate([first.stratum, second.stratum]),
        gender=np.concatenate([first.gender, second.gender]),
        age_group=np.concatenate([first.age_group, second.age_group]),
        items={k: np.concatenate([first.items[k], v]) for k, v in second.items.items()},
        texts={k: first.texts[k] + v for k, v in second.texts.items()},
    )


def read_districts(wave: Wave) -> list[District]:
    drawn = _drawn(wave)
    return [
        District(d.pk, d.answer_code, d.code, d.name, d.population or {}, drawn.get(d.pk, 0))
        for d in wave.districts.order_by("answer_code")
    ]


def _drawn(wave: Wave) -> dict[int, int]:
    """Access codes per district (the sample sizes). Codes come and go only in bulk (import,
    a new sample): their number and highest id, read from the index, name the state."""
    state = AccessCode.objects.filter(wave=wave).aggregate(n=Count("id"), top=Max("id"))
    key = f"analysis:drawn:{wave.pk}:{state['n']}:{state['top']}"
    drawn: dict[int, int] | None = cache.get(key)
    if drawn is None:
        drawn = dict(
            wave.access_codes.order_by()
            .values("district_id")
            .annotate(n=Count("id"))
            .values_list("district_id", "n")
        )
        cache.set(key, drawn, CACHE_SECONDS)
    return drawn


def read_wave_data(
    wave: Wave, districts: list[District], revision: int, *, only: list[str] | None = None
) -> WaveData:
    """The answers of the wave (or only those with the ids `only`)."""
    position = {d.pk: index for index, d in enumerate(districts)}
    rows = _response_rows(
        wave, ("id", "source", "mode", "language", "sample_district", "answers"), only=only
    )
    answers = [row[5] if isinstance(row[5], dict) else json.loads(row[5]) for row in rows]
    return build_wave_data(
        wave.instrument,
        answers,
        wave_id=wave.pk,
        revision=revision,
        response_ids=[_response_id(row[0]) for row in rows],
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
    n = len(answers)
    coded = [item.code for item in instrument.items if item.kind != "text"]
    # One pass over the answers for all coded items (a row per questionnaire, a column each).
    # Missing answers from a dict of defaults, the columns picked in C (itemgetter): several
    # times faster than a .get per item and answer.
    defaults = dict.fromkeys(coded, NO_ANSWER)
    pick = operator.itemgetter(*coded) if len(coded) > 1 else (lambda a: (a[coded[0]],))
    matrix = np.array([pick({**defaults, **a}) for a in answers], dtype=np.int32).reshape(
        n, len(coded)
    )
    for column, code in enumerate(coded):
        items[code] = np.ascontiguousarray(matrix[:, column])
    for item in instrument.items:
        if item.kind == "text":
            texts[item.code] = [str(a.get(item.code) or "") for a in answers]
    # Questions skipped by their filter: −8, whatever was stored (filters look back only).
    for question in instrument.questions:
        if not question.show_if:
            continue
        asked = _filter_mask(question.show_if, items, answers)
        for item in question.items:
            if item.code in items:
                items[item.code][~asked] = NOT_APPLICABLE
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


def _filter_mask(
    condition: Mapping[str, Any], items: Mapping[str, np.ndarray], answers: list[dict[str, Any]]
) -> np.ndarray:
    """instrument.definition.filter_applies for every row at once."""
    if "all" in condition:
        mask = np.ones(len(answers), dtype=bool)
        for part in condition["all"]:
            mask &= _filter_mask(part, items, answers)
        return mask
    if "any" in condition:
        mask = np.zeros(len(answers), dtype=bool)
        for part in condition["any"]:
            mask |= _filter_mask(part, items, answers)
        return mask
    code, wanted = condition["item"], list(condition["in"])
    if code in items and all(isinstance(value, int) for value in wanted):
        return np.isin(items[code], wanted)
    return np.fromiter(
        (filter_applies(condition, a) for a in answers), dtype=bool, count=len(answers)
    )


def previous_wave(wave: Wave) -> Wave | None:
    """The organisation's latest earlier wave (by start of fieldwork) of the same
    questionnaire that has answers: the one results are compared with."""
    return (
        Wave.objects.filter(
            organisation_id=wave.organisation_id,
            instrument_key=wave.instrument_key,
            field_start__lt=wave.field_start,
        )
        .exclude(pk=wave.pk)
        .filter(Exists(Response.objects.filter(wave=OuterRef("pk"))))
        .order_by("-field_start", "-pk")
        .first()
    )
