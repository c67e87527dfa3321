"""`defus exchange`: the notifications' email digest and a look at groups and notifications.

defus exchange digest --daily       send the daily digests (run once a day from cron)
defus exchange digest --weekly      send the weekly digests (run once a week)
defus exchange groups               the working groups and topic spaces with their numbers
defus exchange notifications EMAIL  a person's unread notifications
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from defus.exchange.digest import send_digests
from defus.exchange.models import Notification, Thread, WorkingGroup
from defus.organisations.models import User


class Command(BaseCommand):
    help = "Exchange: send notification digests, list groups and a person's notifications."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        digest = actions.add_parser("digest", help="send the email digests")
        frequency = digest.add_mutually_exclusive_group(required=True)
        frequency.add_argument("--daily", action="store_true", help="the daily digests")
        frequency.add_argument("--weekly", action="store_true", help="the weekly digests")
        actions.add_parser("groups", help="working groups and topic spaces")
        notifications = actions.add_parser("notifications", help="a person's unread notifications")
        notifications.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "do_" + options["action"])(options)

    def do_digest(self, options: dict[str, Any]) -> None:
        frequency = "daily" if options["daily"] else "weekly"
        sent = send_digests(frequency)
        self.stdout.write(f"{frequency} digests sent: {sent}")

    def do_groups(self, options: dict[str, Any]) -> None:
        for group in WorkingGroup.objects.all():
            self.stdout.write(
                f"{group.slug:<32} {group.kind:<14} {group.access:<11} "
                f"members {group.members.count():>3}  discussions {group.threads.count():>3}  "
                f"documents {group.documents.count():>3}  {group.name_text('de')}"
            )
        questions = Thread.objects.filter(group=None).count()
        self.stdout.write(f"questions to peers: {questions}")

    def do_notifications(self, options: dict[str, Any]) -> None:
        person = User.objects.filter(email=options["email"].strip().lower()).first()
        if person is None:
            raise CommandError(f"nobody with the email address {options['email']!r}")
        unread = Notification.objects.filter(user=person, read_at__isnull=True)
        with translation.override(person.preferred_language or "de"):
            for notification in unread:
                when = notification.created.strftime("%Y-%m-%d %H:%M")
                self.stdout.write(f"{when}  {notification.text()}  {notification.url}")
        self.stdout.write(f"unread: {unread.count()}")
