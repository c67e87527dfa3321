"""`defus wave`: survey waves on the command line.

defus wave list [--org SLUG]
defus wave create --org SLUG --slug S --title T --start YYYY-MM-DD --end YYYY-MM-DD
                  --districts FILE.csv [--geojson FILE [--geojson-property code]]
                  [--places FILE.csv] [--version V] [--open-link] [--no-web] [--no-paper]
defus wave status SLUG field|closed
defus wave report SLUG [--json]
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from defus.fieldwork.models import Wave
from defus.fieldwork.services import waves as wave_service
from defus.fieldwork.services.csvfiles import MAX_BYTES
from defus.fieldwork.services.monitoring import field_report, format_field_report
from defus.instrument.definition import available_versions


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": value}
        ) from error


def read_file(path: str | None) -> bytes | None:
    """The bytes of a file named on the command line (None if not given)."""
    if not path:
        return None
    file = Path(path)
    try:
        if file.stat().st_size > MAX_BYTES:
            raise CommandError(
                _("%(path)s is larger than %(size)d MB.")
                % {"path": path, "size": MAX_BYTES // (1024 * 1024)}
            )
        return file.read_bytes()
    except OSError as error:
        raise CommandError(
            _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
        ) from error


class Command(BaseCommand):
    help = "Survey waves: list, create with districts/boundaries/places, change status, report."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        listing = actions.add_parser("list", help="list the waves (of one organisation)")
        listing.add_argument("--org", help="the organisation's short name")

        create = actions.add_parser(
            "create",
            help="create a wave in preparation from a districts CSV",
            description="Create a wave. The districts CSV has the columns code,name and one "
            "column per gender × age group (female_18-29 … male_75+; diverse_* optional).",
        )
        create.add_argument("--org", required=True, help="the organisation's short name")
        create.add_argument("--slug", required=True, help="the wave's short name")
        create.add_argument("--title", required=True, help="the wave's title")
        create.add_argument("--start", required=True, help="start of fieldwork, YYYY-MM-DD")
        create.add_argument("--end", required=True, help="end of fieldwork, YYYY-MM-DD")
        create.add_argument("--districts", required=True, help="districts CSV file")
        create.add_argument("--geojson", help="district boundaries (GeoJSON FeatureCollection)")
        create.add_argument(
            "--geojson-property", default="code", help="feature property with the district code"
        )
        create.add_argument("--places", help="named places CSV file")
        create.add_argument(
            "--extension", help="the city's own modules (YAML), marked as not comparable"
        )
        create.add_argument(
            "--version", dest="instrument_version", help="instrument version (default: newest)"
        )
        create.add_argument("--instrument", default="defus-monitor", help="instrument key")
        create.add_argument("--open-link", action="store_true", help="offer the open link too")
        create.add_argument("--no-web", action="store_true", help="no online access with codes")
        create.add_argument("--no-paper", action="store_true", help="no paper questionnaire")

        status = actions.add_parser("status", help="start or close fieldwork")
        status.add_argument("wave", help="the wave's short name")
        status.add_argument("status", choices=[s for s in Wave.Status.values if s != "preparation"])

        extension = actions.add_parser(
            "extension", help="set the wave's own modules from a YAML file (empty file: remove)"
        )
        extension.add_argument("wave", help="the wave's short name")
        extension.add_argument("file", help="YAML with modules (and scales) as in the definition")
        report = actions.add_parser("report", help="print the field report of a wave")
        report.add_argument("wave", help="the wave's short name")
        report.add_argument("--json", action="store_true", help="as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "handle_" + options["action"])(options)
        except wave_service.WaveError as error:
            raise CommandError(error.message) from error

    def handle_list(self, options: dict[str, Any]) -> None:
        waves = Wave.objects.select_related("organisation").order_by("organisation__slug", "slug")
        if options.get("org"):
            waves = waves.filter(organisation=wave_service.organisation_by_slug(options["org"]))
        for wave in waves:
            self.stdout.write(
                f"{wave.slug:<28} {wave.organisation.slug:<20} {wave.status:<12} "
                f"{wave.field_start} – {wave.field_end}  {wave.title}"
            )

    def handle_create(self, options: dict[str, Any]) -> None:
        organisation = wave_service.organisation_by_slug(options["org"])
        version = options.get("instrument_version")
        if not version:
            versions = [v for k, v in available_versions() if k == options["instrument"]]
            if not versions:
                raise CommandError(_("No instrument %(key)s.") % {"key": options["instrument"]})
            version = max(versions, key=lambda v: [int(p) for p in v.split(".")])
        values = wave_service.WaveSettings(
            title=options["title"],
            slug=options["slug"],
            instrument_key=options["instrument"],
            instrument_version=version,
            field_start=_date(options["start"]),
            field_end=_date(options["end"]),
            mode_web=not options["no_web"],
            mode_paper=not options["no_paper"],
            mode_open_link=options["open_link"],
        )
        files = wave_service.WaveFiles(
            districts=read_file(options["districts"]),
            geojson=read_file(options.get("geojson")),
            geojson_property=options["geojson_property"],
            places=read_file(options.get("places")),
            extension=read_file(options.get("extension")),
        )
        try:
            result = wave_service.create_wave(organisation, values, files)
        except wave_service.WaveSetupError as error:
            for name, problems in error.errors.items():
                for problem in problems:
                    self.stderr.write(f"{name}: {problem}")
            raise CommandError(_("The wave was not created.")) from error
        for warning in result.warnings:
            self.stderr.write(_("note: %(warning)s") % {"warning": warning})
        wave = result.wave
        self.stdout.write(
            _("Created %(slug)s with %(districts)d districts and %(places)d places.")
            % {
                "slug": wave.slug,
                "districts": wave.districts.count(),
                "places": wave.places.count(),
            }
        )
        link = wave_service.open_link_url(wave)
        if link:
            self.stdout.write(_("Open link: %(url)s") % {"url": link})

    def handle_status(self, options: dict[str, Any]) -> None:
        wave = wave_service.set_status(
            wave_service.wave_by_slug(options["wave"]), options["status"]
        )
        self.stdout.write(
            _("%(slug)s is now “%(status)s”.")
            % {"slug": wave.slug, "status": wave.get_status_display()}
        )

    def handle_extension(self, options: dict[str, Any]) -> None:
        wave = wave_service.wave_by_slug(options["wave"])
        try:
            wave_service.set_extension(wave, read_file(options["file"]) or b"")
        except wave_service.WaveSetupError as error:
            for problems in error.errors.values():
                for problem in problems:
                    self.stderr.write(f"{options['file']}: {problem}")
            raise CommandError(_("The wave's own modules were not changed.")) from error
        modules = [m["code"] for m in wave.extension.get("modules", [])]
        self.stdout.write(
            _("%(slug)s: own modules %(modules)s (not comparable).")
            % {"slug": wave.slug, "modules": ", ".join(modules) or "–"}
        )

    def handle_report(self, options: dict[str, Any]) -> None:
        report = field_report(wave_service.wave_by_slug(options["wave"]))
        if options["json"]:
            self.stdout.write(json.dumps(report, default=str, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(format_field_report(report), ending="")
