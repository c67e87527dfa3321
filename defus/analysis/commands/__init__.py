"""The actions of `defus analysis`, one module each: `register(subparsers)` adds its parser,
`handle(command, wave, options)` runs it."""

from __future__ import annotations

from types import ModuleType

from . import estimate, weight

ACTIONS: dict[str, ModuleType] = {"weight": weight, "estimate": estimate}
