"""`defus analysis tables WAVE [--by district] -o FILE.xlsx [--language de]`: the weighted
results of every item as an Excel workbook (one sheet per module, suppressed figures as "–",
the weighting on a "Methods" sheet)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from defus.fieldwork.models import Wave

from ..exports import BREAKDOWNS, TABLES
from .exports import write


def register(actions: Any) -> None:
    parser = actions.add_parser(
        "tables",
        help="weighted results of every item as an Excel workbook",
        description="Shares with 95 % confidence intervals and unweighted n for every item of "
        "the weighted random sample, one sheet per module; with --by also for each group. "
        "Figures based on too few respondents are shown as –.",
    )
    parser.add_argument("wave", help="the wave's short name")
    parser.add_argument("--by", choices=list(BREAKDOWNS), help="breakdown")
    parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    parser.add_argument("--language", help="language of the labels (default: the first one)")


def handle(command: BaseCommand, wave: Wave, options: dict[str, Any]) -> None:
    write(command, wave, TABLES, options, by=options.get("by"))
