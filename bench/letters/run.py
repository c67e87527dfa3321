"""Benchmark: the invitation letters of a whole sample as one PDF.

A fresh SQLite database in a temporary folder, `defus migrate`, a wave with 12 districts and a
sample of N persons imported through the service (names with umlauts, ß and French accents),
then `invitation_letters_pdf(wave)` in a process of its own. Reported: wall time of that call,
the process's peak memory (ru_maxrss) after Django was set up and at the end, the PDF's size
and pages, and whether every person's access code is in the PDF's text (poppler's pdftotext).

    .venv/bin/python bench/letters/run.py [--letters 2000[,20000]] [--language de]
        [--reminders] [--keep DIR] [--no-write]

Results go to docs/benchmarks.md (section "letters") with the machine they ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import machine, write_section  # noqa: E402

BIN = Path(sys.executable).parent
FIRST = ["Jürgen", "Ökkeş", "Anaïs", "François", "Zoë", "Małgorzata", "Björn", "Ayşe", "Max"]
LAST = ["Müller", "Groß", "Lefèvre", "Çelik", "Straßburger", "Dubois-Hénault", "Ünal", "Weiß"]
STREETS = ["Königsallee", "Rue de la Paix", "Schloßstraße", "Grüner Weg", "Hauptstraße"]
SALUTATIONS = ["Frau", "Herr", ""]


def sample_csv(count: int) -> bytes:
    lines = ["salutation,first_name,last_name,street,postcode,city,district"]
    for i in range(count):
        lines.append(
            ",".join(
                [
                    SALUTATIONS[i % 3],
                    FIRST[i % len(FIRST)],
                    LAST[i % len(LAST)],
                    f"{STREETS[i % len(STREETS)]} {i + 1}",
                    f"{40210 + i % 80}",
                    "Düsseldorf",
                    f"D{i % 12 + 1:02}",
                ]
            )
        )
    return ("\n".join(lines) + "\n").encode()


def django_setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defus.settings")
    django.setup()


def prepare(count: int) -> None:
    """Organisation, wave and sample (run in the benchmark's database)."""
    django_setup()
    import datetime

    from defus.fieldwork.models import AGE_GROUPS
    from defus.fieldwork.services.sample import import_sample
    from defus.fieldwork.services.waves import WaveFiles, WaveSettings, create_wave
    from defus.instrument.definition import available_versions
    from defus.organisations.models import Organisation

    organisation = Organisation.objects.create(slug="bench", name="Landeshauptstadt Düsseldorf")
    columns = [f"{g}_{a}" for g in ("female", "male") for a in AGE_GROUPS]
    districts = ["code,name," + ",".join(columns)]
    districts += [
        f"D{n:02},Stadtbezirk {n}," + ",".join(["1000"] * len(columns)) for n in range(1, 13)
    ]
    today = datetime.date.today()
    result = create_wave(
        organisation,
        WaveSettings(
            title="Sicherheit in Düsseldorf 2026",
            slug="bench-letters",
            instrument_version=max(v for k, v in available_versions() if k == "defus-monitor"),
            field_start=today,
            field_end=today + datetime.timedelta(days=42),
            letter={
                "sender": "Landeshauptstadt Düsseldorf · Amt für Statistik · 40200 Düsseldorf",
                "department": "Amt für Statistik und Wahlen",
                "contact": "Telefon 0211 89-12345\nbefragung@duesseldorf.example",
                "signature": "Dr. Maria Beispiel\nOberbürgermeisterin",
            },
        ),
        WaveFiles(districts=("\n".join(districts) + "\n").encode()),
    )
    assert result.wave is not None, result
    imported = import_sample(result.wave, sample_csv(count))
    assert imported.ok, imported.errors[:3]


def render(language: str, reminders: bool, output: Path) -> None:
    """One call of the service, timed; prints a JSON line."""
    django_setup()
    from defus.fieldwork.models import Wave
    from defus.fieldwork.services import letters

    wave = Wave.objects.get(slug="bench-letters")
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    make = letters.reminder_letters_pdf if reminders else letters.invitation_letters_pdf
    pdf = make(wave, language)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    output.write_bytes(pdf)
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "setup_mb": round(before_mb),
                "peak_mb": round(peak_mb),
                "bytes": len(pdf),
            }
        ),
        flush=True,
    )


def check_pdf(path: Path, env: dict[str, str]) -> dict[str, Any]:
    """Pages and whether every code of the sample is in the PDF's text."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    match = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    pages = int(match.group(1)) if match else 0
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    codes = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','defus.settings');"
            "django.setup();from defus.fieldwork.models import AccessCode;"
            "from defus.fieldwork.services.codes import format_code;"
            "print(' '.join(format_code(c) for c in AccessCode.objects.filter("
            "wave__slug='bench-letters').values_list('code', flat=True)))",
        ],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    missing = [code for code in codes if code not in text]
    return {"pages": pages, "codes": len(codes), "codes_missing": len(missing)}


def run(count: int, language: str, reminders: bool, keep: Path | None) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="defus-bench-letters-"))
    env = {**os.environ, "DEFUS_VAR_DIR": str(workdir)}
    env.pop("DATABASE_URL", None)
    env["DEFUS_SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    try:
        for attempt in range(5):
            migrate = subprocess.run(
                [BIN / "defus", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT
            )
            if migrate.returncode == 0:
                break
            if attempt == 4:
                raise SystemExit("defus migrate failed")
            print("defus migrate failed; retrying in 60 s", file=sys.stderr)
            time.sleep(60)
        me = str(Path(__file__).resolve())
        subprocess.run(
            [sys.executable, me, "--step", "prepare", "--letters", str(count)],
            check=True,
            env=env,
            cwd=ROOT,
        )
        pdf = workdir / "letters.pdf"
        step = [sys.executable, me, "--step", "render", "--language", language, "--pdf", str(pdf)]
        output = subprocess.run(
            step + (["--reminders"] if reminders else []),
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
        result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
        # The largest child of this benchmark so far: a cross-check of peak_mb.
        result["children_peak_mb"] = round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        )
        result.update(check_pdf(pdf, env))
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(pdf, keep / "letters.pdf")
        return {"letters": count, "language": language, **result}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def write_results(results: list[dict[str, Any]], reminders: bool) -> None:
    kind = "reminder" if reminders else "invitation"
    lines = [
        "## Letters: the invitation PDF of a whole sample (`bench/letters`)",
        "",
        f"Run {time.strftime('%Y-%m-%d')} on {machine()}. For each size a fresh SQLite "
        "database, a wave with a sample of that many persons (names with umlauts, ß and "
        f"accents), then one call of `{kind}_letters_pdf(wave, {results[0]['language']!r})` in "
        "a process of its own: one PDF for the whole sample, one A4 page per person. Peak "
        "memory is that process's ru_maxrss, Django included (in brackets: before the call). "
        "Every person's code is looked for in the PDF's text (pdftotext). Target: 2,000 letters "
        "well under 30 s and under ~500 MB.",
        "",
        "| letters | seconds | ms per letter | peak memory MB (before the call) | PDF MB "
        "| pages | codes missing from the text |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        seconds, count = float(r["seconds"]), int(r["letters"])
        lines.append(
            f"| {count} | {seconds:.1f} | {seconds * 1000 / count:.1f} | "
            f"{r['peak_mb']} ({r['setup_mb']}) | {int(r['bytes']) / 1e6:.1f} | {r['pages']} | "
            f"{r['codes_missing']} of {r['codes']} |"
        )
    lines += [
        "",
        "The letter is laid out once by WeasyPrint and the personal parts (address, salutation, "
        "code, QR code) are stamped onto a copy of it for each person "
        "(`defus/fieldwork/services/pdfstamp.py`); about 80 % of the time is choosing the QR "
        "codes' masks (segno). Before, when WeasyPrint laid out every letter, the same "
        "benchmark took 202.8 s (101 ms per letter) and 2,088 MB for 2,000 letters, and "
        "samples had to be printed in parts of 2,000.",
        "",
        "Reproduce: `.venv/bin/python bench/letters/run.py --letters 2000,20000`.",
    ]
    write_section("letters", lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--letters", default="2000", help="sample sizes, comma-separated")
    parser.add_argument("--language", default="de", choices=["de", "en", "fr"])
    parser.add_argument("--reminders", action="store_true", help="reminders instead")
    parser.add_argument("--keep", type=Path, help="copy the PDF into this folder")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    parser.add_argument("--step", choices=["prepare", "render"], help=argparse.SUPPRESS)
    parser.add_argument("--pdf", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "prepare":
        prepare(int(args.letters))
        return
    if args.step == "render":
        render(args.language, args.reminders, args.pdf)
        return
    results = []
    for count in (int(n) for n in args.letters.split(",")):
        keep = args.keep / str(count) if args.keep else None
        results.append(run(count, args.language, args.reminders, keep))
        print(json.dumps(results[-1]), flush=True)
    if not args.no_write:
        write_results(results, args.reminders)


if __name__ == "__main__":
    main()
