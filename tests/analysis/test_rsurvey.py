"""Our weights, estimates and standard errors equal those of R's `survey` package.

rsurvey/ holds generated data with known population margins (make_data.py), the R script that
weights and estimates it (compare.R) and R's output (reference.csv). The data goes through the
same path as a wave's answers (margins.sample_design: design weights, the rule for unknown
categories, raking; results: shares and means by group) and must equal R:
weights and point estimates to 1e-8 relative, standard errors to 1e-6 relative – also of a
difference between two groups (svyglm's contrast, which needs the domains' covariance).
The committed reference is always checked; where R and its survey package are installed
(Debian: r-cran-survey; CI installs it and this test then fails rather than skips without it)
compare.R also runs live.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from defus.analysis.data import District, WaveData
from defus.analysis.estimation import count_table, difference, domain_means
from defus.analysis.margins import sample_design
from defus.fieldwork.models import AGE_GROUPS, GENDERS

HERE = Path(__file__).resolve().parent / "rsurvey"
WEIGHT_TOLERANCE = 1e-8
SE_TOLERANCE = 1e-6


def read(name: str) -> list[dict[str, str]]:
    with open(HERE / name, newline="") as handle:
        return list(csv.DictReader(handle))


def wave_data() -> tuple[WaveData, list[dict[str, str]]]:
    rows = read("data.csv")
    population: dict[str, dict[str, dict[str, int]]] = {}
    drawn: dict[str, int] = {}
    for line in read("population.csv"):
        cells = population.setdefault(line["district"], {}).setdefault(line["gender"], {})
        cells[line["age_group"]] = int(line["population"])
        drawn[line["district"]] = int(line["drawn"])
    districts = [
        District(pk=i, answer_code=int(code), code=code, name=code, population=p, drawn=drawn[code])
        for i, (code, p) in enumerate(sorted(population.items()))
    ]
    position = {d.code: i for i, d in enumerate(districts)}
    n = len(rows)
    data = WaveData(
        wave_id=0,
        revision=0,
        response_ids=[str(i) for i in range(n)],
        is_sample=np.ones(n, dtype=bool),
        is_paper=np.zeros(n, dtype=bool),
        language=["de"] * n,
        stratum=np.array([position[r["district"]] for r in rows], dtype=np.int32),
        gender=np.array(
            [GENDERS.index(r["gender"]) if r["gender"] in GENDERS else -1 for r in rows],
            dtype=np.int32,
        ),
        age_group=np.array(
            [
                AGE_GROUPS.index(r["age_group"]) if r["age_group"] in AGE_GROUPS else -1
                for r in rows
            ],
            dtype=np.int32,
        ),
        items={k: np.array([int(r[k]) for r in rows], dtype=np.int32) for k in ("y1", "y2", "y3")},
        districts=districts,
        district_pks=[d.pk for d in districts],
    )
    return data, rows


# The variables of compare.R: (item, answers counted, answers in the base).
VARIABLES = {
    "y1_safe": ("y1", (1, 2), (1, 2, 3, 4, 5)),
    "y1_mean": ("y1", None, (1, 2, 3, 4, 5)),
    "y2_yes": ("y2", (1,), (1, 2)),
    "y3_safe": ("y3", (1, 2), (1, 2, 3, 4, 5)),
}


def our_results() -> tuple[np.ndarray, dict[tuple[str, str, str], tuple[float, float]]]:
    data, rows = wave_data()
    design = sample_design(data)
    weights = design.row_weights()
    results: dict[tuple[str, str, str], tuple[float, float]] = {}
    groupings = {
        "": (np.zeros(data.n, dtype=np.int64), [""]),
        "district": (data.stratum.astype(np.int64), [d.code for d in data.districts]),
        "gender": (
            np.array([GENDERS.index(r["gender"]) if r["gender"] in GENDERS else 2 for r in rows]),
            ["female", "male", "unknown"],
        ),
    }
    for name, (item, counted, base) in VARIABLES.items():
        answers = data.items[item][design.rows]
        lookup = {code: i for i, code in enumerate(base)}
        value_index = np.array([lookup.get(int(a), -1) for a in answers], dtype=np.int64)
        if counted is None:
            values = np.array(base, dtype=float)
        else:
            values = np.array([1.0 if code in counted else 0.0 for code in base])
        for by, (group, labels) in groupings.items():
            table = count_table(
                design.design, group[design.rows], len(labels), value_index, len(base)
            )
            result = domain_means(design.design, table, values)
            for g, label in enumerate(labels):
                results[(name, by, label)] = (float(result.estimate[g]), float(result.se[g]))
            if by == "gender":
                # male − female, with the covariance of the two domain estimates
                diff = difference(
                    result.estimate[1],
                    result.se[1],
                    result.estimate[0],
                    result.se[0],
                    result.covariance[1, 0],
                )
                results[(name, "gender", "male-female")] = (diff["difference"], diff["se"])
    return weights, results


def compare(reference_rows: list[dict[str, str]]) -> int:
    weights, results = our_results()
    reference_weights = np.array(
        [float(r["estimate"]) for r in reference_rows if r["kind"] == "weight"]
    )
    assert len(reference_weights) == len(weights)
    assert np.max(np.abs(weights - reference_weights) / reference_weights) < WEIGHT_TOLERANCE
    checked = 0
    for row in reference_rows:
        if row["kind"] not in ("estimate", "difference"):
            continue
        estimate, se = results[(row["variable"], row["by"], row["group"])]
        r_estimate, r_se = float(row["estimate"]), float(row["se"])
        assert abs(estimate - r_estimate) <= WEIGHT_TOLERANCE * abs(r_estimate), row
        assert abs(se - r_se) <= SE_TOLERANCE * r_se, row
        checked += 1
    return checked


def test_equal_to_committed_reference_of_r_survey() -> None:
    # overall, 6 districts, 3 gender groups for 4 variables; 2 differences between groups
    assert compare(read("reference.csv")) == 4 * (1 + 6 + 3) + 2


def _r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    check = subprocess.run(
        ["Rscript", "-e", "suppressMessages(library(survey))"], capture_output=True, check=False
    )
    return check.returncode == 0


def test_equal_to_r_survey_run_live(tmp_path: Path) -> None:
    if not _r_available():
        if os.environ.get("CI"):
            pytest.fail("CI needs R with the survey package (Debian: r-cran-survey)")
        pytest.skip("R with the survey package is not installed (Debian: r-cran-survey)")
    output = tmp_path / "reference.csv"
    subprocess.run(
        ["Rscript", str(HERE / "compare.R"), str(HERE), str(output)], check=True, timeout=300
    )
    with open(output, newline="") as handle:
        live = list(csv.DictReader(handle))
    assert compare(live) == 42
    # The committed reference is what R gives today.
    assert live == read("reference.csv")
