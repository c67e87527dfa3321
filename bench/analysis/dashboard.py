"""Benchmark: server time of a wave's dashboard with 5,000 answers.

A fresh SQLite database gets a city with 12 districts and a wave of 5,000 answers from the
demo's synthetic model (plus its earlier wave of 5,000, so the comparison section has work to
do). The dashboard is requested in-process through Django's test client – middleware, view,
estimates, Vega-Lite specs, templates – as a logged-in analyst:
- first: no columnar copy of the answers yet and every cache emptied (every answer of both
  waves parsed, weighted, every figure estimated, every section rendered). Only a wave whose
  answers were loaded in bulk meets this: recording an answer writes the copy in the
  background when it is missing or 100 answers behind (analysis/signals.py);
- cold: every cache and the process's designs emptied (a restart): the answers come from
  their columnar copy in the database (analysis.models.AnswerColumns), the rest as above;
- warm: nothing changed since the last request (sections from the cache);
- breakdown: the htmx request that changes the breakdown of one section.
Results go to docs/benchmarks.md (section "dashboard") with the machine they ran on.

    .venv/bin/python bench/analysis/dashboard.py [--answers 5000] [--runs 15] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="defus-bench-dashboard-")
os.environ["DEFUS_SQLITE_PATH"] = str(Path(TMP) / "bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defus.settings")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.common import machine, write_section  # noqa: E402
from defus.analysis.margins import _DESIGNS  # noqa: E402
from defus.analysis.models import AnswerColumns  # noqa: E402

EMAIL, PASSWORD = "analyst@bench.example", "bench-dashboard-2026"


def build(answers: int) -> tuple[str, str]:
    """A city with two waves of `answers` each; returns (organisation slug, wave slug)."""
    from dataclasses import replace

    from defus.demo import musterstadt
    from defus.organisations.models import Membership, Organisation, User

    call_command("migrate", verbosity=0)
    data = musterstadt.demo_data()
    city = data.city("musterstadt")
    organisation = Organisation.objects.create(name="Benchstadt", slug="benchstadt")
    user = User.objects.create_user(email=EMAIL, password=PASSWORD)
    Membership.objects.create(user=user, organisation=organisation, role="analyst")
    sample = int(answers / 0.4)
    today = django.utils.timezone.localdate()
    for spec in (*city.previous, city):
        spec = replace(
            spec,
            wave_slug=spec.wave_slug.replace("musterstadt", "benchstadt"),
            sample_size=sample,
            responses=answers,
            open_link=0,
        )
        musterstadt.build_wave(spec, organisation, today, data.names)
    return organisation.slug, city.wave_slug.replace("musterstadt", "benchstadt")


def answer(slug: str) -> None:
    """One more answer from the sample, stored as the platform stores every answer."""
    import random

    from defus.demo.synthetic import Respondent, synthetic_answers
    from defus.fieldwork.models import AccessCode, Wave
    from defus.fieldwork.services.responses import record_response

    wave = Wave.objects.get(slug=slug)
    code = AccessCode.objects.filter(wave=wave, used=False).first()
    assert code is not None and code.district is not None
    respondent = Respondent(gender="female", age=52, district=code.district.answer_code)
    answers = synthetic_answers(wave.instrument, respondent, random.Random(code.code))
    record_response(wave, answers, mode="web", language="de", access_code=code)


def forget_everything() -> None:
    """Empties the cache and the designs (weights, breakdowns) the process keeps."""
    cache.clear()
    _DESIGNS.clear()


def timed(client: Client, url: str, **headers: str) -> float:
    started = time.perf_counter()
    response = client.get(url, **headers)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return seconds * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    org, wave = build(args.answers)
    client = Client()
    client.login(email=EMAIL, password=PASSWORD)
    url = reverse("analysis:dashboard", kwargs={"org": org, "wave": wave})
    timed(client, url)  # imports, template compilation
    first, cold, fresh, warm, breakdown = [], [], [], [], []
    for _run in range(args.runs):
        forget_everything()
        AnswerColumns.objects.all().delete()
        first.append(timed(client, url))
        forget_everything()
        cold.append(timed(client, url))
        warm.append(timed(client, url))
        answer(wave)
        fresh.append(timed(client, url))
    for by in ("gender", "age_group", "district") * args.runs:
        breakdown.append(timed(client, f"{url}?by={by}&section=modules", HTTP_HX_REQUEST="true"))
    results = {
        "first": first,
        "cold": cold,
        "fresh": fresh,
        "warm": warm,
        "breakdown": breakdown,
    }
    for name, values in results.items():
        print(
            f"{name:>9}: median {statistics.median(values):.0f} ms, "
            f"max {max(values):.0f} ms ({len(values)} requests)"
        )
    if not args.no_write:
        write(results, args.answers)


def write(results: dict[str, list[float]], answers: int) -> None:
    labels = {
        "first": "no columnar copy (answers loaded in bulk), every cache empty: all parsed",
        "cold": "every cache empty, as after a restart (answers from their columnar copy)",
        "fresh": "after one new answer (it is read and appended; every figure recomputed)",
        "warm": "again, nothing changed (sections from the cache)",
        "breakdown": "htmx: another breakdown of one section",
    }
    lines = [
        "## Dashboard of a wave (`bench/analysis/dashboard.py`)",
        "",
        f"Run {time.strftime('%Y-%m-%d')} on {machine()}. A wave of {answers:,} answers "
        "(12 districts) and its earlier wave of the same size, SQLite; server time of the "
        "request through Django's test client, as a logged-in analyst. Target: under 200 ms.",
        "",
        "| request | median ms | max ms | requests |",
        "|---|---|---|---|",
    ]
    for name, values in results.items():
        lines.append(
            f"| {labels[name]} | {statistics.median(values):.0f} | {max(values):.0f} | "
            f"{len(values)} |"
        )
    lines += [
        "",
        "Reproduce: `.venv/bin/python bench/analysis/dashboard.py`.",
    ]
    write_section("dashboard", lines)


if __name__ == "__main__":
    main()
