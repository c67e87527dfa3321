"""`defus analysis export WAVE --format sav|dta|xlsx|csv -o FILE [--language de]`: the wave's
microdata with weights, written at once by the same function the web page runs in the
background (exports.write_export)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from defus.fieldwork.models import Wave

from ..exports import MICRODATA_KINDS, ExportError, write_export
from ..results import AnalysisError
from ..weighting import WeightingError


def register(actions: Any) -> None:
    parser = actions.add_parser(
        "export",
        help="microdata with weights for SPSS, Stata, Excel or as CSV",
        description="One row per completed questionnaire in random order, every item with its "
        "labels, source, mode, language, sampling district, weight (mean 1 in the weighted "
        "random sample) and weight_pop. -9 no answer, -8 not asked (user-missing in SPSS, .a "
        "and .b in Stata). csv writes a ZIP with data.csv and codebook.csv.",
    )
    parser.add_argument("wave", help="the wave's short name")
    parser.add_argument("--format", required=True, choices=list(MICRODATA_KINDS))
    parser.add_argument("-o", "--output", required=True, help="the file to write")
    parser.add_argument("--language", help="language of the labels (default: the first one)")


def handle(command: BaseCommand, wave: Wave, options: dict[str, Any]) -> None:
    write(command, wave, options["format"], options, by=None)


def write(
    command: BaseCommand, wave: Wave, kind: str, options: dict[str, Any], *, by: str | None
) -> None:
    language = options.get("language") or wave.instrument.languages[0]
    output = Path(options["output"])
    if not output.parent.is_dir():
        raise CommandError(_("Folder not found: %(path)s") % {"path": output.parent})
    try:
        write_export(wave, kind, output, language=language, by=by)
    except (ExportError, WeightingError, AnalysisError) as exc:
        raise CommandError(str(exc)) from exc
    command.stdout.write(_("Written: %(path)s") % {"path": output})
