"""Helpers for tests that run the real `defus` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
