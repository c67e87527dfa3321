"""Focused workshops: their details, findings and documents.

A workshop belongs to an organisation and optionally to one of its waves and a district of
that wave. Participants are counts per group (PARTICIPANT_GROUPS), never names. A finding is
tied to at least one of: a named place of the workshop's wave, a participant group, a module
of the questionnaire (the wave's, or the newest standard one for a workshop without a wave).
Documents are stored on the server's private storage and only handed out by a view that
checks the permission; uploads are checked by size, extension and their first bytes.

Every rule is checked here, so the web pages and the command line behave alike; problems are
raised as `WorkshopError` with a message in the user's language.
"""

from __future__ import annotations

import contextlib
import datetime
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from defus.core import uploads
from defus.core.uploads import SNIFF_BYTES
from defus.fieldwork.models import District, Place, Wave
from defus.instrument.definition import Instrument, InstrumentError, standard_instrument
from defus.instrument.definition import translate as translate_text
from defus.organisations.models import Organisation

from ..models import PARTICIPANT_GROUPS, Workshop, WorkshopDocument, WorkshopFinding

GROUP_KEYS = tuple(key for key, _label in PARTICIPANT_GROUPS)
MAX_PARTICIPANTS = 100_000  # per group; anything larger is a typing error
TITLE_MAX = Workshop._meta.get_field("title").max_length or 200
TOPIC_MAX = Workshop._meta.get_field("topic").max_length or 300
DOCUMENT_TITLE_MAX = WorkshopDocument._meta.get_field("title").max_length or 200


class WorkshopError(Exception):
    """Input that cannot be stored; `message` says why, `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


@dataclass
class WorkshopData:
    title: str
    topic: str
    date: datetime.date
    wave: Wave | None = None
    district: District | None = None
    participants: Mapping[str, Any] = field(default_factory=dict)
    agenda: str = ""


# --- workshops ---------------------------------------------------------------------------------


def workshops_of(organisation: Organisation) -> Any:
    return Workshop.objects.filter(organisation=organisation).select_related("wave", "district")


def clean_participants(raw: Mapping[str, Any]) -> dict[str, int]:
    """{group: count} with known groups and whole numbers 0…MAX_PARTICIPANTS; zeros left out."""
    counts: dict[str, int] = {}
    for key, value in raw.items():
        if key not in GROUP_KEYS:
            raise WorkshopError(
                _("“%(group)s” is not a participant group. Groups: %(groups)s.")
                % {"group": key, "groups": ", ".join(GROUP_KEYS)},
                "participants",
            )
        if value in (None, ""):
            continue
        text = str(value).strip()
        count = int(text) if text.isascii() and text.isdigit() else -1
        if count < 0 or count > MAX_PARTICIPANTS:
            raise WorkshopError(
                _("The number of %(group)s must be a whole number from 0 to %(max)d.")
                % {"group": group_label(key), "max": MAX_PARTICIPANTS},
                f"participants_{key}",
            )
        if count:
            counts[key] = count
    return counts


def group_label(key: str) -> str:
    return str(dict(PARTICIPANT_GROUPS).get(key, key))


def participant_rows(workshop: Workshop) -> list[tuple[str, int]]:
    """(group label, count) in the order of PARTICIPANT_GROUPS, groups with people only."""
    counts = workshop.participants or {}
    return [(str(label), counts[key]) for key, label in PARTICIPANT_GROUPS if counts.get(key)]


def participant_total(workshop: Workshop) -> int:
    return sum(int(count) for count in (workshop.participants or {}).values())


def _check_wave_and_district(
    organisation: Organisation, wave: Wave | None, district: District | None
) -> Wave | None:
    """The wave to store: a district without a wave takes its wave."""
    if wave is not None and wave.organisation_id != organisation.pk:
        raise WorkshopError(_("This wave does not belong to your organisation."), "wave")
    if district is None:
        return wave
    if district.wave.organisation_id != organisation.pk:
        raise WorkshopError(_("This district does not belong to your organisation."), "district")
    if wave is None:
        return district.wave
    if district.wave_id != wave.pk:
        raise WorkshopError(
            _(
                "The district “%(district)s” belongs to the wave “%(other)s”, not to “%(wave)s”. "
                "Choose a district of the chosen wave, or none."
            )
            % {"district": district.name, "other": district.wave.title, "wave": wave.title},
            "district",
        )
    return wave


def _check_text(value: str, maximum: int, field_name: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise WorkshopError(_("Enter the %(label)s.") % {"label": label}, field_name)
    if len(value) > maximum:
        raise WorkshopError(
            _("The %(label)s may have at most %(max)d characters.")
            % {"label": label, "max": maximum},
            field_name,
        )
    return value


def save_workshop(
    organisation: Organisation, data: WorkshopData, workshop: Workshop | None = None
) -> Workshop:
    """Create a workshop (workshop None) or change one; checks everything first."""
    title = _check_text(data.title, TITLE_MAX, "title", _("title"))
    topic = _check_text(data.topic, TOPIC_MAX, "topic", _("topic"))
    if not isinstance(data.date, datetime.date):
        raise WorkshopError(_("Enter the date of the workshop."), "date")
    wave = _check_wave_and_district(organisation, data.wave, data.district)
    participants = clean_participants(data.participants)
    if workshop is not None:
        if workshop.organisation_id != organisation.pk:
            raise WorkshopError(_("This workshop does not belong to your organisation."))
        if (wave.pk if wave else None) != workshop.wave_id:
            tied = workshop.findings.exclude(place=None).count()
            if tied:
                raise WorkshopError(
                    ngettext(
                        "%(count)d finding of this workshop is tied to a place of its wave. "
                        "Remove the place from the finding before changing the wave.",
                        "%(count)d findings of this workshop are tied to places of its wave. "
                        "Remove the places from the findings before changing the wave.",
                        tied,
                    )
                    % {"count": tied},
                    "wave",
                )
    else:
        workshop = Workshop(organisation=organisation)
    workshop.title = title
    workshop.topic = topic
    workshop.date = data.date
    workshop.wave = wave
    workshop.district = data.district
    workshop.participants = participants
    workshop.agenda = (data.agenda or "").strip()
    workshop.save()
    return workshop


def delete_workshop(workshop: Workshop) -> None:
    """The workshop with its findings and documents (their files too)."""
    names = [document.file.name or "" for document in workshop.documents.all()]
    workshop.delete()
    for name in names:
        _remove_file(name)


# --- findings ----------------------------------------------------------------------------------


def instrument_of(workshop: Workshop) -> Instrument | None:
    """The questionnaire the workshop's modules refer to (None if none can be loaded)."""
    try:
        if workshop.wave is not None:
            return workshop.wave.instrument
        return standard_instrument()
    except (InstrumentError, LookupError):
        return None


def module_choices(workshop: Workshop) -> list[tuple[str, str]]:
    """(code, title in the current language) of the questionnaire's modules."""
    instrument = instrument_of(workshop)
    if instrument is None:
        return []
    language = (get_language() or "de")[:2]
    return [(module.code, translate_text(module.title, language)) for module in instrument.modules]


def module_title(workshop: Workshop, code: str) -> str:
    return dict(module_choices(workshop)).get(code, code)


def places_of(workshop: Workshop) -> Any:
    if workshop.wave_id is None:
        return Place.objects.none()
    return Place.objects.filter(wave_id=workshop.wave_id).order_by("name")


def save_finding(
    workshop: Workshop,
    text: str,
    *,
    place: Place | None = None,
    group: str = "",
    module: str = "",
    finding: WorkshopFinding | None = None,
) -> WorkshopFinding:
    """Create (finding None) or change a finding; it needs at least one tie."""
    text = (text or "").strip()
    if not text:
        raise WorkshopError(_("Write down what the workshop found."), "text")
    group = (group or "").strip()
    module = (module or "").strip()
    if place is not None and (workshop.wave_id is None or place.wave_id != workshop.wave_id):
        raise WorkshopError(
            _("The place “%(place)s” is not a place of this workshop's wave.")
            % {"place": place.name},
            "place",
        )
    if group and group not in GROUP_KEYS:
        raise WorkshopError(
            _("“%(group)s” is not a participant group.") % {"group": group}, "group"
        )
    if module and module not in dict(module_choices(workshop)):
        raise WorkshopError(
            _("“%(module)s” is not a module of the questionnaire.") % {"module": module},
            "module",
        )
    if place is None and not group and not module:
        raise WorkshopError(
            _(
                "Tie the finding to a place, a group or a module of the questionnaire "
                "(at least one), so that it can be used with the survey's results."
            )
        )
    if finding is None:
        finding = WorkshopFinding(workshop=workshop)
    elif finding.workshop_id != workshop.pk:
        raise WorkshopError(_("This finding belongs to another workshop."))
    finding.text = text
    finding.place = place
    finding.group = group
    finding.module = module
    finding.save()
    return finding


# --- documents ---------------------------------------------------------------------------------


def check_document(filename: str, size: int, head: bytes) -> str:
    """uploads.check_document, refusals as WorkshopError on the file field."""
    try:
        return uploads.check_document(filename, size, head)
    except uploads.DocumentError as error:
        raise WorkshopError(str(error), "file") from None


def add_document(
    workshop: Workshop, upload: IO[bytes], filename: str, size: int, title: str = ""
) -> WorkshopDocument:
    """Store an uploaded document after checking it (see `check_document`)."""
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    check_document(filename, size, head)
    base = os.path.basename(filename)
    title = (title or "").strip() or os.path.splitext(base)[0] or base
    if len(title) > DOCUMENT_TITLE_MAX:
        title = title[:DOCUMENT_TITLE_MAX]
    document = WorkshopDocument(workshop=workshop, title=title)
    with transaction.atomic():
        document.file.save(base, File(upload, name=base), save=False)
        document.save()
    return document


def document_filename(document: WorkshopDocument) -> str:
    return os.path.basename(document.file.name or "")


def document_size(document: WorkshopDocument) -> int | None:
    try:
        return int(document.file.size)
    except (OSError, ValueError):
        return None


def delete_document(document: WorkshopDocument) -> None:
    name = document.file.name
    document.delete()
    _remove_file(name)


def _remove_file(name: str | None) -> None:
    if not name:
        return
    with contextlib.suppress(OSError):  # a file already gone needs no cleaning up
        default_storage.delete(name)


# --- for the command line ----------------------------------------------------------------------


def workshop_as_dict(workshop: Workshop) -> dict[str, Any]:
    """Everything about a workshop (no personal data exists to leave out), for JSON."""
    return {
        "id": workshop.pk,
        "organisation": workshop.organisation.slug,
        "title": workshop.title,
        "topic": workshop.topic,
        "date": workshop.date.isoformat(),
        "wave": workshop.wave.slug if workshop.wave else None,
        "district": (
            {"code": workshop.district.code, "name": workshop.district.name}
            if workshop.district
            else None
        ),
        "participants": {key: (workshop.participants or {}).get(key, 0) for key in GROUP_KEYS},
        "agenda": workshop.agenda,
        "findings": [
            {
                "id": finding.pk,
                "text": finding.text,
                "place": (
                    {"code": finding.place.code, "name": finding.place.name}
                    if finding.place
                    else None
                ),
                "group": finding.group or None,
                "module": finding.module or None,
            }
            for finding in workshop.findings.select_related("place")
        ],
        "documents": [
            {
                "id": document.pk,
                "title": document.title,
                "filename": document_filename(document),
                "size": document_size(document),
                "uploaded": document.uploaded.isoformat(),
            }
            for document in workshop.documents.all()
        ],
    }
