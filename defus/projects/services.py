"""The rules of the projects: who may express interest in a call and for which organisation,
one interest per organisation and call, answering it (with an email to the person), the rows
of the staff's export, and creating or updating a project from a YAML file."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from defus.core.background import run_in_background
from defus.core.languages import LANGUAGES
from defus.events.models import Event
from defus.organisations.models import Organisation, User
from defus.organisations.permissions import is_network_member

from .models import Call, Interest, Project, ProjectOutput, ProjectPartner


class InterestRefused(Exception):
    """The interest cannot be recorded; the message says why, in the person's language."""


def interest_organisations(user: Any) -> QuerySet[Organisation]:
    """The member organisations a person may speak for: only their own."""
    if not is_network_member(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, is_member=True).distinct()


def express_interest(
    call: Call, organisation: Organisation, person: User, statement: str
) -> Interest:
    if not call.accepts_interest:
        raise InterestRefused(_("The deadline of this call has passed; it takes no more interest."))
    if not interest_organisations(person).filter(pk=organisation.pk).exists():
        raise InterestRefused(_("You can express interest only for your own member organisation."))
    try:
        with transaction.atomic():
            return Interest.objects.create(
                call=call, organisation=organisation, person=person, statement=statement.strip()
            )
    except IntegrityError:
        raise InterestRefused(
            _("%(organisation)s has already expressed interest in this call.")
            % {"organisation": organisation.name}
        ) from None


def answer_interest(interest: Interest, answer: str, by: User) -> Interest:
    """Record the staff's answer and email it to the person who expressed the interest."""
    interest.answer = answer.strip()
    interest.status = Interest.Status.ANSWERED
    interest.answered_by = by
    interest.answered_at = timezone.now()
    interest.save(update_fields=["answer", "status", "answered_by", "answered_at"])
    from .emails import send_answer_email

    interest_id = interest.pk
    transaction.on_commit(lambda: run_in_background(send_answer_email, interest_id))
    return interest


def interest_rows(call: Call) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("Organisation"),
        _("Country"),
        _("Person"),
        _("Email address"),
        _("Statement"),
        _("Received"),
        _("Status"),
        _("Answer"),
    ]
    rows: list[list[Any]] = []
    for interest in call.interests.select_related("organisation", "person"):
        person = interest.person
        rows.append(
            [
                interest.organisation.name,
                interest.organisation.country,
                (person.get_full_name() or person.email) if person else "",
                person.email if person else "",
                interest.statement,
                timezone.localtime(interest.created).strftime("%Y-%m-%d %H:%M"),
                interest.get_status_display(),
                interest.answer,
            ]
        )
    return header, rows


# --- YAML import -------------------------------------------------------------------------------


class ProjectFileError(Exception):
    """The YAML file does not describe a project; the message says what is wrong."""


def _texts(value: Any, field: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"de": value}
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        unknown = set(value) - set(LANGUAGES)
        if unknown:
            raise ProjectFileError(f"{field}: unknown language(s) {', '.join(sorted(unknown))}")
        return {k: v for k, v in value.items() if v}
    raise ProjectFileError(f"{field}: give a text or {{de: …, en: …, fr: …}}")


def _date(value: Any, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    parsed = parse_date(str(value))
    if parsed is None:
        raise ProjectFileError(f"{field}: not a date (YYYY-MM-DD): {value!r}")
    return parsed


def _datetime(value: Any, field: str) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time(23, 59))
    else:
        parsed = parse_datetime(str(value))
        day = parse_date(str(value)) if parsed is None else None
        if parsed is None and day is None:
            raise ProjectFileError(f"{field}: not a date or time: {value!r}")
        moment = parsed or datetime.datetime.combine(day, datetime.time(23, 59))  # type: ignore[arg-type]
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _organisation(slug: Any, field: str) -> Organisation | None:
    if not slug:
        return None
    organisation = Organisation.objects.filter(slug=str(slug)).first()
    if organisation is None:
        raise ProjectFileError(f"{field}: no organisation {slug!r}")
    return organisation


def import_project(data: Any) -> tuple[Project, bool]:
    """Create or update the project `data` describes (keyed by its slug); partners, outputs
    and calls in the file replace or update those of the project. Returns (project, created)."""
    if not isinstance(data, dict) or not data.get("slug") or not data.get("title"):
        raise ProjectFileError("the file needs at least slug and title")
    status = data.get("status", Project.Status.PLANNED)
    if status not in Project.Status.values:
        raise ProjectFileError(f"status: one of {', '.join(Project.Status.values)}")
    amount = data.get("funding_amount")
    try:
        amount = Decimal(str(amount)) if amount not in (None, "") else None
    except InvalidOperation:
        raise ProjectFileError(f"funding_amount: not a number: {amount!r}") from None
    values = {
        "title": _texts(data["title"], "title"),
        "summary": _texts(data.get("summary"), "summary"),
        "description": _texts(data.get("description"), "description"),
        "programme": str(data.get("programme", "")),
        "funding": str(data.get("funding", "")),
        "funding_amount": amount,
        "start": _date(data.get("start"), "start"),
        "end": _date(data.get("end"), "end"),
        "status": status,
        "lead_organisation": _organisation(data.get("lead_organisation"), "lead_organisation"),
        "lead_name": str(data.get("lead_name", "")),
        "topics": ", ".join(data["topics"])
        if isinstance(data.get("topics"), list)
        else str(data.get("topics", "")),
        "website": str(data.get("website", "")),
    }
    if not values["programme"]:
        raise ProjectFileError("programme is missing")
    if values["start"] and values["end"] and values["end"] < values["start"]:
        raise ProjectFileError("end lies before start")
    with transaction.atomic():
        project, created = Project.objects.update_or_create(slug=str(data["slug"]), defaults=values)
        if "partners" in data:
            project.partners.all().delete()
            for number, item in enumerate(data["partners"] or [], 1):
                where = f"partners[{number}]"
                role = item.get("role", ProjectPartner.Role.PARTNER)
                if role not in ProjectPartner.Role.values:
                    raise ProjectFileError(
                        f"{where}.role: one of {', '.join(ProjectPartner.Role.values)}"
                    )
                organisation = _organisation(item.get("organisation"), where)
                if organisation is None and not item.get("name"):
                    raise ProjectFileError(f"{where}: give organisation (slug) or name")
                ProjectPartner.objects.create(
                    project=project,
                    organisation=organisation,
                    name=str(item.get("name", "")),
                    country=str(
                        item.get("country") or (organisation.country if organisation else "DE")
                    )[:2].upper(),
                    role=role,
                )
        if "outputs" in data:
            project.outputs.all().delete()
            for number, item in enumerate(data["outputs"] or [], 1):
                where = f"outputs[{number}]"
                kind = item.get("kind", ProjectOutput.Kind.OTHER)
                if kind not in ProjectOutput.Kind.values:
                    raise ProjectFileError(
                        f"{where}.kind: one of {', '.join(ProjectOutput.Kind.values)}"
                    )
                event = None
                if item.get("event"):
                    event = Event.objects.filter(slug=item["event"]).first()
                    if event is None:
                        raise ProjectFileError(f"{where}.event: no event {item['event']!r}")
                ProjectOutput.objects.create(
                    project=project,
                    kind=kind,
                    title=_texts(item.get("title"), f"{where}.title"),
                    url=str(item.get("url", "")),
                    event=event,
                )
        for number, item in enumerate(data.get("calls") or [], 1):
            where = f"calls[{number}]"
            if not item.get("title") or not item.get("deadline"):
                raise ProjectFileError(f"{where}: needs title and deadline")
            title = _texts(item["title"], f"{where}.title")
            call = (
                project.calls.filter(title__de=title.get("de", "")).first()
                if title.get("de")
                else None
            )
            call = call or Call(project=project)
            call.title = title
            call.text = _texts(item.get("text"), f"{where}.text")
            call.deadline = _datetime(item["deadline"], f"{where}.deadline")
            call.open = bool(item.get("open", True))
            call.save()
    return project, created
