"""`defus instrument`: the questionnaire definition on the command line.

defus instrument check FILE
defus instrument list
defus instrument codebook [--version V] [--language de|en|fr] [--format csv|html] [-o FILE]
defus instrument paper [--version V] [--language L] [--wave SLUG] -o FILE.pdf
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from defus.instrument.codebook import codebook_csv, render_codebook_html
from defus.instrument.definition import (
    DEFINITIONS_DIR,
    Instrument,
    InstrumentError,
    available_versions,
    check_definition,
    parse_instrument,
    standard_instrument,
    translate,
)
from defus.instrument.paper import render_paper_pdf

DEFAULT_KEY = "defus-monitor"


def yaml_error_message(exc: yaml.YAMLError) -> str:
    """One line for a YAML syntax error, with its line and column."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return _("not valid YAML at line %(line)d, column %(column)d: %(problem)s") % {
            "line": mark.line + 1,
            "column": mark.column + 1,
            "problem": problem,
        }
    return _("not valid YAML: %(problem)s") % {"problem": problem}


class Command(BaseCommand):
    help = "The questionnaire definition: check a file, list versions, codebook, paper PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        check = actions.add_parser(
            "check",
            help="check a definition file and name the place of every problem",
            description="Check a questionnaire definition (YAML). Prints each problem as "
            "'FILE: place: message' and exits with status 1 if there is one.",
        )
        check.add_argument("file", help="a definition file, e.g. defus-monitor-2026.1.yaml")

        actions.add_parser("list", help="list the instrument versions shipped with DEFUS")

        codebook = actions.add_parser(
            "codebook",
            help="write the codebook (every variable with its values and missing codes)",
        )
        self._add_version_arguments(codebook)
        codebook.add_argument(
            "--format", choices=["csv", "html"], default="csv", help="file format (default csv)"
        )
        codebook.add_argument(
            "-o", "--output", default="-", help="file to write ('-' or nothing: standard output)"
        )

        paper = actions.add_parser("paper", help="write the paper questionnaire as a PDF")
        self._add_version_arguments(paper)
        paper.add_argument(
            "--wave",
            help="a survey wave's short name: print its districts and its own modules",
        )
        paper.add_argument("-o", "--output", required=True, help="PDF file to write")

    def _add_version_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--instrument", default=DEFAULT_KEY, help="instrument key")
        parser.add_argument("--version", help="instrument version (default: the newest)")
        parser.add_argument(
            "--language", help="language, e.g. de, en, fr (default: the instrument's first)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check":
            self.check_file(options["file"])
        elif action == "list":
            self.list_versions()
        elif action == "codebook":
            self.codebook(options)
        elif action == "paper":
            self.paper(options)

    # --- check ----------------------------------------------------------------------------

    def check_file(self, name: str) -> None:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise CommandError(
                _("%(file)s: cannot be read: %(reason)s") % {"file": name, "reason": reason},
                returncode=1,
            ) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CommandError(f"{name}: {yaml_error_message(exc)}", returncode=1) from None
        problems = check_definition(data)
        if problems:
            for problem in problems:
                self.stderr.write(f"{name}: {problem.place}: {problem.message}")
            count = len(problems)
            raise CommandError(
                ngettext(
                    "%(file)s: %(count)d problem found.",
                    "%(file)s: %(count)d problems found.",
                    count,
                )
                % {"file": name, "count": count},
                returncode=1,
            )
        instrument = parse_instrument(data)
        self.stdout.write(f"{name}: {self._summary(instrument)}")

    def _summary(self, instrument: Instrument) -> str:
        return _(
            "OK – %(ident)s: %(modules)d modules, %(questions)d questions, %(items)d items, "
            "languages %(languages)s"
        ) % {
            "ident": instrument.ident,
            "modules": len(instrument.modules),
            "questions": sum(len(m.questions) for m in instrument.modules),
            "items": len(instrument.items),
            "languages": ", ".join(instrument.languages),
        }

    # --- list ---------------------------------------------------------------------------------

    def list_versions(self) -> None:
        versions = available_versions()
        if not versions:
            self.stdout.write(_("No instrument versions in %(dir)s.") % {"dir": DEFINITIONS_DIR})
            return
        for key, version in versions:
            instrument = standard_instrument(key, version)
            self.stdout.write(
                f"{key} {version}\t{translate(instrument.title, 'en')}\t"
                f"{len(instrument.modules)} modules, "
                f"{sum(len(m.questions) for m in instrument.modules)} questions, "
                f"{len(instrument.items)} items, {'/'.join(instrument.languages)}"
            )

    # --- codebook and paper -------------------------------------------------------------------

    def _instrument(self, options: dict[str, Any]) -> tuple[Instrument, str]:
        key, version = options["instrument"], options.get("version")
        try:
            instrument = standard_instrument(key, version)
        except LookupError:
            shipped = ", ".join(f"{k} {v}" for k, v in available_versions())
            raise CommandError(
                _("There is no instrument %(key)s %(version)s. Shipped: %(shipped)s")
                % {"key": key, "version": version or "", "shipped": shipped}
            ) from None
        language = options.get("language") or instrument.languages[0]
        if language not in instrument.languages:
            raise CommandError(
                _("%(ident)s has no language %(language)s; it has %(languages)s.")
                % {
                    "ident": instrument.ident,
                    "language": language,
                    "languages": ", ".join(instrument.languages),
                }
            )
        return instrument, language

    def codebook(self, options: dict[str, Any]) -> None:
        instrument, language = self._instrument(options)
        if options["format"] == "html":
            text = render_codebook_html(instrument, language)
        else:
            text = codebook_csv(instrument, language)
        output = options["output"]
        if output in ("-", ""):
            self.stdout.write(text, ending="")
            return
        self._write(output, text.encode("utf-8"))
        self.stderr.write(_("Codebook written to %(file)s.") % {"file": output})

    def paper(self, options: dict[str, Any]) -> None:
        organisation_name = None
        if options.get("wave"):
            instrument, organisation_name = self._wave_instrument(options["wave"])
            language = options.get("language") or instrument.languages[0]
            if language not in instrument.languages:
                raise CommandError(
                    _("%(ident)s has no language %(language)s; it has %(languages)s.")
                    % {
                        "ident": instrument.ident,
                        "language": language,
                        "languages": ", ".join(instrument.languages),
                    }
                )
        else:
            instrument, language = self._instrument(options)
        pdf = render_paper_pdf(instrument, language, organisation_name=organisation_name)
        self._write(options["output"], pdf)
        self.stderr.write(
            _("Paper questionnaire (%(language)s) written to %(file)s.")
            % {"language": language, "file": options["output"]}
        )

    def _wave_instrument(self, slug: str) -> tuple[Instrument, str]:
        from defus.fieldwork.models import Wave

        wave = Wave.objects.select_related("organisation").filter(slug=slug).first()
        if wave is None:
            raise CommandError(
                _("There is no survey wave with the short name %(slug)s.") % {"slug": slug}
            )
        try:
            return wave.instrument, wave.organisation.name
        except (InstrumentError, LookupError) as exc:
            raise CommandError(str(exc)) from None

    def _write(self, name: str, content: bytes) -> None:
        try:
            Path(name).write_bytes(content)
        except OSError as exc:
            raise CommandError(
                _("%(file)s: cannot be written: %(reason)s")
                % {"file": name, "reason": exc.strerror or exc}
            ) from None
