"""`defus events`: the waiting list's clock, reminders and deleting registrants' data.

defus events tick     expire offers not accepted in time (the place passes on) and send
                      reminders for events starting within 24 hours; run it every few
                      minutes from cron or a systemd timer
defus events purge    delete registrants' personal data of events whose retention period
                      has passed (or of one event: --event SLUG, once it is over)
defus events list     upcoming events with their counts
defus events register-group EVENT ORG --by ADMIN_EMAIL --people EMAIL [EMAIL …]
                      [--voting EMAIL]   an organisation's admin registers several of its
                      people (places in the order given, the others on the waiting list)
defus events import FILE.yaml   create or update an event (programme included) from a file,
                      checked by the same rules as the organisers' form
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from defus.core.background import synchronous
from defus.events import services
from defus.events.models import Event
from defus.organisations.models import Organisation, User


class Command(BaseCommand):
    help = "Events: expire waiting-list offers, send reminders, delete registrants' data."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("tick", help="expire offers, send reminders")
        purge = actions.add_parser("purge", help="delete personal data after events")
        purge.add_argument("--event", help="only this event (slug), at once if it is over")
        actions.add_parser("list", help="upcoming events with their counts")
        group = actions.add_parser(
            "register-group", help="register several people of an organisation"
        )
        group.add_argument("event", help="the event's short name (slug)")
        group.add_argument("organisation", help="the organisation's short name (slug)")
        group.add_argument("--by", required=True, help="email of the organisation's admin")
        group.add_argument("--people", nargs="+", required=True, metavar="EMAIL")
        group.add_argument("--voting", metavar="EMAIL", help="the voting representative")
        load = actions.add_parser("import", help="create or update an event from a YAML file")
        load.add_argument("file", help="the event's YAML file")

    def handle(self, *args: Any, **options: Any) -> None:
        with synchronous():
            getattr(self, "do_" + options["action"].replace("-", "_"))(options)

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

    def do_register_group(self, options: dict[str, Any]) -> None:
        event = Event.objects.filter(slug=options["event"]).first()
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if event is None or organisation is None:
            raise CommandError("no such event or organisation")
        emails = [e.lower() for e in options["people"]]
        people = {u.email: u for u in User.objects.filter(email__in=emails)}
        unknown = [e for e in emails if e not in people]
        if unknown:
            raise CommandError("no account for: " + ", ".join(unknown))
        by = User.objects.filter(email=options["by"].lower()).first()
        if by is None:
            raise CommandError(f"no account for {options['by']}")
        voting = None
        if options.get("voting"):
            voting = people.get(options["voting"].lower())
            if voting is None:
                raise CommandError("the voting representative must be one of --people")
        try:
            made = services.register_group(
                event,
                organisation,
                [people[e] for e in emails],
                by=by,
                voting_representative=voting,
            )
        except services.RegistrationRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        for registration in made:
            self.stdout.write(f"{registration.contact_email}\t{registration.status}")
        skipped = len(emails) - len(made)
        if skipped:
            self.stdout.write(f"already registered: {skipped}")

    def do_import(self, options: dict[str, Any]) -> None:
        from defus.events.yamlfile import load_event_file

        try:
            event = load_event_file(options["file"])
        except (OSError, ValueError) as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(f"{event.slug}\t{event.title_text()}")

    def do_list(self, options: dict[str, Any]) -> None:
        for event in Event.objects.filter(end__gte=timezone.now()):
            c = services.counts(event)
            free = "unlimited" if c.free is None else c.free
            self.stdout.write(
                f"{event.slug}\t{timezone.localtime(event.start):%Y-%m-%d %H:%M}\t"
                f"confirmed {c.confirmed}, offered {c.offered}, waiting {c.waiting}, free {free}"
            )
