"""Weighting a wave: design weights, raking, trimming, diagnostics and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from defus.analysis.data import load_wave_data
from defus.analysis.margins import Settings, parse_margins_csv, sample_design, wave_design
from defus.analysis.models import WeightingScheme
from defus.analysis.weighting import Margin, WeightingError, rake
from defus.fieldwork.models import Wave
from defus.fieldwork.services.responses import record_response

from .support import make_analysis_wave

pytestmark = pytest.mark.django_db


def test_raked_weights_meet_every_margin(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=40)
    design = wave_design(wave)
    data = design.data
    weights = design.row_weights()[design.rows]
    # District margin: each district's weighted total is its population.
    for index, district in enumerate(data.districts):
        total = weights[data.stratum[design.rows] == index].sum()
        expected = sum(sum(g.values()) for g in district.population.values())
        assert total == pytest.approx(expected, rel=1e-9)
    info = design.diagnostics()
    assert info["converged"] and info["n"] == 160
    assert info["population"] == pytest.approx(
        sum(sum(sum(g.values()) for g in d.population.values()) for d in data.districts)
    )
    squares = (weights**2).sum()
    assert info["design_effect"] == pytest.approx(160 * squares / weights.sum() ** 2)
    assert info["effective_n"] == pytest.approx(weights.sum() ** 2 / squares)


def test_open_link_answers_are_never_in_the_weighted_base(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=30, open_link=12)
    sample = wave_design(wave)
    open_link = wave_design(wave, base="open_link")
    assert len(sample.rows) == 120 and len(open_link.rows) == 12
    assert not set(sample.rows) & set(open_link.rows)
    assert not open_link.weighted and (open_link.design.weight == 1).all()
    assert (sample.row_weights()[open_link.rows] == 0).all()


def test_a_margin_category_without_respondents_is_a_clear_error(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=20)
    WeightingScheme.objects.create(
        wave=wave,
        margins=[
            {"variable": "district"},
            {"variable": "D8", "population": {"1": 30000, "2": 20000, "3": 15000, "9": 0}},
        ],
    )
    # Code 9 is not an answer of D8 but has no population: fine. Now ask for a category that
    # nobody answered.
    scheme = WeightingScheme.objects.get(wave=wave)
    scheme.margins[1]["population"]["4"] = 1000
    scheme.save()
    with pytest.raises(WeightingError, match=r"D8.*4"):
        wave_design(wave)


def test_districts_without_population_figures_are_named(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=10)
    wave.districts.filter(code="02").update(population={})
    with pytest.raises(WeightingError, match="02"):
        wave_design(wave)


def test_trimming_caps_weights_and_rakes_again() -> None:
    rng = np.random.default_rng(3)
    n = 2000
    stratum = rng.integers(0, 4, n)
    group = rng.choice(6, n, p=[0.4, 0.3, 0.15, 0.1, 0.04, 0.01])
    margins = [
        Margin("group", [str(i) for i in range(6)], np.full(6, 1000.0), group),
        Margin("stratum", [str(i) for i in range(4)], np.full(4, 1500.0), stratum),
    ]
    design_weight = np.ones(n)
    untrimmed = rake(stratum, design_weight, margins).design
    trimmed_result = rake(stratum, design_weight, margins, trim=3.0)
    trimmed = trimmed_result.design
    assert trimmed_result.trimmed_cells > 0
    assert trimmed.weight.max() / trimmed.weight.min() < untrimmed.weight.max() / (
        untrimmed.weight.min()
    )
    # Re-raking keeps the last margin exact.
    totals = np.bincount(stratum, weights=trimmed.row_weights())
    assert totals == pytest.approx(np.full(4, 1500.0))


def test_margins_csv_errors_name_the_line() -> None:
    good = parse_margins_csv(b"variable;category;population\ndistrict;01;100\ndistrict;02;200\n")
    assert good == [{"variable": "district", "population": {"01": 100.0, "02": 200.0}}]
    # Population counts as written in German, English and French files.
    written = parse_margins_csv(
        b"variable;category;population\ndistrict;01;14.000\ndistrict;02;14,000\n"
        b"district;03;14 000\ndistrict;04;1234,5\n"
    )
    assert written[0]["population"] == {"01": 14000, "02": 14000, "03": 14000, "04": 1234.5}
    with pytest.raises(WeightingError, match="3"):
        parse_margins_csv(b"variable;category;population\ndistrict;01;100\ndistrict;02;viele\n")
    with pytest.raises(WeightingError):
        parse_margins_csv(b"variable;category\ndistrict;01\n")


def test_answers_revision_grows_and_a_full_save_does_not_undo_it(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=3)
    assert wave.answers_revision == 12
    stale = Wave.objects.get(pk=wave.pk)
    record_response(wave, {"A1": 2}, mode="web", language="de")
    stale.title = "Neuer Titel"
    stale.save()
    assert Wave.objects.get(pk=wave.pk).answers_revision == 13
    # The cached answers follow the revision.
    assert load_wave_data(wave).n == 13


def test_unweighted_design_gives_plain_shares(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=25)
    data = load_wave_data(wave)
    design = sample_design(data, Settings(), weighted=False)
    assert (design.design.weight == 1).all() and not design.weighted


def test_new_answers_are_appended_to_the_cached_arrays(org_a) -> None:
    from defus.analysis.data import read_districts, read_wave_data

    wave = make_analysis_wave(org_a, per_district=10)
    before = load_wave_data(wave)
    for answers in ({"A1": 1, "K1": 2, "D1": 2, "D2": 40}, {"A1": 5, "K1": 1, "K2_03": 1}):
        record_response(wave, answers, mode="paper", language="fr", source="sample")
    loaded = load_wave_data(wave)
    fresh = read_wave_data(wave, read_districts(wave), loaded.revision)
    assert loaded.n == before.n + 2 == fresh.n
    order = np.argsort(loaded.response_ids)
    assert [loaded.response_ids[i] for i in order] == fresh.response_ids
    for code, values in fresh.items.items():
        assert np.array_equal(loaded.items[code][order], values), code
    assert np.array_equal(loaded.is_paper[order], fresh.is_paper)
    assert [loaded.texts["K3"][i] for i in order] == fresh.texts["K3"]
