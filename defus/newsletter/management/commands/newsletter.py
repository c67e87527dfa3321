"""`defus newsletter`: subscribers, sending an issue, bounces, previews.

defus newsletter subscribers                 counts by status and language
defus newsletter send ISSUE_NUMBER           send the issue to every confirmed subscriber who
                                             has not got it (safe to run again: no second copy)
defus newsletter bounce EMAIL...             mark addresses as bounced (never written to again)
defus newsletter bounces FILE                the same for a file with one address a line
defus newsletter preview ISSUE_NUMBER [--language fr]   the issue as text, as a subscriber reads it
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from defus.core.background import synchronous
from defus.newsletter import services
from defus.newsletter.models import Issue


class Command(BaseCommand):
    help = "Newsletter: subscriber counts, sending an issue, bounces, previews."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("subscribers", help="counts by status and language")
        send = actions.add_parser("send", help="send an issue")
        send.add_argument("number", type=int, metavar="ISSUE_NUMBER")
        bounce = actions.add_parser("bounce", help="mark addresses as bounced")
        bounce.add_argument("emails", nargs="+", metavar="EMAIL")
        bounces = actions.add_parser("bounces", help="mark the addresses of a file as bounced")
        bounces.add_argument("file", metavar="FILE")
        preview = actions.add_parser("preview", help="an issue as text in a language")
        preview.add_argument("number", type=int, metavar="ISSUE_NUMBER")
        preview.add_argument("--language", default="de", choices=services.LANGUAGE_CODES)

    def handle(self, *args: Any, **options: Any) -> None:
        with synchronous():
            getattr(self, "do_" + options["action"])(options)

    def _issue(self, number: int) -> Issue:
        issue = Issue.objects.filter(number=number).first()
        if issue is None:
            raise CommandError(f"no issue {number}")
        return issue

    def do_subscribers(self, options: dict[str, Any]) -> None:
        languages = services.LANGUAGE_CODES
        self.stdout.write("status\t" + "\t".join(languages) + "\ttotal")
        for status, row in services.counts().items():
            self.stdout.write(
                f"{status}\t"
                + "\t".join(str(row[code]) for code in languages)
                + f"\t{row['total']}"
            )

    def do_send(self, options: dict[str, Any]) -> None:
        issue = self._issue(options["number"])
        if issue.status == Issue.Status.SENT:
            self.stdout.write(f"issue {issue.number} was sent already; nothing sent")
            return
        try:
            services.start_sending(issue)
        except services.SendRefused as refusal:
            raise CommandError(f"issue {issue.number}: {refusal}") from None
        sent = services.send_issue(issue.pk)
        issue.refresh_from_db()
        self.stdout.write(f"issue {issue.number}: {sent} messages sent; status {issue.status}")

    def _bounce(self, emails: list[str]) -> None:
        marked, unknown = services.mark_bounced(emails)
        self.stdout.write(f"{marked} marked as bounced")
        for email in unknown:
            self.stderr.write(f"not a subscriber: {email}")

    def do_bounce(self, options: dict[str, Any]) -> None:
        self._bounce(options["emails"])

    def do_bounces(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not a UTF-8 text file") from None
        self._bounce(services.addresses_in_bounce_file(text))

    def do_preview(self, options: dict[str, Any]) -> None:
        issue = self._issue(options["number"])
        rendered = services.render_issue(issue, options["language"])
        text, _html = rendered.for_subscriber("(unsubscribe link)")
        self.stdout.write(f"Subject: {rendered.subject}\n\n{text}")
