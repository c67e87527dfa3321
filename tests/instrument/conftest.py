"""Helpers for instrument tests: the shipped definition as data, and small broken variants."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from defus.instrument.definition import DEFINITIONS_DIR, read_definition

SHIPPED = DEFINITIONS_DIR / "defus-monitor-2026.1.yaml"


@pytest.fixture
def shipped_data() -> dict[str, Any]:
    """A fresh copy of the shipped definition as plain data, safe to break."""
    return copy.deepcopy(read_definition(SHIPPED))


def question(data: dict[str, Any], code: str) -> dict[str, Any]:
    for module in data["modules"]:
        for entry in module["questions"]:
            if entry["code"] == code:
                return entry
    raise KeyError(code)


def module(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(m for m in data["modules"] if m["code"] == code)
