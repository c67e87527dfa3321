"""`defus projects`: the forum's projects and the interest in their calls.

defus projects list                          projects with status, programme and open calls
defus projects interests CALL_ID [-o F.csv]  the expressions of interest in a call (CSV)
defus projects import FILE.yaml              create or update a project from a YAML file
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from defus.core.background import synchronous
from defus.projects import services
from defus.projects.models import Call, Project
from defus.projects.views import interests_csv


class Command(BaseCommand):
    help = "Projects: list them, export the interest in a call, import a project from YAML."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("list", help="projects with their open calls")
        interests = actions.add_parser("interests", help="expressions of interest in a call (CSV)")
        interests.add_argument("call", type=int, metavar="CALL_ID")
        interests.add_argument("-o", "--output", help="write to this file instead of the screen")
        load = actions.add_parser("import", help="create or update a project from a YAML file")
        load.add_argument("file", metavar="FILE.yaml")

    def handle(self, *args: Any, **options: Any) -> None:
        with synchronous():
            getattr(self, "do_" + options["action"])(options)

    def do_list(self, options: dict[str, Any]) -> None:
        for project in Project.objects.all():
            period = ""
            if project.start:
                period = (
                    f"{project.start:%Y-%m}–{project.end:%Y-%m}"
                    if project.end
                    else f"{project.start:%Y-%m}–"
                )
            self.stdout.write(
                f"{project.slug}\t{project.get_status_display()}\t{project.programme}\t{period}\t"
                f"{project.title_text('de')}"
            )
            for call in project.calls.all():
                state = "open" if call.accepts_interest else "closed"
                self.stdout.write(
                    f"  call {call.pk}\t{state}\tdeadline {call.deadline:%Y-%m-%d %H:%M}\t"
                    f"{call.interests.count()} interests\t{call.title_text('de')}"
                )
        if not Project.objects.exists():
            self.stdout.write("no projects")

    def do_interests(self, options: dict[str, Any]) -> None:
        call = Call.objects.filter(pk=options["call"]).first()
        if call is None:
            raise CommandError(f"no call {options['call']}")
        header, rows = services.interest_rows(call)
        text = interests_csv(header, rows)
        if options.get("output"):
            Path(options["output"]).write_text("\ufeff" + text, encoding="utf-8")
            self.stdout.write(f"{len(rows)} interests written to {options['output']}")
        else:
            self.stdout.write(text, ending="")

    def do_import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as problem:
            raise CommandError(f"{path}: not a readable YAML file ({problem})") from None
        try:
            project, created = services.import_project(data)
        except services.ProjectFileError as problem:
            raise CommandError(f"{path}: {problem}") from None
        self.stdout.write(f"{'created' if created else 'updated'} {project.slug}")
