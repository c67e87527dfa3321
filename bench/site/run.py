"""Benchmark: the public pages under load – requests per second and p95 latency.

A fresh SQLite database gets the demo (`defus demo`); gunicorn serves it (2 workers × 4
threads on this 2-core machine, as a small city's server would run it), once with the page
cache on (DEFUS_PAGE_CACHE_SECONDS=300) and once off (0). For each page, locust (headless,
anonymous visitors without pauses) runs for a fixed time; its request rate and 95th
percentile go to docs/benchmarks.md (section "site") with the machine they ran on. Load
generator and server share the machine, so the figures are a floor, not a ceiling.

    .venv/bin/pip install -r requirements-bench.txt
    .venv/bin/python bench/site/run.py [--seconds 20] [--users 20] [--no-write]
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import machine, write_section  # noqa: E402

BIN = ROOT / ".venv" / "bin"
PORT = 8765
PAGES = {  # what a visitor opens first: label → path
    "home page": "/",
    "news list": "/aktuelles/",
    "events calendar": "/events/",
}


def prepare(var: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DEFUS_VAR_DIR": str(var),
        "DEFUS_SQLITE_PATH": str(var / "bench.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "defus.settings",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DEBUG", None)
    subprocess.run([BIN / "defus", "migrate", "-v0"], env=env, check=True)
    subprocess.run([BIN / "defus", "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([BIN / "defus", "collectstatic", "--noinput", "-v0"], env=env, check=True)
    return env


def serve(env: dict[str, str], cache_seconds: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "defus.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env={**env, "DEFUS_PAGE_CACHE_SECONDS": str(cache_seconds)},
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not answer")


def load(path: str, seconds: int, users: int, out: Path) -> dict[str, float]:
    prefix = out / path.strip("/").replace("/", "-")
    subprocess.run(
        [
            BIN / "locust",
            "-f",
            str(ROOT / "bench" / "site" / "locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env={**os.environ, "BENCH_PATH": path},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == path)
    return {
        "rps": float(row["Requests/s"]),
        "p95": float(row["95%"]),
        "median": float(row["50%"]),
        "requests": float(row["Request Count"]),
        "failures": float(row["Failure Count"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="defus-bench-site-"))
    env = prepare(var)
    results: dict[tuple[str, str], dict[str, float]] = {}
    for cache_label, seconds in (("on", 300), ("off", 0)):
        server = serve(env, seconds)
        try:
            for label, path in PAGES.items():
                results[(label, cache_label)] = figures = load(path, args.seconds, args.users, var)
                print(
                    f"{label:>16} cache {cache_label:>3}: {figures['rps']:7.1f} req/s, "
                    f"p95 {figures['p95']:.0f} ms, median {figures['median']:.0f} ms, "
                    f"{figures['failures']:.0f} failures"
                )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    if not args.no_write:
        write(results, args)


def write(results: dict[tuple[str, str], dict[str, float]], args: argparse.Namespace) -> None:
    lines = [
        "## Public pages under load (`bench/site/run.py`)",
        "",
        f"Run {time.strftime('%Y-%m-%d')} on {machine()}. The demo on SQLite, served by "
        "gunicorn (2 workers × 4 threads); locust on the same machine with "
        f"{args.users} anonymous visitors without pauses, {args.seconds} s per page; "
        "page cache (DEFUS_PAGE_CACHE_SECONDS) on = 300 s, off = 0.",
        "",
        "| page | page cache | requests/s | median ms | p95 ms | requests | failures |",
        "|---|---|---|---|---|---|---|",
    ]
    for (label, cache_label), f in results.items():
        lines.append(
            f"| {label} (`{PAGES[label]}`) | {cache_label} | {f['rps']:.0f} | "
            f"{f['median']:.0f} | {f['p95']:.0f} | {f['requests']:.0f} | {f['failures']:.0f} |"
        )
    lines += [
        "",
        "Reproduce: `.venv/bin/pip install -r requirements-bench.txt && "
        ".venv/bin/python bench/site/run.py`.",
    ]
    write_section("site", lines)


if __name__ == "__main__":
    main()
