"""The actions of `defus walks`, one module each: `register(subparsers)` adds its parser,
`handle(command, options)` runs it."""

from __future__ import annotations

from typing import Any, Protocol

from django.core.management.base import BaseCommand


class Action(Protocol):
    def register(self, actions: Any) -> None: ...

    def handle(self, command: BaseCommand, options: dict[str, Any]) -> None: ...


ACTIONS: dict[str, Action] = {}

from . import export, report, workshops  # noqa: E402 – after Action, which the modules may use

ACTIONS["workshops"] = workshops
ACTIONS["export"] = export
ACTIONS["report"] = report

from . import list as list_walks  # noqa: E402
from . import plan  # noqa: E402

ACTIONS["plan"] = plan
ACTIONS["list"] = list_walks
