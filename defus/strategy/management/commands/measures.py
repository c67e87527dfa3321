"""`defus measures`: the strategy of an organisation from the command line.

defus measures list ORG                                   priorities with their measures
defus measures report ORG -o FILE.pdf|FILE.html [--language de]   the one-page overview
defus measures import-crime ORG FILE.csv                  recorded crime (as the upload)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from defus.core.languages import LANGUAGES
from defus.organisations.models import Organisation
from defus.strategy.crime import import_crime
from defus.strategy.evaluation import evaluate, evaluation_table
from defus.strategy.overview import (
    format_budget,
    format_period,
    overview_pdf,
    priorities_of,
    render_overview_html,
)

FORMATS = (".pdf", ".html")


class Command(BaseCommand):
    help = "The strategy of an organisation: priorities and measures, overview, recorded crime."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = actions.add_parser(
            "list", help="priorities with their indicator (baseline → now → target) and measures"
        )
        listing.add_argument("organisation", help="the organisation's short name")
        listing.add_argument("--language", choices=LANGUAGES, default="de", help="default: de")
        report = actions.add_parser(
            "report", help="the one-page overview for the council as PDF or HTML"
        )
        report.add_argument("organisation", help="the organisation's short name")
        report.add_argument("-o", "--output", required=True, help="FILE.pdf or FILE.html")
        report.add_argument("--language", choices=LANGUAGES, default="de", help="default: de")
        crime = actions.add_parser(
            "import-crime",
            help="recorded crime from a CSV file (district;year;category;count)",
            description="Import recorded crime: one row per district, year and offence "
            "category. All or nothing; a district, year and category imported again replaces "
            "its count.",
        )
        crime.add_argument("organisation", help="the organisation's short name")
        crime.add_argument("file", help="the CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(
                _("There is no organisation with the short name %(slug)s.")
                % {"slug": options["organisation"]}
            )
        action = options["action"]
        if action == "list":
            with translation.override(options["language"]):
                self.list(organisation, options["language"])
        elif action == "report":
            self.report(organisation, Path(options["output"]), options["language"])
        else:
            self.import_crime(organisation, Path(options["file"]))

    def list(self, organisation: Organisation, language: str) -> None:
        priorities = priorities_of(organisation)
        if not priorities:
            self.stdout.write(_("No priorities yet."))
            return
        for number, priority in enumerate(priorities, start=1):
            figure = evaluation_table(evaluate(priority, language), language)
            self.stdout.write(f"{number}. {priority.problem}")
            now = figure["current"]["value"] if figure["current"] else _("no later wave yet")
            self.stdout.write(
                "   "
                + _(
                    "%(indicator)s (%(who)s): baseline %(baseline)s, now %(now)s, target %(target)s"
                )
                % {
                    "indicator": figure["label"],
                    "who": figure["who"],
                    "baseline": figure["baseline"]["value"],
                    "now": now,
                    "target": figure["target"],
                }
                + (f" – {figure['status']}" if figure["status"] else "")
            )
            for measure in priority.measures.all():
                details = [measure.department, measure.get_status_display()]
                if format_period(measure):
                    details.append(format_period(measure))
                if measure.budget is not None:
                    details.append(format_budget(measure.budget, language))
                self.stdout.write(f"   - {measure.title} ({', '.join(details)})")

    def report(self, organisation: Organisation, output: Path, language: str) -> None:
        suffix = output.suffix.lower()
        if suffix not in FORMATS:
            raise CommandError(
                _("The overview is written as .pdf or .html; %(name)s is neither.")
                % {"name": output.name}
            )
        if not output.parent.is_dir():
            raise CommandError(_("Folder not found: %(path)s") % {"path": output.parent})
        if suffix == ".pdf":
            output.write_bytes(overview_pdf(organisation, language))
        else:
            output.write_text(render_overview_html(organisation, language), encoding="utf-8")
        self.stdout.write(_("Overview written to %(path)s.") % {"path": output})

    def import_crime(self, organisation: Organisation, path: Path) -> None:
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        result = import_crime(organisation, path.read_bytes())
        if not result.ok:
            problems = [str(p) for p in result.problems]
            if result.more_problems:
                problems.append(_("… and %(count)d more.") % {"count": result.more_problems})
            raise CommandError(_("Nothing was imported.") + "\n" + "\n".join(problems))
        self.stdout.write(
            _("%(count)d figures imported (%(new)d new, %(replaced)d replaced).")
            % {
                "count": result.created + result.replaced,
                "new": result.created,
                "replaced": result.replaced,
            }
        )
