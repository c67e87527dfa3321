"""Cells of exported spreadsheets (CSV, Excel) that hold text people typed."""

from __future__ import annotations

from typing import Any

# What a spreadsheet program may read as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: Any) -> Any:
    """Text that would start a formula, kept as text with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
