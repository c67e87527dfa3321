"""`defus analysis report WAVE -o FILE.pdf|FILE.html [--language de]`: the wave report.

The PDF is the one the web page offers (made once per state of the answers and the
weighting, then reused); the HTML file is a complete document with the charts inline."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from defus.core.languages import LANGUAGES
from defus.fieldwork.models import Wave

from ..report import build_report, render_report_html, report_pdf
from ..weighting import WeightingError

FORMATS = (".pdf", ".html")


def register(actions: Any) -> None:
    parser = actions.add_parser(
        "report",
        help="the wave report (summary, modules, districts, places, methods) as PDF or HTML",
        description="Write the report of a wave: key indicators, one chapter per module of the "
        "questionnaire with charts and tables, the districts, unsafe places, the comparison "
        "with the previous wave and the methods. Small groups are suppressed as everywhere.",
    )
    parser.add_argument("wave", help="the wave's short name")
    parser.add_argument(
        "-o", "--output", required=True, help="file to write: FILE.pdf or FILE.html"
    )
    parser.add_argument("--language", choices=LANGUAGES, default="de", help="default: de")


def handle(command: BaseCommand, wave: Wave, options: dict[str, Any]) -> None:
    output = Path(options["output"])
    suffix = output.suffix.lower()
    if suffix not in FORMATS:
        raise CommandError(
            _("The report is written as .pdf or .html; %(name)s is neither.")
            % {"name": output.name}
        )
    if not output.parent.is_dir():
        raise CommandError(_("Folder not found: %(path)s") % {"path": output.parent})
    language = options["language"]
    try:
        if suffix == ".pdf":
            shutil.copyfile(report_pdf(wave, language), output)
        else:
            output.write_text(render_report_html(build_report(wave, language)), encoding="utf-8")
    except WeightingError as exc:
        raise CommandError(
            _("The report cannot be made, because the answers cannot be weighted: %(problem)s")
            % {"problem": exc}
        ) from exc
    command.stdout.write(_("Report written to %(path)s.") % {"path": output})
