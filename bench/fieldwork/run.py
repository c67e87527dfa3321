"""Benchmark: residents completing the standard questionnaire against a production-like server.

For SQLite and PostgreSQL in turn: a fresh database, `defus migrate`, a wave in the field with
access codes, then gunicorn with 2 sync workers (DEBUG off) on 127.0.0.1. N parallel simulated
respondents each take a code and go the whole way a person goes – code entry, welcome page,
one page per module with answers, review, submit, thank-you page – over real HTTP with
cookies and CSRF tokens. Reported: completed questionnaires per second, p50/p95 latency of
every request, and whether every acknowledged questionnaire was stored.

    .venv/bin/python bench/fieldwork/run.py [--respondents 8] [--questionnaires 400]
        [--backends sqlite,postgresql] [--no-write]

Results go to docs/benchmarks.md (section "fieldwork") with the machine they ran on.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import machine, write_section  # noqa: E402
from defus.instrument.definition import (  # noqa: E402
    Instrument,
    Module,
    for_wave,
    standard_instrument,
)

BIN = Path(sys.executable).parent
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HOST = "127.0.0.1"


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    completed: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Respondent:
    """One browser: a cookie jar and a CSRF token, speaking HTTP/1.1 to the server."""

    def __init__(self, port: int, stats: Stats, rng: random.Random) -> None:
        self.port = port
        self.stats = stats
        self.rng = rng
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None):
        body = urllib.parse.urlencode(form or []) if form is not None else None
        headers = {"Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - started
        connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        with self.stats.lock:
            self.stats.latencies.append(elapsed)
        if response.status >= 400:
            raise RuntimeError(f"{method} {path} → {response.status}")
        return response.status, response.getheader("Location"), text

    def token(self, html: str) -> str:
        match = CSRF_RE.search(html)
        if not match:
            raise RuntimeError("no CSRF token on the page")
        return match.group(1)

    def answers(self, module: Module) -> list[tuple[str, str]]:
        form: list[tuple[str, str]] = []
        for question in module.questions:
            if question.kind == "multi":
                for item in question.items:
                    if self.rng.random() < 0.3:
                        form.append((question.code, item.code))
                continue
            for item in question.items:
                if self.rng.random() < 0.03:
                    continue  # item non-response
                if item.kind == "single" and item.scale is not None:
                    form.append((item.code, str(self.rng.choice(item.scale.codes))))
                elif item.kind == "number":
                    low, high = item.minimum or 0, min(item.maximum or 90, 90)
                    form.append((item.code, str(self.rng.randint(max(low, 18), high))))
                elif item.kind == "text" and self.rng.random() < 0.3:
                    form.append((item.code, "am Bahnhof abends"))
        return form

    def complete(self, code: str, instrument: Instrument) -> None:
        _, _, html = self.request("GET", "/s/")
        status, location, html = self.request(
            "POST", "/s/", [("csrfmiddlewaretoken", self.token(html)), ("code", code)]
        )
        pages = 0
        while location:
            path = urllib.parse.urlsplit(location).path
            _, _, html = self.request("GET", path)
            token = [("csrfmiddlewaretoken", self.token(html))] if "/done/" not in path else []
            if path.endswith("/welcome/"):
                form = [*token, ("action", "start")]
            elif "/page/" in path:
                number = int(path.rstrip("/").rsplit("/", 1)[1])
                form = [*token, *self.answers(instrument.modules[number - 1]), ("action", "next")]
                pages += 1
            elif path.endswith("/review/"):
                form = [*token, ("action", "submit")]
            elif path.endswith("/done/"):
                if pages != len(instrument.modules):
                    raise RuntimeError(f"done after {pages} pages")
                with self.stats.lock:
                    self.stats.completed += 1
                return
            else:
                raise RuntimeError(f"unexpected page {path}")
            status, location, html = self.request("POST", path, form)
            if status != 302:
                raise RuntimeError(f"POST {path} answered {status}, not a redirect")
        raise RuntimeError("the flow ended without the thank-you page")


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/s/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not come up")


def run_backend(
    backend: str, respondents: int, questionnaires: int, port: int, server_threads: int = 1
) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"defus-bench-{backend}-"))
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": HOST,
        "DEFUS_VAR_DIR": str(workdir),
    }
    env.pop("DATABASE_URL", None)
    if backend == "postgresql":
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/defus_bench"
        for sql in ("DROP DATABASE IF EXISTS defus_bench", "CREATE DATABASE defus_bench"):
            subprocess.run(
                ["psql", "-h", HOST, "-U", "postgres", "-qc", sql],
                check=True,
                env={**env, "PGOPTIONS": "--client-min-messages=warning"},
            )
    else:
        env["DEFUS_SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    subprocess.run([BIN / "defus", "migrate", "--noinput", "-v0"], check=True, env=env, cwd=ROOT)
    warmup = respondents * 2
    codes = subprocess.run(
        [sys.executable, ROOT / "bench/fieldwork/prepare.py", str(questionnaires + warmup)],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    instrument = for_wave(
        standard_instrument(), districts=[(n, f"District {n}") for n in range(1, 13)]
    )
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "defus.wsgi:application",
            "--workers",
            "2",
            "--threads",
            str(server_threads),
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        wait_until_up(port, server)
        work: queue.Queue[str] = queue.Queue()
        for code in codes:
            work.put(code)

        def respondent(stats: Stats, count: int, seed: int) -> None:
            rng = random.Random(seed)
            for _ in range(count):
                try:
                    code = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    Respondent(port, stats, rng).complete(code, instrument)
                except Exception as exc:
                    with stats.lock:
                        stats.failures.append(str(exc))

        warm = Stats()
        threads = [
            threading.Thread(target=respondent, args=(warm, 2, i)) for i in range(respondents)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        stats = Stats()
        per_thread = -(-questionnaires // respondents)
        threads = [
            threading.Thread(target=respondent, args=(stats, per_thread, 100 + i))
            for i in range(respondents)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = int(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','defus.settings');"
                "django.setup();from defus.fieldwork.models import Response;"
                "print(Response.objects.filter(wave__slug='bench-wave').count())",
            ],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    shutil.rmtree(workdir, ignore_errors=True)
    latencies = sorted(stats.latencies)
    acknowledged = warm.completed + stats.completed
    return {
        "backend": backend,
        "threads": server_threads,
        "respondents": respondents,
        "completed": stats.completed,
        "wall_s": round(wall, 2),
        "per_second": round(stats.completed / wall, 2),
        "requests": len(latencies),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
        "acknowledged": acknowledged,
        "stored": stored,
        "failures": len(stats.failures) + len(warm.failures),
        "first_failures": (warm.failures + stats.failures)[:3],
    }


def write_results(results: list[dict], questionnaires: int) -> None:
    lines = [
        "## Fieldwork: completing the questionnaire (`bench/fieldwork`)",
        "",
        f"Run {time.strftime('%Y-%m-%d')} on {machine()}; server and respondents on the same "
        "machine. gunicorn, 2 sync workers, DEBUG off; each questionnaire is the whole path "
        f"(code, welcome, one page per module, review, submit, thank-you); {questionnaires} "
        "questionnaires after a warm-up. Target: ≥ 16 questionnaires/s and p95 < 50 ms with 8 "
        "parallel respondents.",
        "",
        "| database | parallel respondents | questionnaires/s | requests | p50 ms | p95 ms "
        "| acknowledged | stored | failures |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['backend']} | {r['respondents']} | {r['per_second']} | {r['requests']} | "
            f"{r['p50_ms']} | {r['p95_ms']} | {r['acknowledged']} | {r['stored']} | "
            f"{r['failures']} |"
        )
    lines += [
        "",
        "Latencies are every request (GET and POST) as the respondents saw them. Reproduce: "
        "`.venv/bin/python bench/fieldwork/run.py` (or `make bench`, which runs every benchmark).",
    ]
    write_section("fieldwork", lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--respondents", type=int, default=8)
    parser.add_argument("--questionnaires", type=int, default=400)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    results = []
    for backend in args.backends.split(","):
        result = run_backend(
            backend, args.respondents, args.questionnaires, args.port, args.threads
        )
        print(json.dumps(result), flush=True)
        results.append(result)
    if not args.no_write:
        write_results(results, args.questionnaires)


if __name__ == "__main__":
    main()
