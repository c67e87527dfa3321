"""Benchmark: the invitation letters of a whole sample as one PDF.

A fresh SQLite database in a temporary folder, `defus migrate`, a wave with 12 districts and a
sample of N persons imported through the service (names with umlauts, ß and French accents),
then `invitation_letters_pdf(wave)` in a process of its own. Reported: wall time of that call,
the process's peak memory (ru_maxrss) after Django was set up and at the end, the PDF's size
and pages, and whether every person's access code is in the PDF's text (poppler's pdftotext).

    .venv/bin/python bench/letters/run.py [--letters 2000] [--language de]
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

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.fieldwork.run import machine  # noqa: E402

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
    districts += [f"D{n:02},Stadtbezirk {n}," + ",".join(["1000"] * len(columns)) for n in range(1, 13)]
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


def check_pdf(path: Path, env: dict[str, str]) -> dict[str, object]:
    """Pages and whether every code of the sample is in the PDF's text."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
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


def run(count: int, language: str, reminders: bool, keep: Path | None) -> dict[str, object]:
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
        result: dict[str, object] = json.loads(output.strip().splitlines()[-1])
        # The largest child so far (migrate, prepare, render): a cross-check of peak_mb.
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


def write_results(result: dict[str, object], reminders: bool) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    kind = "reminder" if reminders else "invitation"
    seconds = float(result["seconds"])  # type: ignore[arg-type]
    count = int(result["letters"])  # type: ignore[call-overload]
    lines = [
        "<!-- letters:start -->",
        "## Letters: the invitation PDF of a whole sample (`bench/letters`)",
        "",
        f"Run {time.strftime('%Y-%m-%d')} on {machine()}. A fresh SQLite database, a wave with "
        f"a sample of {count} persons (names with umlauts, ß and accents), then one call of "
        f"`{kind}_letters_pdf(wave, {result['language']!r})` in a process of its own: one PDF "
        "for the whole sample, one A4 page per person. Peak memory is the process's ru_maxrss "
        "(the Django process before rendering included). Target: 2,000 letters well under 30 s "
        "and under ~500 MB.",
        "",
        "| letters | seconds | ms per letter | peak memory MB (before rendering) | PDF MB "
        "| pages | codes missing from the text |",
        "|---|---|---|---|---|---|---|",
        f"| {count} | {seconds:.1f} | {seconds * 1000 / count:.1f} | "
        f"{result['peak_mb']} ({result['setup_mb']}) | "
        f"{int(result['bytes']) / 1e6:.1f} | {result['pages']} | "  # type: ignore[call-overload]
        f"{result['codes_missing']} of {result['codes']} |",
        "",
        "Before the letter body was rendered once and the personal parts stamped onto it, the "
        "same 2,000 letters took about 173 s (86 ms per page) and 1.9 GB in one WeasyPrint call.",
        "",
        "Reproduce: `.venv/bin/python bench/letters/run.py`.",
        "<!-- letters:end -->",
    ]
    block = "\n".join(lines)
    if "<!-- letters:start -->" in text:
        text = re.sub(
            r"<!-- letters:start -->.*<!-- letters:end -->", lambda _: block, text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--language", default="de", choices=["de", "en", "fr"])
    parser.add_argument("--reminders", action="store_true", help="reminders instead")
    parser.add_argument("--keep", type=Path, help="copy the PDF into this folder")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    parser.add_argument("--step", choices=["prepare", "render"], help=argparse.SUPPRESS)
    parser.add_argument("--pdf", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "prepare":
        prepare(args.letters)
        return
    if args.step == "render":
        render(args.language, args.reminders, args.pdf)
        return
    result = run(args.letters, args.language, args.reminders, args.keep)
    print(json.dumps(result), flush=True)
    if not args.no_write:
        write_results(result, args.reminders)


if __name__ == "__main__":
    main()
