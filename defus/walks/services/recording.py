"""Recording a walk in the field: what was observed at each stop, and the issues found.

The phone may lose its connection at any time, so a stop sent from the field carries a key
made on the phone (`client_key`), and so does each of its issues. Sending the same stop
again (a retry after a timeout, a double tap, the queue replayed when the network returns)
updates what arrived instead of storing it twice: stops are upserted by (walk, client_key),
issues by (stop, client_key). Two copies arriving at the same moment meet the unique
constraints of the database; the loser fetches the winner's row and updates it.

The same form fields arrive from the page's script (fetch) and from a plain form post
without JavaScript: `read_stop` turns them into a `StopInput` and field errors.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ..models import CHECKLIST, CHECKLIST_KEYS, Stop, StopIssue, Walk
from .planning import WalkError, location_warning, next_position, parse_coordinate

FEELINGS = (1, 2, 3, 4)
MAX_ISSUES = 30  # per stop and submission
NAME_MAX = 200
TEXT_MAX = 10_000


@dataclass
class IssueInput:
    client_key: uuid.UUID
    category: str
    severity: int
    description: str
    action: str
    department: str
    remove: bool = False


@dataclass
class StopInput:
    client_key: uuid.UUID | None
    stop_id: int | None
    name: str
    latitude: float | None
    longitude: float | None
    checklist: dict[str, int | None]
    feeling: int | None
    notes: str
    issues: list[IssueInput] = field(default_factory=list)
    observed: bool = True  # False: only adds the stop to the route ("add a stop here")


@dataclass
class StopResult:
    stop: Stop
    created: bool
    warnings: list[str] = field(default_factory=list)


def parse_key(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def _text(data: Mapping[str, Any], name: str, limit: int = TEXT_MAX) -> str:
    return str(data.get(name) or "").strip()[:limit]


def read_stop(data: Mapping[str, Any]) -> tuple[StopInput, dict[str, list[str]]]:
    """The stop's fields from a form post (or the same names from the script), and the
    problems by field name. Nothing is stored here."""
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    client_key = parse_key(data.get("client_key"))
    if data.get("client_key") and client_key is None:
        error("client_key", _("The form's key is damaged; please reload the page."))
    stop_id = None
    if data.get("stop"):
        try:
            stop_id = int(str(data.get("stop")))
        except ValueError:
            error("stop", _("Unknown stop."))
    coordinates: dict[str, float | None] = {"latitude": None, "longitude": None}
    typed = {kind: _text(data, kind, 40) for kind in coordinates}
    if any(typed.values()):
        for kind in coordinates:
            try:
                coordinates[kind] = parse_coordinate(typed[kind], kind)
            except WalkError as problem:
                error(kind, problem.message)
    if _text(data, "intent", 10) == "add" and not any(typed.values()):
        error("latitude", _("Give the stop's position: use your location or type it."))
    checklist: dict[str, int | None] = {}
    labels = dict(CHECKLIST)
    for key in CHECKLIST_KEYS:
        value = _text(data, f"c_{key}", 5)
        if value in ("0", "1", "2", "3"):
            checklist[key] = int(value)
        elif value in ("", "na"):
            checklist[key] = None
        else:
            error(
                f"c_{key}",
                _("%(criterion)s: choose 0 to 3 or “not assessed”.")
                % {"criterion": capfirst(str(labels[key]))},
            )
    feeling = None
    value = _text(data, "feeling", 5)
    if value in ("1", "2", "3", "4"):
        feeling = int(value)
    elif value not in ("", "na"):
        error("feeling", _("Choose the participants' feeling from 1 to 4."))
    issues = []
    categories = StopIssue.Category.values
    for index in range(MAX_ISSUES):
        prefix = f"issue-{index}-"
        if not any(str(name).startswith(prefix) for name in data):
            continue
        category = _text(data, prefix + "category", 20)
        description = _text(data, prefix + "description")
        action = _text(data, prefix + "action")
        department = _text(data, prefix + "department", 200)
        remove = _text(data, prefix + "remove", 5) in ("1", "on", "true")
        issue_key = parse_key(data.get(prefix + "key"))
        if not (category or description or action or department) and not remove:
            continue  # the empty row of a new issue
        if issue_key is None:
            error(prefix + "key", _("The issue's key is damaged; please reload the page."))
            continue
        if not remove and category not in categories:
            error(prefix + "category", _("Choose the kind of issue."))
        try:
            severity = int(_text(data, prefix + "severity", 2) or StopIssue.Severity.MEDIUM)
        except ValueError:
            severity = 0
        if severity not in StopIssue.Severity.values:
            error(prefix + "severity", _("Choose how severe the issue is."))
        issues.append(
            IssueInput(issue_key, category, severity, description, action, department, remove)
        )
    return (
        StopInput(
            client_key=client_key,
            stop_id=stop_id,
            name=_text(data, "name", NAME_MAX),
            latitude=coordinates["latitude"],
            longitude=coordinates["longitude"],
            checklist=checklist,
            feeling=feeling,
            notes=_text(data, "notes"),
            issues=issues,
            observed=_text(data, "intent", 10) != "add",
        ),
        errors,
    )


def _find_stop(walk: Walk, entry: StopInput) -> Stop | None:
    if entry.client_key is not None:
        stop = Stop.objects.filter(walk=walk, client_key=entry.client_key).first()
        if stop is not None:
            return stop
    if entry.stop_id is not None:
        stop = Stop.objects.filter(walk=walk, pk=entry.stop_id).first()
        if stop is None:
            raise WalkError(_("This stop no longer exists; it may have been removed."))
        return stop
    return None


def record_stop(walk: Walk, entry: StopInput) -> StopResult:
    """Store what was observed at a stop: a planned one (by its id), one sent before (by its
    key) or a new one added in the field. Sending the same again changes nothing more."""
    created = False
    stop = _find_stop(walk, entry)
    if stop is None:
        if entry.client_key is None:
            raise WalkError(_("The form's key is missing; please reload the page."))
        try:
            with transaction.atomic():
                stop = Stop.objects.create(
                    walk=walk,
                    client_key=entry.client_key,
                    position=next_position(walk),
                    name=entry.name or _("Stop %(number)d") % {"number": next_position(walk)},
                    latitude=entry.latitude,
                    longitude=entry.longitude,
                )
            created = True
        except IntegrityError:
            # The same stop arrived twice at once; the other request created it.
            stop = Stop.objects.get(walk=walk, client_key=entry.client_key)
    elif (
        stop.client_key is None
        and entry.client_key is not None
        and not Stop.objects.filter(walk=walk, client_key=entry.client_key).exists()
    ):
        # A planned stop recorded for the first time: it takes the phone's key, so that
        # later retries find it by key.
        stop.client_key = entry.client_key
    if entry.name:
        stop.name = entry.name
    if entry.latitude is not None and entry.longitude is not None:
        stop.latitude, stop.longitude = entry.latitude, entry.longitude
    if entry.observed:
        stop.checklist = {key: entry.checklist.get(key) for key in CHECKLIST_KEYS}
        stop.feeling = entry.feeling
        stop.notes = entry.notes
        stop.recorded = timezone.now()
    stop.save()
    if entry.observed:
        record_issues(stop, entry.issues)
    warnings = []
    if stop.latitude is not None and stop.longitude is not None:
        warning = location_warning(walk.district, stop.latitude, stop.longitude)
        if warning:
            warnings.append(warning)
    return StopResult(stop, created, warnings)


def record_issues(stop: Stop, issues: list[IssueInput]) -> list[StopIssue]:
    """Upsert the issues by their keys; those marked for removal are deleted."""
    stored = []
    for entry in issues:
        if entry.remove:
            StopIssue.objects.filter(stop=stop, client_key=entry.client_key).delete()
            continue
        values = {
            "category": entry.category,
            "severity": entry.severity,
            "description": entry.description,
            "action": entry.action,
            "department": entry.department,
        }
        issue = StopIssue.objects.filter(stop=stop, client_key=entry.client_key).first()
        if issue is None:
            try:
                with transaction.atomic():
                    issue = StopIssue.objects.create(
                        stop=stop, client_key=entry.client_key, **values
                    )
                stored.append(issue)
                continue
            except IntegrityError:
                issue = StopIssue.objects.get(stop=stop, client_key=entry.client_key)
        for name, value in values.items():
            setattr(issue, name, value)
        issue.save()
        stored.append(issue)
    return stored


def recorded_stops(walk: Walk) -> int:
    return walk.stops.exclude(recorded=None).count()


def finish_walk(walk: Walk) -> Walk:
    """Mark the walk as recorded; at least one stop must have been recorded."""
    if not walk.stops.exists():
        raise WalkError(
            _("The walk has no stops: record at least one stop before finishing the walk.")
        )
    if not recorded_stops(walk):
        raise WalkError(
            _("No stop has been recorded yet: save at least one stop before finishing the walk.")
        )
    walk.status = Walk.Status.RECORDED
    walk.save(update_fields=["status", "updated"])
    return walk


def reopen_walk(walk: Walk) -> Walk:
    walk.status = Walk.Status.PLANNED
    walk.save(update_fields=["status", "updated"])
    return walk


def stop_summary(stop: Stop) -> dict[str, Any]:
    """What the page's script needs to know about a stored stop."""
    return {
        "id": stop.pk,
        "client_key": str(stop.client_key) if stop.client_key else None,
        "position": stop.position,
        "name": stop.name,
        "latitude": stop.latitude,
        "longitude": stop.longitude,
        "recorded": stop.recorded.isoformat() if stop.recorded else None,
        "issues": [str(i.client_key) for i in stop.issues.all() if i.client_key],
    }
