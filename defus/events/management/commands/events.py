"""`defus events`: the waiting list's clock, reminders and deleting registrants' data.

defus events tick     expire offers not accepted in time (the place passes on) and send
                      reminders for events starting within 24 hours; run it every few
                      minutes from cron or a systemd timer
defus events purge    delete registrants' personal data of events whose retention period
                      has passed (or of one event: --event SLUG, once it is over)
defus events list     upcoming events with their counts
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from defus.core.background import synchronous
from defus.events import services
from defus.events.models import Event


class Command(BaseCommand):
    help = "Events: expire waiting-list offers, send reminders, delete registrants' data."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("tick", help="expire offers, send reminders")
        purge = actions.add_parser("purge", help="delete personal data after events")
        purge.add_argument("--event", help="only this event (slug), at once if it is over")
        actions.add_parser("list", help="upcoming events with their counts")

    def handle(self, *args: Any, **options: Any) -> None:
        with synchronous():
            getattr(self, "do_" + options["action"])(options)

    def do_tick(self, options: dict[str, Any]) -> None:
        expired = services.expire_offers()
        reminded = services.send_reminders()
        self.stdout.write(f"expired offers: {expired}; reminders sent: {reminded}")

    def do_purge(self, options: dict[str, Any]) -> None:
        if options.get("event"):
            event = Event.objects.filter(slug=options["event"]).first()
            if event is None:
                raise CommandError(f"no event {options['event']!r}")
            if not event.has_ended:
                raise CommandError("the event is not over yet")
            done = [(event, services.purge_personal_data(event))]
        else:
            done = services.purge_due_events()
        for event, number in done:
            self.stdout.write(f"{event.slug}: {number} registrations anonymised")
        if not done:
            self.stdout.write("nothing to delete")

    def do_list(self, options: dict[str, Any]) -> None:
        for event in Event.objects.filter(end__gte=timezone.now()):
            c = services.counts(event)
            free = "unlimited" if c.free is None else c.free
            self.stdout.write(
                f"{event.slug}\t{timezone.localtime(event.start):%Y-%m-%d %H:%M}\t"
                f"confirmed {c.confirmed}, offered {c.offered}, waiting {c.waiting}, free {free}"
            )
