"""`defus analysis`: weighting, estimates, exports and the report of a wave.

defus analysis weight WAVE [--margins FILE] [--trim X]
defus analysis estimate WAVE --items A1,A4 [--by district] [--share 1,2] [--unweighted]
                        [--base sample|open_link] --format json|csv [-o FILE]
defus analysis compare WAVE --item A1 --share 1,2 (--by gender --groups female,male | --with)
defus analysis indices WAVE [--by district]      defus analysis places WAVE
defus analysis export WAVE --format sav|dta|xlsx|csv -o FILE [--language de]
defus analysis tables WAVE [--by district] -o FILE.xlsx
defus analysis report WAVE -o FILE.pdf|FILE.html [--language de]

Each ACTION lives in a module of defus/analysis/commands/ (register + handle).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from defus.analysis.commands import ACTIONS
from defus.fieldwork.models import Wave


class Command(BaseCommand):
    help = "Analysis of a survey wave: weighting, estimates, exports, report."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for action in ACTIONS.values():
            action.register(actions)

    def handle(self, *args: Any, **options: Any) -> None:
        wave = Wave.objects.filter(slug=options["wave"]).first()
        if wave is None:
            raise CommandError(
                _("There is no survey wave with the short name %(slug)s.")
                % {"slug": options["wave"]}
            )
        ACTIONS[options["action"]].handle(self, wave, options)
