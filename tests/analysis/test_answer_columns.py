"""The columnar copy of a wave's answers in the database (models.AnswerColumns): used when the
cache is empty, equal to reading every answer, caught up with new answers, ignored when it
does not describe the answers any more, and silent about the order answers arrived in."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from django.core.cache import cache

from defus.analysis import data as data_module
from defus.analysis.data import load_wave_data, read_districts, read_wave_data
from defus.analysis.models import AnswerColumns
from defus.fieldwork.models import Response, Wave
from defus.fieldwork.services.responses import record_response

from .support import make_analysis_wave

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def fresh(wave: Wave) -> data_module.WaveData:
    revision = Wave.objects.get(pk=wave.pk).answers_revision
    return read_wave_data(wave, read_districts(wave), revision)


def assert_same_rows(loaded: data_module.WaveData, expected: data_module.WaveData) -> None:
    """Equal as sets of rows (the expected data comes in id order)."""
    order = np.argsort(np.asarray(loaded.response_ids))
    assert [loaded.response_ids[i] for i in order] == expected.response_ids
    assert set(loaded.items) == set(expected.items)
    for code, values in expected.items.items():
        assert np.array_equal(loaded.items[code][order], values), code
    for name in ("is_sample", "is_paper", "stratum", "gender", "age_group"):
        assert np.array_equal(getattr(loaded, name)[order], getattr(expected, name)), name
    assert [loaded.language[i] for i in order] == expected.language
    assert {k: [v[i] for i in order] for k, v in loaded.texts.items()} == expected.texts


def test_the_first_read_stores_columns_that_an_empty_cache_then_uses(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=12, open_link=5)
    first = load_wave_data(wave)
    stored = AnswerColumns.objects.get(wave=wave)
    assert (stored.revision, stored.n) == (wave.answers_revision, first.n)

    cache.clear()
    # Mark the stored copy: if the next load read the answers again, the mark would be gone.
    marked = data_module.columns_from_bytes(
        bytes(stored.payload), wave_id=wave.pk, revision=stored.revision, pks=first.district_pks
    )
    marked.language[0] = "xx"
    AnswerColumns.objects.filter(wave=wave).update(payload=data_module.columns_to_bytes(marked))
    assert load_wave_data(wave).language[0] == "xx"


def test_columns_equal_reading_every_answer(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=15, open_link=4)
    record_response(wave, {"A1": 1, "K3": "Am Bahnhof – nachts"}, mode="web", language="fr")
    load_wave_data(wave)
    cache.clear()
    assert_same_rows(load_wave_data(wave), fresh(wave))


def test_answers_that_arrived_since_are_appended(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=10)
    load_wave_data(wave)
    for answers in ({"A1": 1, "D1": 2, "D2": 40}, {"A1": 4, "K3": "Parkhaus"}):
        record_response(wave, answers, mode="paper", language="de", source="sample")
    cache.clear()
    loaded = load_wave_data(wave)
    assert loaded.n == 42
    assert_same_rows(loaded, fresh(wave))
    # Two answers behind is close enough: the copy is rewritten only after COLUMNS_REFRESH.
    assert AnswerColumns.objects.get(wave=wave).n == 40


def test_the_copy_is_rewritten_when_it_falls_behind(org_a, monkeypatch) -> None:
    monkeypatch.setattr(data_module, "COLUMNS_REFRESH", 2)
    wave = make_analysis_wave(org_a, per_district=5)
    load_wave_data(wave)
    for _ in range(2):
        record_response(wave, {"A1": 2}, mode="web", language="de")
    load_wave_data(wave)
    stored = AnswerColumns.objects.get(wave=wave)
    assert (stored.n, stored.revision) == (22, Wave.objects.get(pk=wave.pk).answers_revision)


def test_a_deleted_answer_makes_everything_be_read_again(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=10)
    load_wave_data(wave)
    Response.objects.filter(wave=wave).order_by("id").first().delete()
    cache.clear()
    loaded = load_wave_data(wave)
    assert loaded.n == 39
    assert_same_rows(loaded, fresh(wave))
    assert AnswerColumns.objects.get(wave=wave).n == 39


def test_other_districts_or_an_older_layout_are_not_used(org_a, monkeypatch) -> None:
    wave = make_analysis_wave(org_a, per_district=6)
    load_wave_data(wave)
    AnswerColumns.objects.filter(wave=wave).update(district_pks=[-1])
    cache.clear()
    assert_same_rows(load_wave_data(wave), fresh(wave))
    assert AnswerColumns.objects.get(wave=wave).district_pks != [-1]

    monkeypatch.setattr(data_module, "COLUMNS_LAYOUT", data_module.COLUMNS_LAYOUT + 1)
    cache.clear()
    load_wave_data(wave)
    assert AnswerColumns.objects.get(wave=wave).layout == data_module.COLUMNS_LAYOUT


def test_stored_rows_follow_the_random_ids_not_the_arrival(org_a, monkeypatch) -> None:
    monkeypatch.setattr(data_module, "COLUMNS_REFRESH", 1)
    wave = make_analysis_wave(org_a, per_district=5)
    load_wave_data(wave)
    record_response(wave, {"A1": 3}, mode="web", language="de")
    appended = load_wave_data(wave)
    stored = AnswerColumns.objects.get(wave=wave)
    ids = data_module.columns_from_bytes(
        bytes(stored.payload), wave_id=wave.pk, revision=0, pks=[]
    ).response_ids
    assert stored.n == appended.n == 21
    assert ids == sorted(ids)


def test_a_recorded_answer_brings_a_missing_or_lagging_copy_up_to_date(
    org_a, monkeypatch, settings, django_capture_on_commit_callbacks
) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True  # the worker thread would not see the test's data
    monkeypatch.setattr(data_module, "COLUMNS_REFRESH", 3)
    wave = make_analysis_wave(org_a, per_district=5)
    assert not AnswerColumns.objects.filter(wave=wave).exists()
    with django_capture_on_commit_callbacks(execute=True):
        record_response(wave, {"A1": 2}, mode="web", language="de")
    assert AnswerColumns.objects.get(wave=wave).n == 21  # missing: written at once
    for expected in (21, 21, 24):  # then again when three answers behind
        with django_capture_on_commit_callbacks(execute=True):
            record_response(wave, {"A1": 1}, mode="web", language="de")
        assert AnswerColumns.objects.get(wave=wave).n == expected


def test_figures_are_the_same_to_the_last_bit_however_the_answers_were_read(org_a) -> None:
    from defus.analysis.margins import _DESIGNS, wave_design
    from defus.analysis.results import estimate_item

    wave = make_analysis_wave(org_a, per_district=20)
    load_wave_data(wave)
    for answers in ({"A1": 1, "D1": 1, "D2": 33}, {"A1": 4, "D1": 2, "D2": 71}):
        record_response(wave, answers, mode="web", language="de", source="sample")
    appended = load_wave_data(wave)  # cached arrays + the two new answers
    assert appended.response_ids == fresh(wave).response_ids
    before = estimate_item(wave_design(wave), "A1", by="district", share=[1, 2])

    cache.clear()
    _DESIGNS.clear()
    AnswerColumns.objects.all().delete()  # every answer read again
    after = estimate_item(wave_design(wave), "A1", by="district", share=[1, 2])
    assert [row.as_json() for row in before] == [row.as_json() for row in after]
