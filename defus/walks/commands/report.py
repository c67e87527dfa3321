"""`defus walks report WALK_ID -o FILE.pdf|FILE.html [--language de]`: the walk report.

The PDF is the one the web page offers (made once per state of the walk, then reused); the
HTML file is a complete document with the route map inline and the photos embedded."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from defus.core.languages import LANGUAGES

from ..models import Walk
from ..report import build_walk_report, render_report_html, report_pdf

FORMATS = (".pdf", ".html")


def register(actions: Any) -> None:
    parser = actions.add_parser(
        "report",
        help="the report of a neighbourhood walk as PDF or HTML",
        description="Write the report of a walk: participants, the route on a map, each stop "
        "with its checklist, feeling, notes and photos, the issues found and, for a repeat "
        "walk, the comparison with the first walk.",
    )
    parser.add_argument("walk", type=int, help="the walk's number (its id)")
    parser.add_argument(
        "-o", "--output", required=True, help="file to write: FILE.pdf or FILE.html"
    )
    parser.add_argument("--language", choices=LANGUAGES, default="de", help="default: de")


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    walk = Walk.objects.filter(pk=options["walk"]).first()
    if walk is None:
        raise CommandError(_("There is no walk with the number %(id)s.") % {"id": options["walk"]})
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
    if suffix == ".pdf":
        shutil.copyfile(report_pdf(walk, language), output)
    else:
        report = build_walk_report(walk, language, document=True)
        output.write_text(render_report_html(report), encoding="utf-8")
    command.stdout.write(_("Report written to %(path)s.") % {"path": output})
