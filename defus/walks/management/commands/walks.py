"""`defus walks`: neighbourhood walks and workshops from the command line.

Each ACTION lives in a module of defus/walks/commands/ (register + handle).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from defus.walks.commands import ACTIONS


class Command(BaseCommand):
    help = "Neighbourhood walks and workshops: plan, list, report, export."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for action in ACTIONS.values():
            action.register(actions)

    def handle(self, *args: Any, **options: Any) -> None:
        ACTIONS[options["action"]].handle(self, options)
