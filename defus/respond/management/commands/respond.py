"""defus respond: the respondents' side of a wave from the command line.

defus respond drafts musterstadt-2026
defus respond drafts musterstadt-2026 --purge-open-link-days 30
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from defus.fieldwork.models import Wave
from defus.respond import services


class Command(BaseCommand):
    help = "Questionnaires in progress (drafts) of a wave; clear abandoned open-link drafts."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        drafts = actions.add_parser(
            "drafts",
            help="count drafts in progress; optionally delete abandoned open-link drafts",
        )
        drafts.add_argument("wave", help="the wave's short name, e.g. musterstadt-2026")
        drafts.add_argument(
            "--purge-open-link-days",
            type=int,
            metavar="DAYS",
            help="delete open-link drafts not touched for DAYS days (drafts with a code stay)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wave = Wave.objects.filter(slug=options["wave"]).first()
        if wave is None:
            raise CommandError(f"No wave {options['wave']!r}.")
        days = options.get("purge_open_link_days")
        if days is not None:
            if days < 1:
                raise CommandError("--purge-open-link-days must be at least 1.")
            deleted = services.purge_open_link_drafts(wave, days)
            self.stdout.write(f"Deleted {deleted} open-link draft(s) older than {days} days.")
        counts = services.draft_counts(wave)
        self.stdout.write(
            f"{wave.slug}: {counts['with_code']} in progress with a code, "
            f"{counts['open_link']} via the open link."
        )
