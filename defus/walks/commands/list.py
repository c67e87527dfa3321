"""`defus walks list [--org SLUG]`: the walks, newest first, one per line (tab separated:
id, organisation, date, time of day, district, status, stops, title)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils.translation import gettext as _

from defus.organisations.models import Organisation

from ..models import Walk


def register(actions: Any) -> None:
    parser = actions.add_parser("list", help="list the walks (of one organisation)")
    parser.add_argument("--org", metavar="SLUG", help="only this organisation's walks")


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    walks = Walk.objects.select_related("organisation", "district").annotate(
        stop_count=Count("stops")
    )
    if options.get("org"):
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(_("No organisation “%(org)s”.") % {"org": options["org"]})
        walks = walks.filter(organisation=organisation)
    if not walks.exists():
        command.stdout.write(_("No walks yet."))
        return
    for walk in walks:
        command.stdout.write(
            "\t".join(
                [
                    str(walk.pk),
                    walk.organisation.slug,
                    walk.date.isoformat(),
                    walk.time_of_day,
                    walk.district.code,
                    walk.status,
                    str(walk.stop_count),
                    walk.title,
                ]
            )
        )
