"""`defus survey`: a wave's answers on the command line (export, import, double-entry check).

defus survey export musterstadt-2026 --format csv -o answers.csv [--codebook FILE]
                    [--language de|en|fr] [--excel]
defus survey import-responses musterstadt-2026 answers.csv
defus survey paper-diff musterstadt-2026
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from defus.fieldwork.models import Wave
from defus.fieldwork.services import paper
from defus.fieldwork.services.csvfiles import MAX_BYTES
from defus.fieldwork.services.exchange import (
    export_codebook_csv,
    export_responses_csv,
    import_responses,
)


class Command(BaseCommand):
    help = "Answers of a survey wave: export with codebook, import, double-entry differences."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        export = actions.add_parser(
            "export",
            help="write a wave's answers (one row per questionnaire) and its codebook",
            description="Write a wave's answers and the codebook. Rows are in random order.",
        )
        export.add_argument("wave", help="the wave's short name, e.g. musterstadt-2026")
        export.add_argument("--format", choices=["csv"], default="csv", help="file format")
        export.add_argument(
            "-o", "--output", required=True, help="answers file ('-' for standard output)"
        )
        export.add_argument(
            "--codebook",
            help="codebook file (default: the answers file with the suffix .codebook.csv)",
        )
        export.add_argument(
            "--language", default="de", help="language of the codebook labels (de, en, fr, …)"
        )
        export.add_argument(
            "--excel",
            action="store_true",
            help="for Excel: UTF-8 with byte order mark and semicolons",
        )

        load = actions.add_parser(
            "import-responses",
            help="store the answers of a CSV file in the export format (all or nothing)",
            description="Import answers; prints every problem by line and stores nothing "
            "if there is one (exit status 1).",
        )
        load.add_argument("wave", help="the wave's short name")
        load.add_argument("file", help="CSV file in the export format")

        diff = actions.add_parser(
            "paper-diff",
            help="list the differences between first and second entries of paper sheets",
        )
        diff.add_argument("wave", help="the wave's short name")

    def handle(self, *args: Any, **options: Any) -> None:
        wave = Wave.objects.filter(slug=options["wave"]).first()
        if wave is None:
            raise CommandError(
                _("There is no survey wave with the short name %(slug)s.")
                % {"slug": options["wave"]}
            )
        action = options["action"]
        if action == "export":
            self.export(wave, options)
        elif action == "import-responses":
            self.import_responses(wave, options["file"])
        else:
            self.paper_diff(wave)

    # --- export ---------------------------------------------------------------------------

    def export(self, wave: Wave, options: dict[str, Any]) -> None:
        language = options["language"]
        languages = wave.instrument.languages
        if language not in languages:
            raise CommandError(
                _("The questionnaire has no language %(language)s; choose one of %(languages)s.")
                % {"language": language, "languages": ", ".join(languages)}
            )
        excel = bool(options["excel"])
        output = options["output"]
        codebook = options.get("codebook")
        if output == "-":
            out = cast(TextIO, _Raw(self.stdout))
            count = export_responses_csv(wave, out, language=language, excel=excel)
        else:
            target = Path(output)
            codebook = codebook or str(target.with_suffix(".codebook.csv"))
            if Path(codebook).resolve() == target.resolve():
                raise CommandError(_("The codebook needs a file name of its own."))
            count = _write(target, lambda out: export_responses_csv(wave, out, excel=excel))
        if codebook:
            _write(
                Path(codebook),
                lambda out: export_codebook_csv(wave, out, language, excel=excel),
            )
        message = ngettext(
            "%(count)d questionnaire written to %(file)s.",
            "%(count)d questionnaires written to %(file)s.",
            count,
        ) % {"count": count, "file": output if output != "-" else _("standard output")}
        if codebook:
            message += " " + _("Codebook: %(file)s.") % {"file": codebook}
        # With the answers on standard output, the summary must not mix into them.
        (self.stderr if output == "-" else self.stdout).write(message)

    # --- import ---------------------------------------------------------------------------

    def import_responses(self, wave: Wave, file: str) -> None:
        path = Path(file)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(
                    _("The file is larger than %(size)d MB; please split it.")
                    % {"size": MAX_BYTES // (1024 * 1024)}
                )
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": file, "reason": error.strerror}
            ) from None
        result = import_responses(wave, data)
        for warning in result.warnings:
            self.stderr.write(_("note: %(text)s") % {"text": warning})
        if not result.ok:
            for problem in result.errors:
                self.stderr.write(str(problem))
            raise CommandError(
                ngettext(
                    "Nothing imported: %(count)d problem.",
                    "Nothing imported: %(count)d problems.",
                    result.error_count,
                )
                % {"count": result.error_count},
                returncode=1,
            )
        self.stdout.write(
            ngettext(
                "%(count)d questionnaire imported into %(wave)s.",
                "%(count)d questionnaires imported into %(wave)s.",
                result.created,
            )
            % {"count": result.created, "wave": wave.slug}
        )

    # --- double entry ---------------------------------------------------------------------

    def paper_diff(self, wave: Wave) -> None:
        sheets = paper.open_sheets(wave)
        differing = [s for s in sheets if s.second is not None]
        waiting = [s.sheet for s in sheets if s.second is None]
        if not sheets:
            self.stdout.write(_("No open paper sheets: every entered sheet is stored."))
            return
        for state in differing:
            self.stdout.write(
                ngettext(
                    "sheet %(sheet)s: %(count)d difference",
                    "sheet %(sheet)s: %(count)d differences",
                    len(state.differences),
                )
                % {"sheet": state.sheet, "count": len(state.differences)}
            )
            for difference in state.differences:
                self.stdout.write(
                    "  "
                    + _("%(item)s: entry 1 = %(first)s, entry 2 = %(second)s")
                    % {
                        "item": difference.key,
                        "first": _show(difference.first),
                        "second": _show(difference.second),
                    }
                )
        if waiting:
            self.stdout.write(
                _("waiting for a second entry: %(sheets)s") % {"sheets": ", ".join(waiting)}
            )


class _Raw:
    """Command output as a plain text stream (no line ending added to each write)."""

    def __init__(self, wrapper: OutputWrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> int:
        self.wrapper.write(text, ending="")
        return len(text)


def _show(value: Any) -> str:
    return _("(empty)") if value is None else str(value)


def _write(target: Path, write: Any) -> int:
    """Write through a temporary file next to `target`, so a failed export leaves no half file."""
    partial = target.with_name(target.name + ".partial")
    try:
        with open(partial, "w", encoding="utf-8", newline="") as out:
            count = write(out)
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CommandError(
            _("Cannot write %(file)s: %(reason)s") % {"file": target, "reason": error.strerror}
        ) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return int(count)
