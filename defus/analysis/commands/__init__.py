"""The actions of `defus analysis`, one module each: `register(subparsers)` adds its parser,
`handle(command, wave, options)` runs it."""

from __future__ import annotations

from typing import Any, Protocol

from django.core.management.base import BaseCommand

from defus.fieldwork.models import Wave

from . import compare, estimate, exports, indices, places, report, tables, weight


class Action(Protocol):
    def register(self, actions: Any) -> None: ...

    def handle(self, command: BaseCommand, wave: Wave, options: dict[str, Any]) -> None: ...


ACTIONS: dict[str, Action] = {
    "weight": weight,
    "estimate": estimate,
    "compare": compare,
    "indices": indices,
    "places": places,
    "export": exports,
    "tables": tables,
    "report": report,
}
