"""`defus walks workshops`: the focused workshops of an organisation.

defus walks workshops list ORG [--json]
defus walks workshops show ID          (JSON with participants, findings and documents)
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from defus.organisations.models import Organisation

from ..models import Workshop
from ..services import workshops as service


def register(actions: Any) -> None:
    parser = actions.add_parser("workshops", help="list focused workshops, show one as JSON")
    sub = parser.add_subparsers(dest="workshops_action", required=True, metavar="ACTION")
    listing = sub.add_parser("list", help="the workshops of an organisation")
    listing.add_argument("org", help="the organisation's short name")
    listing.add_argument("--json", action="store_true", help="as JSON (with findings)")
    show = sub.add_parser("show", help="one workshop with its findings and documents, as JSON")
    show.add_argument("id", type=int, help="the workshop's number (see list)")


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    if options["workshops_action"] == "list":
        _list(command, options)
    else:
        _show(command, options)


def _list(command: BaseCommand, options: dict[str, Any]) -> None:
    organisation = Organisation.objects.filter(slug=options["org"]).first()
    if organisation is None:
        raise CommandError(_("There is no organisation “%(slug)s”.") % {"slug": options["org"]})
    workshops = list(service.workshops_of(organisation).select_related("organisation"))
    if options.get("json"):
        data = [service.workshop_as_dict(workshop) for workshop in workshops]
        command.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for workshop in workshops:
        command.stdout.write(
            f"{workshop.pk:>5}  {workshop.date}  {service.participant_total(workshop):>4}  "
            f"{workshop.findings.count():>3}  {workshop.title}"
        )


def _show(command: BaseCommand, options: dict[str, Any]) -> None:
    workshop = (
        Workshop.objects.select_related("organisation", "wave", "district")
        .filter(pk=options["id"])
        .first()
    )
    if workshop is None:
        raise CommandError(_("There is no workshop number %(id)d.") % {"id": options["id"]})
    data = service.workshop_as_dict(workshop)
    command.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
