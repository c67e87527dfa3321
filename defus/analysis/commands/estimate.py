"""`defus analysis estimate WAVE --items CODE[,CODE] [--by VAR] [--share CODES] [--unweighted]
--format json|csv`: estimates as rows with exactly the keys of results.JSON_KEYS.

The base and the rules go to standard error, so that standard output stays pure data."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from defus.fieldwork.models import Wave

from ..margins import wave_design
from ..results import JSON_KEYS, AnalysisError, base_statement, estimate_items, estimates_as_json
from ..weighting import WeightingError
from .options import answer_codes


def register(actions: Any) -> None:
    parser = actions.add_parser(
        "estimate",
        help="weighted shares and means with standard errors and 95 %% confidence intervals",
        description="Estimates for items of a wave. Without --share: the distribution (a share "
        "per answer) and, for ordered answers, the mean. Cells with fewer respondents than the "
        "minimum are suppressed (suppressed: true, numbers null).",
    )
    parser.add_argument("wave", help="the wave's short name")
    parser.add_argument(
        "--items", required=True, help="item or index codes, comma-separated (e.g. A1,A4)"
    )
    parser.add_argument(
        "--by", help="breakdown: district, gender, age_group or an item with answer categories"
    )
    parser.add_argument("--share", help="answer codes counted for a share, e.g. 1,2")
    parser.add_argument(
        "--unweighted", action="store_true", help="unweighted (random sample, weight 1)"
    )
    parser.add_argument(
        "--base",
        choices=["sample", "open_link"],
        default="sample",
        help="the random sample (default) or the open-link answers (never mixed)",
    )
    parser.add_argument("--format", choices=["json", "csv"], default="json")
    parser.add_argument("-o", "--output", default="-", help="file (default: standard output)")


def handle(command: BaseCommand, wave: Wave, options: dict[str, Any]) -> None:
    items = [code.strip() for code in options["items"].split(",") if code.strip()]
    share = answer_codes(options.get("share"))
    try:
        design = wave_design(wave, base=options["base"], weighted=not options.get("unweighted"))
        rows = estimate_items(design, items, by=options.get("by"), share=share)
    except (AnalysisError, WeightingError) as exc:
        raise CommandError(str(exc)) from exc
    data = estimates_as_json(rows)
    sys.stderr.write(base_statement(design) + "\n")
    buffer = io.StringIO(newline="")
    if options["format"] == "json":
        buffer.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    else:
        writer = csv.DictWriter(buffer, fieldnames=list(JSON_KEYS))
        writer.writeheader()
        for row in data:
            cells = dict(row)
            cells["codes"] = "" if row["codes"] is None else " ".join(map(str, row["codes"]))
            writer.writerow({k: "" if v is None else v for k, v in cells.items()})
    if options["output"] == "-":
        command.stdout.write(buffer.getvalue(), ending="")
    else:
        Path(options["output"]).write_text(buffer.getvalue(), encoding="utf-8")
