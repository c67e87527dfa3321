"""`defus members`: member organisations, the directory, invitations and applications.

defus members list                              member organisations
defus members people [--org SLUG] [--as EMAIL]  the directory as EMAIL sees it (default: the
                                                forum staff's view; hidden fields stay hidden)
defus members export -o FILE.csv --as EMAIL     the directory as CSV, as EMAIL sees it
defus members invite ORG EMAIL --role R [--position P] [--language L] [--by EMAIL]
defus members status ORG STATUS --by EMAIL [--note TEXT]   applicant / member / former
defus members applications [--status S]         membership applications
defus members approve ID --by EMAIL [--message TEXT]
defus members reject ID --by EMAIL --message TEXT
"""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from defus.core.background import synchronous
from defus.members import directory, services
from defus.members.models import Application
from defus.organisations.models import Membership, Organisation, User
from defus.organisations.permissions import is_forum_staff


class Command(BaseCommand):
    help = "Members: member organisations, the directory, invitations and applications."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("list", help="member organisations")
        people = actions.add_parser("people", help="the directory")
        people.add_argument("--org", help="only this organisation (slug)")
        people.add_argument("--as", dest="viewer", help="as this person sees it (email)")
        export = actions.add_parser("export", help="the directory as CSV")
        export.add_argument("-o", "--output", required=True)
        export.add_argument("--as", dest="viewer", required=True, help="email of the viewer")
        export.add_argument("--org", help="only this organisation (slug)")
        invite = actions.add_parser("invite", help="invite a person into an organisation")
        invite.add_argument("org")
        invite.add_argument("email")
        invite.add_argument("--role", required=True, choices=Membership.Role.values)
        invite.add_argument("--position", default="")
        invite.add_argument("--language", default="de", choices=["de", "en", "fr"])
        invite.add_argument("--by", help="email of the inviting person")
        status = actions.add_parser("status", help="change an organisation's membership status")
        status.add_argument("org")
        status.add_argument("status", choices=Organisation.MembershipStatus.values)
        status.add_argument("--by", required=True)
        status.add_argument("--note", default="")
        applications = actions.add_parser("applications", help="membership applications")
        applications.add_argument("--status", choices=Application.Status.values)
        approve = actions.add_parser("approve", help="approve an application")
        approve.add_argument("id", type=int)
        approve.add_argument("--by", required=True)
        approve.add_argument("--message", default="")
        reject = actions.add_parser("reject", help="reject an application")
        reject.add_argument("id", type=int)
        reject.add_argument("--by", required=True)
        reject.add_argument("--message", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        with synchronous(), translation.override("en"):
            try:
                getattr(self, "do_" + options["action"])(options)
            except services.MembersError as problem:
                raise CommandError(str(problem)) from problem

    # --- helpers ---

    def _person(self, email: str | None) -> User:
        user = User.objects.filter(email__iexact=(email or "").strip()).first()
        if user is None:
            raise CommandError(f"no person with the email address {email!r}")
        return user

    def _staff(self, email: str) -> User:
        user = self._person(email)
        if not is_forum_staff(user):
            raise CommandError(f"{email} is not forum staff")
        return user

    def _organisation(self, slug: str) -> Organisation:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"no organisation {slug!r}")
        return organisation

    def _application(self, pk: int) -> Application:
        application = Application.objects.filter(pk=pk).first()
        if application is None:
            raise CommandError(f"no application {pk}")
        return application

    def _directory(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        viewer: User | None = directory.STAFF_VIEW
        if options.get("viewer"):
            viewer = self._person(options["viewer"])
            if not directory.can_use(viewer):
                raise CommandError(f"{viewer.email} does not belong to a member organisation")
        organisation = options.get("org") or ""
        if organisation:
            self._organisation(organisation)
        return directory.directory(viewer, organisation=organisation)

    # --- actions ---

    def do_list(self, options: dict[str, Any]) -> None:
        for o in Organisation.objects.filter(is_member=True).order_by("name"):
            since = o.member_since.isoformat() if o.member_since else ""
            population = str(o.population or "")
            self.stdout.write(f"{o.slug}\t{o.name}\t{o.kind}\t{o.country}\t{population}\t{since}")

    def do_people(self, options: dict[str, Any]) -> None:
        for entry in self._directory(options):
            fields = [entry["name"], ", ".join(entry["organisations"])]
            fields += [entry[name] for name in directory.FIELDS if name != "bio"]
            self.stdout.write("\t".join(fields))

    def do_export(self, options: dict[str, Any]) -> None:
        rows = directory.csv_rows(self._directory(options))
        with open(options["output"], "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, delimiter=";").writerows(rows)
        self.stdout.write(f"{len(rows) - 1} people written to {options['output']}")

    def do_invite(self, options: dict[str, Any]) -> None:
        organisation = self._organisation(options["org"])
        by = self._person(options["by"]) if options.get("by") else None
        invitation = services.invite(
            organisation,
            options["email"],
            options["role"],
            position=options["position"],
            language=options["language"],
            by=by,
        )
        self.stdout.write(
            f"invited {invitation.email} to {organisation.slug} as {invitation.role}; "
            f"valid until {invitation.expires:%Y-%m-%d %H:%M}"
        )

    def do_status(self, options: dict[str, Any]) -> None:
        organisation = self._organisation(options["org"])
        services.set_membership_status(
            organisation, options["status"], self._staff(options["by"]), options["note"]
        )
        self.stdout.write(f"{organisation.slug}: {options['status']}")

    def do_applications(self, options: dict[str, Any]) -> None:
        items = Application.objects.all()
        if options.get("status"):
            items = items.filter(status=options["status"])
        for a in items:
            self.stdout.write(
                f"{a.pk}\t{a.created:%Y-%m-%d}\t{a.status}\t{a.organisation_name}\t{a.country}\t"
                f"{a.contact_name} <{a.contact_email}>"
            )

    def do_approve(self, options: dict[str, Any]) -> None:
        organisation = services.approve_application(
            self._application(options["id"]), self._staff(options["by"]), options["message"]
        )
        self.stdout.write(f"approved: {organisation.slug} is a member; its contact is invited")

    def do_reject(self, options: dict[str, Any]) -> None:
        services.reject_application(
            self._application(options["id"]), self._staff(options["by"]), options["message"]
        )
        self.stdout.write(f"rejected: application {options['id']}")
