"""`defus walks plan`: plan a walk with its route from a CSV file of stops.

    defus walks plan --district-wave WAVE --district CODE --date 2026-05-12 \\
        --time-of-day night --title "Bahnhofsviertel after dark" --stops route.csv

The CSV has the columns name;latitude;longitude (comma or semicolon separated, decimal point
or comma); every problem is reported as "line N, column X: …" and nothing is stored then.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from defus.fieldwork.management.commands.wave import read_file
from defus.fieldwork.models import District, Wave
from defus.fieldwork.services.csvfiles import CsvError, read_csv

from ..models import PARTICIPANT_GROUPS, Walk
from ..services import planning
from ..services.planning import WalkError

STOP_ALIASES = {
    "lat": "latitude",
    "breite": "latitude",
    "lon": "longitude",
    "lng": "longitude",
    "länge": "longitude",
    "laenge": "longitude",
    "bezeichnung": "name",
}


def register(actions: Any) -> None:
    parser = actions.add_parser(
        "plan",
        help="plan a walk in a district of a wave, with its route from a CSV file",
        description="The route CSV has the columns name;latitude;longitude, one stop per "
        "line in walking order. Problems are reported by line and column; nothing is stored "
        "then.",
    )
    parser.add_argument(
        "--district-wave",
        required=True,
        metavar="WAVE",
        help="the short name of the wave whose district the walk goes to",
    )
    parser.add_argument("--district", required=True, metavar="CODE", help="the district's code")
    parser.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--time-of-day", choices=Walk.TimeOfDay.values, default="day")
    parser.add_argument("--title", required=True)
    parser.add_argument("--stops", required=True, metavar="FILE.csv", help="the route")
    parser.add_argument("--start", metavar="HH:MM", help="start time")
    parser.add_argument(
        "--participants",
        metavar="GROUP=N,…",
        help="numbers of participants by group: "
        + ", ".join(key for key, _label in PARTICIPANT_GROUPS),
    )
    parser.add_argument("--facilitators", default="", help="staff and partners leading it")
    parser.add_argument("--repeat-of", type=int, metavar="ID", help="the walk it repeats")


def read_stops(data: bytes) -> list[tuple[str, float, float]]:
    """The stops of a route file; raises CommandError listing every problem."""
    try:
        table = read_csv(data, ["name", "latitude", "longitude"], aliases=STOP_ALIASES)
    except CsvError as error:
        raise CommandError(error.message) from error
    problems = [str(problem) for problem in table.overlong]
    stops = []
    for row in table:
        values: dict[str, Any] = {}
        for column in ("latitude", "longitude"):
            try:
                values[column] = planning.parse_coordinate(row.get(column), column)
            except WalkError as error:
                problems.append(
                    _("line %(line)d, column %(column)s: %(message)s")
                    % {
                        "line": row.line,
                        "column": table.headers.get(column, column),
                        "message": error.message,
                    }
                )
        if not row.get("name"):
            problems.append(
                _("line %(line)d, column %(column)s: %(message)s")
                % {
                    "line": row.line,
                    "column": table.headers.get("name", "name"),
                    "message": _("the stop needs a name."),
                }
            )
        if len(values) == 2 and row.get("name"):
            stops.append((row.get("name"), values["latitude"], values["longitude"]))
    if problems:
        raise CommandError("\n".join(problems))
    if not stops:
        raise CommandError(_("The route file has no stops: a walk needs at least one stop."))
    if len(stops) > planning.MAX_STOPS:
        raise CommandError(
            _("A route can have at most %(max)d stops.") % {"max": planning.MAX_STOPS}
        )
    return stops


def parse_participants(text: str | None) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise CommandError(
                _("--participants: write GROUP=NUMBER, e.g. women=6,staff=2 (not “%(part)s”).")
                % {"part": part.strip()}
            )
        counts[key.strip()] = value.strip()
    return counts


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    wave = Wave.objects.filter(slug=options["district_wave"]).first()
    if wave is None:
        raise CommandError(_("No wave “%(wave)s”.") % {"wave": options["district_wave"]})
    district = District.objects.filter(wave=wave, code=options["district"]).first()
    if district is None:
        raise CommandError(
            _("The wave %(wave)s has no district with the code “%(code)s”.")
            % {"wave": wave.slug, "code": options["district"]}
        )
    try:
        date = datetime.date.fromisoformat(options["date"])
    except ValueError:
        raise CommandError(_("--date: write the date as YYYY-MM-DD.")) from None
    start = None
    if options.get("start"):
        try:
            start = datetime.time.fromisoformat(options["start"])
        except ValueError:
            raise CommandError(_("--start: write the time as HH:MM.")) from None
    data = read_file(options["stops"])
    assert data is not None
    stops = read_stops(data)
    repeat_of = None
    if options.get("repeat_of"):
        repeat_of = Walk.objects.filter(
            pk=options["repeat_of"], organisation=wave.organisation
        ).first()
        if repeat_of is None:
            raise CommandError(
                _("No walk %(id)s in this organisation.") % {"id": options["repeat_of"]}
            )
    try:
        facts = planning.WalkFacts(
            title=options["title"].strip(),
            district=district,
            date=date,
            time_of_day=options["time_of_day"],
            start_time=start,
            participants=planning.clean_participants(
                parse_participants(options.get("participants"))
            ),
            facilitators=options.get("facilitators") or "",
            repeat_of=repeat_of,
        )
        with transaction.atomic():
            walk = planning.create_walk(wave.organisation, facts)
            walk.stops.all().delete()  # the file's route, not a copy of the repeated one
            warnings = []
            for name, latitude, longitude in stops:
                _stop, warning = planning.add_stop(walk, name, latitude, longitude)
                if warning:
                    warnings.append(warning)
    except WalkError as error:
        raise CommandError(error.message) from error
    for warning in warnings:
        command.stderr.write(warning)
    command.stdout.write(
        _("Walk %(id)d “%(title)s” planned with %(count)d stops.")
        % {"id": walk.pk, "title": walk.title, "count": len(stops)}
    )
