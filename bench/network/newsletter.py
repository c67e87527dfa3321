"""Benchmark: sending a newsletter issue to N subscribers in three languages.

A fresh SQLite database in a temporary folder, `defus migrate`, N confirmed subscribers (a
third each in German, English and French; bulk-created), one issue with an editorial in each
language, then `newsletter.services.send_issue` – the same call the background job makes:
rendering per language, claiming subscribers in batches (a `Delivery` row each), building one
email per subscriber with its unsubscribe headers and handing it to the mail backend. The
backend is Django's in-memory one, so what is measured is the platform's own work, not a mail
server's. Reported: wall time, messages per second, and whether each subscriber got exactly one
message in their language.

    .venv/bin/python bench/network/newsletter.py [--subscribers 2000,10000] [--no-write]

Results go to docs/benchmarks.md (section "newsletter") with the machine they ran on.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import machine, write_section  # noqa: E402

BIN = Path(sys.executable).parent


def run_one(count: int) -> dict[str, float | int | bool]:
    """Measure one send in this process against a database prepared for it."""
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail

    from defus.newsletter import services
    from defus.newsletter.models import Issue, Subscriber

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    languages = ("de", "en", "fr")
    Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"person{i}@city{i % 97}.example",
                language=languages[i % 3],
                status=Subscriber.Status.CONFIRMED,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    issue = Issue.objects.create(
        number=services.next_number(),
        subject={"de": "DEFUS-Newsletter", "en": "DEFUS newsletter", "fr": "Lettre du DEFUS"},
        editorial={
            "de": "Liebe Mitglieder, die Ergebnisse des DEFUS-Monitors liegen vor.",
            "en": "Dear members, the DEFUS-Monitor results are in.",
            "fr": "Chers membres, les résultats du DEFUS-Monitor sont disponibles.",
        },
    )
    started = time.perf_counter()
    sent = services.send_issue(issue.pk)
    seconds = time.perf_counter() - started
    subjects = {"de": "DEFUS-Newsletter", "en": "DEFUS newsletter", "fr": "Lettre du DEFUS"}
    by_address = {m.to[0]: m.subject for m in mail.outbox}
    right = len(mail.outbox) == count and all(
        subjects[languages[i % 3]] in by_address.get(f"person{i}@city{i % 97}.example", "")
        for i in range(count)
    )
    return {"sent": sent, "seconds": seconds, "right": right}


def measure(count: int) -> dict[str, float | int | bool]:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DEFUS_VAR_DIR": folder,
            "DEFUS_SQLITE_PATH": str(Path(folder) / "bench.sqlite3"),
            "DJANGO_SETTINGS_MODULE": "defus.settings",
        }
        env.pop("DATABASE_URL", None)
        subprocess.run([BIN / "defus", "migrate", "-v0"], env=env, check=True)
        result = subprocess.run(
            [sys.executable, __file__, "--inner", str(count)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        sent, seconds, right = result.stdout.split()
        return {"sent": int(sent), "seconds": float(seconds), "right": right == "True"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", default="2000,10000")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--inner", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.inner:
        figures = run_one(options.inner)
        print(figures["sent"], f"{figures['seconds']:.3f}", figures["right"])
        return
    rows = []
    for count in (int(n) for n in options.subscribers.split(",")):
        figures = measure(count)
        rate = figures["sent"] / figures["seconds"]
        rows.append(
            f"| {count:,} | {figures['sent']:,} | {figures['seconds']:.1f} | {rate:,.0f} "
            f"| {'yes' if figures['right'] else 'NO'} |"
        )
        print(rows[-1], flush=True)
    lines = [
        "## Newsletter sending (`bench/network/newsletter.py`)",
        "",
        f"Machine: {machine()}; SQLite. One issue, editorial in three languages, confirmed",
        "subscribers a third each in German, English and French; `send_issue` as the background",
        "job runs it (render per language, claim in batches of 200, one email each with its",
        "unsubscribe headers) into Django's in-memory mail backend, so a mail server's time is",
        "not included.",
        "",
        "| subscribers | messages sent | seconds | messages/s | one each, in their language |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "Reproduce: `.venv/bin/python bench/network/newsletter.py`.",
    ]
    if not options.no_write:
        write_section("newsletter", lines)


if __name__ == "__main__":
    main()
