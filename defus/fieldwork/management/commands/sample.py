"""`defus sample`: the sample of a wave on the command line.

defus sample import WAVE FILE.csv              (all rows or none; problems by line, exit 1)
defus sample letters WAVE -o FILE.pdf [--reminders] [--language de|en|fr] [--part N]
defus sample discard WAVE --yes                (before invitation letters are printed)
defus sample delete WAVE --yes                 (after fieldwork: names and addresses)
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from defus.fieldwork.services import letters as letter_service
from defus.fieldwork.services import sample as sample_service
from defus.fieldwork.services.waves import WaveError, wave_by_slug

from .wave import read_file


class Command(BaseCommand):
    help = "The sample of a wave: import from the register, print letters, discard or delete."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        load = actions.add_parser(
            "import",
            help="import the sample from a CSV file (all rows or none)",
            description="Columns salutation, first_name, last_name, street, postcode, city, "
            "district (German headers such as Anrede, Vorname, Nachname, Straße, PLZ, Ort, "
            "Stadtteil are understood). Prints every problem by line; exit status 1.",
        )
        load.add_argument("wave", help="the wave's short name")
        load.add_argument("file", help="CSV file")

        letters = actions.add_parser("letters", help="write invitation or reminder letters (PDF)")
        letters.add_argument("wave", help="the wave's short name")
        letters.add_argument("-o", "--output", required=True, help="PDF file to write")
        letters.add_argument(
            "--reminders",
            action="store_true",
            help="reminders for persons whose code is unused (marks them reminded)",
        )
        letters.add_argument(
            "--language", choices=list(letter_service.LANGUAGES), default="de", help="language"
        )
        letters.add_argument(
            "--part",
            type=int,
            help="only part N (DEFUS_LETTERS_PER_PDF letters each, default 20000, file order)",
        )

        discard = actions.add_parser(
            "discard", help="remove the sample and its codes (only before letters are printed)"
        )
        discard.add_argument("wave", help="the wave's short name")
        discard.add_argument("--yes", action="store_true", help="confirm")

        delete = actions.add_parser(
            "delete", help="delete names and addresses after fieldwork (codes and answers stay)"
        )
        delete.add_argument("wave", help="the wave's short name")
        delete.add_argument("--yes", action="store_true", help="confirm")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            wave = wave_by_slug(options["wave"])
        except WaveError as error:
            raise CommandError(error.message) from error
        action = options["action"]
        try:
            if action == "import":
                self.handle_import(wave, options)
            elif action == "letters":
                self.handle_letters(wave, options)
            else:
                self.handle_remove(wave, action, options)
        except (sample_service.SampleError, letter_service.LettersError) as error:
            raise CommandError(error.message) from error

    def handle_import(self, wave: Any, options: dict[str, Any]) -> None:
        data = read_file(options["file"]) or b""
        result = sample_service.import_sample(wave, data)
        if not result.ok:
            for problem in result.errors:
                self.stderr.write(str(problem))
            raise CommandError(
                ngettext(
                    "%(count)d problem; nothing was imported.",
                    "%(count)d problems; nothing was imported.",
                    len(result.errors),
                )
                % {"count": len(result.errors)}
            )
        self.stdout.write(
            ngettext(
                "%(count)d person imported, each with an access code.",
                "%(count)d persons imported, each with an access code.",
                result.created,
            )
            % {"count": result.created}
        )

    def handle_letters(self, wave: Any, options: dict[str, Any]) -> None:
        started = time.perf_counter()
        make = (
            letter_service.reminder_letters_pdf
            if options["reminders"]
            else letter_service.invitation_letters_pdf
        )
        pdf = make(wave, options["language"], part=options.get("part"))
        try:
            Path(options["output"]).write_bytes(pdf)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(reason)s")
                % {"path": options["output"], "reason": error.strerror}
            ) from error
        self.stdout.write(
            _("Wrote %(path)s (%(size)d kB) in %(seconds).1f s.")
            % {
                "path": options["output"],
                "size": len(pdf) // 1024,
                "seconds": time.perf_counter() - started,
            }
        )

    def handle_remove(self, wave: Any, action: str, options: dict[str, Any]) -> None:
        if not options["yes"]:
            raise CommandError(_("Add --yes to confirm."))
        if action == "discard":
            count = sample_service.discard_sample(wave)
            self.stdout.write(
                ngettext(
                    "The sample of %(count)d person and its codes were discarded.",
                    "The sample of %(count)d persons and its codes were discarded.",
                    count,
                )
                % {"count": count}
            )
        else:
            count = sample_service.delete_sample(wave)
            self.stdout.write(
                ngettext(
                    "Name and address of %(count)d person were deleted; codes and answers stay.",
                    "Names and addresses of %(count)d persons were deleted; codes and answers "
                    "stay.",
                    count,
                )
                % {"count": count}
            )
