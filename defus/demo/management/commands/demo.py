"""`defus demo`: load the demo cities Musterstadt and Beispielburg (safe to run again)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from defus.demo.musterstadt import PASSWORD, DemoResult, PersonSpec, build_demo


class Command(BaseCommand):
    help = (
        "Load the demo: Musterstadt with a wave in the field, Beispielburg with a closed "
        "wave, and demo logins. Safe to run again: what exists is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo waves and build them again (with new access codes)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = build_demo(reset=options["reset"])
        self.report(result, time.perf_counter() - started)

    def report(self, result: DemoResult, seconds: float) -> None:
        write = self.stdout.write
        for wave in result.waves:
            if wave.created:
                line = _("%(org)s: created the wave %(slug)s.")
            else:
                line = _("%(org)s: the wave %(slug)s exists already; left as it is.")
            write(self.style.SUCCESS(line % {"org": wave.organisation, "slug": wave.slug}))
            write(
                "  "
                + _(
                    "%(districts)d districts, %(places)d named places, %(sample)d persons in "
                    "the sample, %(used)d codes used, %(responses)d answers (%(open)d of "
                    "them via the open link)."
                )
                % {
                    "districts": wave.districts,
                    "places": wave.places,
                    "sample": wave.sample,
                    "used": wave.used_codes,
                    "responses": wave.responses,
                    "open": wave.open_link_responses,
                }
            )
        if result.cycle:
            if result.cycle_created:
                line = _(
                    "%(org)s: added two neighbourhood walks, a workshop, findings and two "
                    "priorities with measures."
                )
            else:
                line = _("%(org)s: walks, workshop and measures exist already; left as they are.")
            write(self.style.SUCCESS(line % {"org": result.cycle}))
        write("")
        write(_("Logins (password %(password)s for all):") % {"password": PASSWORD})
        for person in result.people:
            write(f"  {person.email:<30} {role_text(person, result.organisations)}")
        write("")
        write(_("Wave: %(slug)s") % {"slug": result.wave_slug})
        if result.trial_codes:
            write(_("Unused access codes to try the questionnaire:"))
            for code in result.trial_codes:
                write(f"  {code}")
        if result.open_link:
            write(_("Open link: %(url)s") % {"url": result.open_link})
        write(_("Done in %(seconds).1f s.") % {"seconds": seconds})


def role_text(person: PersonSpec, organisations: dict[str, str]) -> str:
    if person.forum_staff:
        return _("forum staff: every organisation, the instrument, the Django admin")
    roles = {
        "admin": _("organisation admin of %(org)s"),
        "analyst": _("analyst of %(org)s"),
        "member": _("member of %(org)s"),
    }
    organisation = organisations.get(person.organisation or "", person.organisation or "")
    return roles.get(person.role or "", "%(org)s") % {"org": organisation}
