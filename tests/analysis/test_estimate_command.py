"""`defus analysis weight` and `defus analysis estimate`: exact JSON keys, CSV, suppression."""

from __future__ import annotations

import csv
import io
import json

import pytest

from defus.analysis.margins import wave_design
from defus.analysis.results import JSON_KEYS, estimate_item
from tests.support import run_defus

from .support import make_analysis_wave

pytestmark = pytest.mark.django_db(transaction=True)


def estimate(*args: str) -> tuple[list[dict], str]:
    result = run_defus("analysis", "estimate", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def test_estimate_json_has_exactly_the_keys_and_the_service_figures(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=30)
    rows, stderr = estimate(wave.slug, "--items", "A1,A4", "--by", "district", "--share", "1,2")
    assert all(list(row) == list(JSON_KEYS) for row in rows)
    assert [(r["item"], r["by"], r["group"]) for r in rows[:5]] == [
        ("A1", None, None),
        ("A1", "district", "01"),
        ("A1", "district", "02"),
        ("A1", "district", "03"),
        ("A1", "district", "04"),
    ]
    expected = estimate_item(wave_design(wave), "A1", by="district", share=[1, 2])
    assert rows[0]["estimate"] == pytest.approx(expected[0].estimate, rel=1e-12)
    assert rows[0]["codes"] == [1, 2] and rows[0]["statistic"] == "share"
    assert rows[0]["ci_low"] < rows[0]["estimate"] < rows[0]["ci_high"]
    assert "Base: the random sample, weighted" in stderr or "Basis" in stderr


def test_distribution_and_mean_without_share(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=30)
    rows, _ = estimate(wave.slug, "--items", "A2_05")
    shares = [r for r in rows if r["statistic"] == "share"]
    means = [r for r in rows if r["statistic"] == "mean"]
    substantive = [r for r in shares if r["codes"] != [8]]
    assert sum(r["estimate"] for r in substantive) == pytest.approx(1.0)
    # "don't go there" (8) is reported on its own base, all answers.
    dont_go = next(r for r in shares if r["codes"] == [8])
    assert dont_go["n"] > substantive[0]["n"]
    assert len(means) == 1 and 1 <= means[0]["estimate"] <= 5


def test_small_groups_are_suppressed_with_a_second_cell(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=30, small={"04": 3})
    rows, _ = estimate(wave.slug, "--items", "A1", "--by", "district", "--share", "1,2")
    by_group = {r["group"]: r for r in rows if r["by"] == "district"}
    assert by_group["04"]["suppressed"] is True
    assert all(by_group["04"][k] is None for k in ("n", "estimate", "se", "ci_low", "ci_high"))
    hidden = [g for g, r in by_group.items() if r["suppressed"]]
    assert len(hidden) == 2, "a second district hides the small one"
    assert rows[0]["suppressed"] is False


def test_csv_and_unweighted_and_open_link(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=20, open_link=8)
    result = run_defus(
        "analysis",
        "estimate",
        wave.slug,
        "--items",
        "K1",
        "--share",
        "1",
        "--format",
        "csv",
        "--unweighted",
    )
    assert result.returncode == 0, result.stderr
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(table[0]) == list(JSON_KEYS) and table[0]["codes"] == "1"
    answers = [r.answers.get("K1") for r in wave.responses.filter(source="sample")]
    valid = [a for a in answers if a in (1, 2)]
    assert float(table[0]["estimate"]) == pytest.approx(valid.count(1) / len(valid))
    rows, stderr = estimate(wave.slug, "--items", "K1", "--share", "1", "--base", "open_link")
    assert rows[0]["n"] <= 8
    assert "open link" in stderr or "offenen Link" in stderr


def test_bad_requests_say_what_is_wrong(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=20)
    unknown = run_defus("analysis", "estimate", wave.slug, "--items", "ZZ9")
    assert unknown.returncode != 0 and "ZZ9" in unknown.stderr
    text = run_defus("analysis", "estimate", wave.slug, "--items", "K3")
    assert text.returncode != 0 and "K3" in text.stderr
    codes = run_defus("analysis", "estimate", wave.slug, "--items", "A1", "--share", "7")
    assert codes.returncode != 0 and "7" in codes.stderr
    by = run_defus("analysis", "estimate", wave.slug, "--items", "A1", "--by", "K3")
    assert by.returncode != 0 and "K3" in by.stderr
    missing = run_defus("analysis", "estimate", "no-such-wave", "--items", "A1")
    assert missing.returncode != 0 and "no-such-wave" in missing.stderr
    assert "Traceback" not in unknown.stderr + text.stderr + codes.stderr + by.stderr


def test_weight_command_shows_diagnostics_and_keeps_settings_that_work(org_a, tmp_path) -> None:
    wave = make_analysis_wave(org_a, per_district=20)
    result = run_defus("analysis", "weight", wave.slug, "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["converged"] and info["margins"] == ["gender_age", "district"]
    bad = tmp_path / "margins.csv"
    bad.write_text("variable;category;population\nD8;1;1000\nD8;2;1000\nD8;3;1000\nD8;4;5\n")
    failed = run_defus("analysis", "weight", wave.slug, "--margins", str(bad))
    assert failed.returncode != 0 and "D8" in failed.stderr
    again = run_defus("analysis", "weight", wave.slug, "--json")
    assert json.loads(again.stdout)["margins"] == ["gender_age", "district"]


def test_compare_groups_and_waves_keeps_hidden_groups_hidden(org_a) -> None:
    import datetime

    earlier = make_analysis_wave(
        org_a, slug="analyse-2024", per_district=25, seed=3, field_start=datetime.date(2024, 3, 1)
    )
    wave = make_analysis_wave(org_a, per_district=30, small={"04": 3})
    groups = run_defus(
        "analysis", "compare", wave.slug, "--item", "A1", "--share", "1,2",
        "--by", "gender", "--groups", "female,male",
    )  # fmt: skip
    assert groups.returncode == 0, groups.stderr
    result = json.loads(groups.stdout)
    assert result["suppressed"] is False and 0 <= result["p_value"] <= 1
    assert result["ci_low"] < result["difference"] < result["ci_high"]
    hidden = run_defus(
        "analysis", "compare", wave.slug, "--item", "A1", "--share", "1,2",
        "--by", "district", "--groups", "04,01",
    )  # fmt: skip
    assert json.loads(hidden.stdout)["difference"] is None
    waves = run_defus(
        "analysis", "compare", wave.slug, "--item", "A1", "--share", "1,2", "--with",
        "--by", "district",
    )  # fmt: skip
    assert waves.returncode == 0, waves.stderr
    out = json.loads(waves.stdout)
    assert out["earlier"] == earlier.slug
    by_group = {row["group"]: row for row in out["rows"]}
    assert by_group[None]["difference"] == pytest.approx(
        by_group[None]["now"] - by_group[None]["before"]
    )
    assert by_group["04"]["suppressed"] is True and by_group["04"]["now"] is None


def test_indices_with_alpha_and_places_ranked_with_rare_ones_hidden(org_a) -> None:
    from defus.fieldwork.models import AccessCode, Place
    from defus.fieldwork.services.responses import record_response

    wave = make_analysis_wave(org_a, per_district=40)
    # Three residents name a place nobody else names: too few to be shown.
    Place.objects.create(wave=wave, code="SKP", name="Skaterpark")
    district = wave.districts.get(code="01")
    for number in range(3):
        code = AccessCode.objects.create(wave=wave, code=f"SKATER{number:04d}", district=district)
        answers = {"A1": 3, "K1": 1, "K2_03": 1, "K3": "abends am Skaterpark", "D1": 1, "D2": 30}
        record_response(wave, answers, mode="web", language="de", access_code=code)
    result = run_defus("analysis", "indices", wave.slug)
    assert result.returncode == 0, result.stderr
    indices = {entry["index"]: entry for entry in json.loads(result.stdout)}
    night = indices["SAFETY_NIGHT"]
    assert 0 < night["cronbach_alpha"] < 1
    assert night["rows"][0]["statistic"] == "mean" and 1 <= night["rows"][0]["estimate"] <= 5
    places = json.loads(run_defus("analysis", "places", wave.slug).stdout)
    ranked = [p["code"] for p in places["places"]]
    by_code = {p["code"]: p for p in places["places"]}
    assert by_code["HBF"]["suppressed"] is False and by_code["HBF"]["mentions"] >= 5
    shares = [p["share"] for p in places["places"] if not p["suppressed"]]
    assert shares == sorted(shares, reverse=True) and ranked[-1] == "SKP"
    assert by_code["SKP"]["suppressed"] is True
    assert by_code["SKP"]["share"] is None and by_code["SKP"]["mentions"] is None
