"""Benchmark: weighting plus every core item by district, ours against R's `survey`.

For each size, generated answers to the standard instrument (12 districts, register
population by gender × age group, a random sample per district with non-response that
depends on age and gender) are weighted – design weights, raking to gender × age group and
district – and for every core item with answer categories the share of its upper answers is
estimated with its standard error, overall and by district. Ours runs in a fresh process
(wall time; peak memory of the analysis by tracemalloc and the process's peak RSS); R's
survey runs the same design (svydesign, rake, svymean + svyby for each item) on the same data
in the same run, timed inside R from the data frame in memory. A few estimates are compared
to make sure both computed the same thing.

Results go to docs/benchmarks.md (section "analysis") with the machine they ran on.

    .venv/bin/python bench/analysis/run.py                       # 10k, 100k, 1M; R on all
    .venv/bin/python bench/analysis/run.py --sizes 100000 --r-sizes 100000 --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defus.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from bench.common import machine, write_section  # noqa: E402
from defus.analysis.data import District, WaveData  # noqa: E402
from defus.analysis.margins import sample_design  # noqa: E402
from defus.analysis.results import estimate_item  # noqa: E402
from defus.fieldwork.models import AGE_GROUPS, GENDERS  # noqa: E402
from defus.instrument.definition import NO_ANSWER, NOT_APPLICABLE, standard_instrument  # noqa: E402

HERE = Path(__file__).resolve().parent
DISTRICTS = 12
SKIP_ITEMS = {"D2", "D3"}  # age (a number) and district of residence: not shares


def core_items() -> list[tuple[str, list[int]]]:
    """(item, answer codes counted) for every core item with answer categories."""
    out = []
    for item in standard_instrument().items:
        if not item.core or item.code in SKIP_ITEMS or item.kind not in ("single", "multi"):
            continue
        if item.kind == "multi":
            out.append((item.code, [1]))
            continue
        assert item.scale is not None
        substantive = list(item.scale.substantive_codes)
        out.append((item.code, substantive[: max(1, len(substantive) // 2)]))
    return out


def generate(size: int, seed: int = 2026) -> WaveData:
    rng = np.random.default_rng(seed)
    instrument = standard_instrument()
    population = rng.integers(500, 4000, size=(DISTRICTS, 2, len(AGE_GROUPS))).astype(float)
    # Draw the sample in proportion to the population, answers with age/gender non-response.
    cells = population.ravel() / population.sum()
    drawn_cell = rng.choice(len(cells), size=int(size * 2.6), p=cells)
    district, gender, age = np.unravel_index(drawn_cell, population.shape)
    respond = rng.random(len(drawn_cell)) < (0.25 + 0.06 * age + 0.05 * (gender == 0))
    drawn = np.bincount(district, minlength=DISTRICTS)
    keep = np.flatnonzero(respond)[:size]
    district, gender, age = district[keep], gender[keep], age[keep]
    n = len(keep)
    fear = 0.5 * (gender == 0) + 0.12 * age + 0.05 * district + rng.normal(0, 0.8, n)
    items: dict[str, np.ndarray] = {}
    for item in instrument.items:
        if item.kind == "text":
            continue
        if item.kind == "multi":
            values = (rng.random(n) < 0.3).astype(np.int32)
        elif item.kind == "number":
            values = (18 + 12 * age + rng.integers(0, 12, n)).astype(np.int32)
        elif item.scale is None:  # the wave's districts (D3)
            values = (district + 1).astype(np.int32)
        else:
            substantive = np.array(item.scale.substantive_codes)
            position = np.clip(
                np.round(len(substantive) / 3 + fear + rng.normal(0, 0.7, n)),
                0,
                len(substantive) - 1,
            ).astype(np.int64)
            values = substantive[position].astype(np.int32)
            for special in item.scale.special_codes:
                values[rng.random(n) < 0.05] = special
        values[rng.random(n) < 0.02] = NO_ANSWER
        question = next(q for q in instrument.questions if item in q.items)
        if question.show_if:
            values[rng.random(n) < 0.6] = NOT_APPLICABLE
        items[item.code] = values
    items["D1"] = np.where(gender == 0, 1, 2).astype(np.int32)
    districts = [
        District(
            pk=d + 1,
            answer_code=d + 1,
            code=f"{d + 1:02d}",
            name=f"District {d + 1}",
            population={
                GENDERS[g]: {AGE_GROUPS[a]: int(population[d, g, a]) for a in range(5)}
                for g in range(2)
            },
            drawn=int(drawn[d]),
        )
        for d in range(DISTRICTS)
    ]
    return WaveData(
        wave_id=0,
        revision=0,
        response_ids=[""] * n,
        is_sample=np.ones(n, dtype=bool),
        is_paper=np.zeros(n, dtype=bool),
        language=["de"] * n,
        stratum=district.astype(np.int32),
        gender=gender.astype(np.int32),
        age_group=age.astype(np.int32),
        items=items,
        districts=districts,
        district_pks=[d.pk for d in districts],
    )


def analyse(data: WaveData) -> dict[str, Any]:
    """Weighting plus every core item by district; the work that is timed."""
    design = sample_design(data)
    design.instrument = standard_instrument()
    results = {}
    for code, counted in core_items():
        rows = estimate_item(design, code, by="district", share=counted, minimum=0)
        results[code] = [(r.estimate, r.se) for r in rows]
    return results


def child(size: int, csv_path: str | None) -> None:
    data = generate(size)
    if csv_path:
        write_csv(data, Path(csv_path))
    tracemalloc.start()
    started = time.perf_counter()
    results = analyse(data)
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "size": data.n,
                "seconds": seconds,
                "peak_mb": peak / 2**20,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "items": len(results),
                "sample": {code: results[code][:2] for code in list(results)[:3]},
            }
        )
    )


def write_csv(data: WaveData, path: Path) -> None:
    """The data as R reads it: one 0/1/NA column per item's share, design weights, margins."""
    rows = np.flatnonzero(data.is_sample)
    population = np.array(
        [sum(sum(g.values()) for g in d.population.values()) for d in data.districts]
    )
    drawn = np.array([d.drawn for d in data.districts])
    stratum = data.stratum[rows]
    columns: dict[str, np.ndarray] = {
        "district": stratum + 1,
        "gender_age": data.gender[rows] * len(AGE_GROUPS) + data.age_group[rows] + 1,
        "design_weight": (population / drawn)[stratum],
    }
    instrument = standard_instrument()
    for code, counted in core_items():
        item = instrument.item(code)
        answers = data.items[code][rows]
        if item.kind == "multi":
            base = np.isin(answers, [0, 1])
        else:
            assert item.scale is not None
            base = np.isin(answers, list(item.scale.substantive_codes))
        share = np.where(base, np.isin(answers, counted).astype(float), np.nan)
        columns[code] = share
    with open(path, "w") as handle:
        handle.write(",".join(columns) + "\n")
        matrix = np.column_stack(list(columns.values()))
        np.savetxt(handle, matrix, delimiter=",", fmt="%.17g")
    margins = path.with_suffix(".margins.csv")
    with open(margins, "w") as handle:
        handle.write("variable,category,Freq\n")
        for d in range(len(data.districts)):
            handle.write(f"district,{d + 1},{population[d]}\n")
        for g, gender in enumerate(GENDERS[:2]):
            for a, group in enumerate(AGE_GROUPS):
                total = sum(district.population[gender][group] for district in data.districts)
                handle.write(f"gender_age,{g * len(AGE_GROUPS) + a + 1},{total}\n")


def run_ours(size: int, csv_path: Path | None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(size)]
    if csv_path:
        command += ["--csv", str(csv_path)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_r(csv_path: Path) -> dict[str, Any]:
    output = subprocess.run(
        ["Rscript", str(HERE / "bench.R"), str(csv_path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def write_results(results: list[dict[str, Any]]) -> None:
    items = results[0]["ours"]["items"] if results else 0
    lines = [
        "## Analysis: weighting and every core item by district (`bench/analysis`)",
        "",
        f"Run {time.strftime('%Y-%m-%d')} on {machine()}. Generated answers to the standard "
        f"instrument, 12 districts; design weights, raking to gender × age group and district "
        f"(tolerance 1e-10), then for each of the {items} core items with answer categories "
        "the share of its upper answers with its standard error (Taylor linearisation), "
        "overall and by district. Ours: wall time in a fresh process, data already in memory; "
        "peak memory of the analysis (tracemalloc) and of the whole process (RSS, including "
        "the generated data). R: `survey` 4.1 (Debian r-cran-survey), svydesign + rake + "
        "svymean/svyby per item on the same data in the same run, timed inside R. Target: "
        "1M under 2 s and at least 100× faster than R.",
        "",
        "| responses | ours s | analysis peak MB | process RSS MB | R survey s | R ÷ ours "
        "| estimates equal |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ours = r["ours"]
        r_seconds = f"{r['r']['seconds']:.1f}" if "r" in r else "–"
        ratio = f"{r['r']['seconds'] / ours['seconds']:.0f}×" if "r" in r else "–"
        lines.append(
            f"| {ours['size']:,} | {ours['seconds']:.2f} | {ours['peak_mb']:.0f} | "
            f"{ours['rss_mb']:.0f} | {r_seconds} | {ratio} | {r.get('equal', '–')} |"
        )
    lines += [
        "",
        "Reproduce: `.venv/bin/python bench/analysis/run.py` (R needs Debian's r-cran-survey).",
    ]
    write_section("analysis", lines)


def compare(ours: dict[str, Any], r: dict[str, Any]) -> str:
    """Do the first estimates agree (relative 1e-8 for estimates, 1e-6 for SEs)?"""
    for code, rows in ours["sample"].items():
        for (estimate, se), (r_estimate, r_se) in zip(rows, r["sample"][code], strict=False):
            if abs(estimate - r_estimate) > 1e-8 * abs(r_estimate) or abs(se - r_se) > 1e-6 * r_se:
                return "no"
    return "yes"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--r-sizes", default="10000,100000,1000000")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.csv)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    r_sizes = {int(s) for s in args.r_sizes.split(",") if s}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            csv_path = Path(tmp) / f"data-{size}.csv" if size in r_sizes else None
            ours = run_ours(size, csv_path)
            entry: dict[str, Any] = {"ours": ours}
            print(f"{size:>9,}: ours {ours['seconds']:.2f} s, peak {ours['peak_mb']:.0f} MB")
            if csv_path is not None:
                r = run_r(csv_path)
                entry["r"] = r
                entry["equal"] = compare(ours, r)
                print(
                    f"{size:>9,}: R {r['seconds']:.1f} s, ratio "
                    f"{r['seconds'] / ours['seconds']:.0f}×, equal: {entry['equal']}"
                )
            results.append(entry)
    if not args.no_write:
        write_results(results)


if __name__ == "__main__":
    main()
