"""Helpers for tests that run the real `defus` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.db import connection


def database_env() -> dict[str, str]:
    """Environment that points a `defus` subprocess at the test database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEFUS_SQLITE_PATH")}
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DEFUS_SQLITE_PATH"] = str(settings["NAME"])
    else:
        user = settings.get("USER") or ""
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        at = f"{user}{password}@" if user else ""
        env["DATABASE_URL"] = (
            f"postgres://{at}{settings.get('HOST') or '127.0.0.1'}:"
            f"{settings.get('PORT') or 5432}/{settings['NAME']}"
        )
    return env


def run_defus(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """Run `defus ARGS…` against the test database (data must be committed: transaction=True)."""
    executable = Path(sys.executable).with_name("defus")
    return subprocess.run(
        [str(executable), *args],
        capture_output=True,
        text=True,
        env=database_env(),
        timeout=timeout,
        check=False,
    )


# --- accessibility --------------------------------------------------------------------------

# WCAG 2.2 AA (BITV): every rule axe-core tags with these levels.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}


def check_axe(page: Any, where: str, prefix: str = "page") -> None:
    """Assert axe-core finds no WCAG 2.2 AA violation on the page (printing them if it does).

    With DEFUS_SCREENSHOTS=<folder>, a full-page screenshot of each checked page is kept.
    """
    from axe_playwright_python.sync_playwright import Axe

    folder = os.environ.get("DEFUS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        name = prefix + "-" + "".join(c if c.isalnum() else "-" for c in where) + ".png"
        page.screenshot(path=str(Path(folder) / name), full_page=True)
    results = Axe().run(page, options=AXE_OPTIONS)
    if results.violations_count:
        print(f"axe on {where}:\n{results.generate_report()}")
    assert results.violations_count == 0, where
