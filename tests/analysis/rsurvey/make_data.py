"""Generate the data that compare.R and our tests weight and estimate (seeded: re-running
writes the same files). Run: python tests/analysis/rsurvey/make_data.py"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
AGE_GROUPS = ("18-29", "30-44", "45-59", "60-74", "75+")
GENDERS = ("female", "male")


def main() -> None:
    rng = np.random.default_rng(20261124)
    districts = range(1, 7)
    population = {
        (d, g, a): int(rng.integers(800, 6000))
        for d in districts
        for g in GENDERS
        for a in AGE_GROUPS
    }
    drawn = {d: int(rng.integers(250, 700)) for d in districts}
    rows = []
    for d in districts:
        cells = [(g, a) for g in GENDERS for a in AGE_GROUPS]
        sizes = np.array([population[(d, g, a)] for g, a in cells], dtype=float)
        picks = rng.choice(len(cells), size=drawn[d], p=sizes / sizes.sum())
        district_population = sizes.sum()
        for pick in picks:
            gender, age = cells[pick]
            # Older people and women answer more often: weights must correct for it.
            respond = 0.25 + 0.08 * AGE_GROUPS.index(age) + (0.08 if gender == "female" else 0)
            if rng.random() > respond:
                continue
            unsafe = 0.6 * (gender == "female") + 0.15 * AGE_GROUPS.index(age) + 0.2 * d / 6
            y1 = int(np.clip(np.round(1.6 + unsafe + rng.normal(0, 0.9)), 1, 5))
            if rng.random() < 0.05:
                y1 = 9  # don't know
            y2 = 1 if rng.random() < 0.2 + 0.1 * (gender == "female") else 2
            if rng.random() < 0.04:
                y2 = -9  # no answer
            y3 = int(np.clip(np.round(2.0 + unsafe + rng.normal(0, 1.0)), 1, 5))
            if rng.random() < 0.12 + 0.04 * AGE_GROUPS.index(age):
                y3 = 8  # don't go there
            age_group, gender_out = age, gender
            if rng.random() < 0.03:
                age_group = "unknown"  # age not given
            if rng.random() < 0.02:
                gender_out = "unknown"
            rows.append(
                {
                    "district": d,
                    "gender": gender_out,
                    "age_group": age_group,
                    "gender_age": "unknown"
                    if "unknown" in (gender_out, age_group)
                    else f"{gender_out} {age_group}",
                    "design_weight": repr(float(district_population / drawn[d])),
                    "y1": y1,
                    "y2": y2,
                    "y3": y3,
                }
            )
    with open(HERE / "data.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    # Margins: respondents without age or gender keep their design-weighted share (the rule of
    # defus.analysis.margins); the known cells share the rest in the register's proportions.
    total = sum(population.values())
    weights = [float(r["design_weight"]) for r in rows]
    unknown_weight = sum(
        w for w, r in zip(weights, rows, strict=True) if r["gender_age"] == "unknown"
    )
    unknown = total * unknown_weight / sum(weights)
    with open(HERE / "margins_gender_age.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["gender_age", "Freq"])
        for g in GENDERS:
            for a in AGE_GROUPS:
                cell = sum(population[(d, g, a)] for d in districts)
                writer.writerow([f"{g} {a}", repr(float(cell * (total - unknown) / total))])
        writer.writerow(["unknown", repr(float(unknown))])
    with open(HERE / "population.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["district", "gender", "age_group", "population", "drawn"])
        for (d, g, a), count in population.items():
            writer.writerow([d, g, a, count, drawn[d]])
    with open(HERE / "margins_district.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["district", "Freq"])
        for d in districts:
            writer.writerow([d, sum(v for (dd, _g, _a), v in population.items() if dd == d)])


if __name__ == "__main__":
    main()
