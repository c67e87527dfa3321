"""Create or update an event from a YAML file (`defus events import FILE.yaml`).

The file is checked by the same forms as the organisers' web pages (editing.py), so the rules
are the same. An event with the file's slug is updated (keys left out keep their value; a
`sessions` list replaces the whole programme), otherwise one is created. Example:

    slug: sicherheit-im-quartier
    kind: seminar            # conference, seminar, training, webinar, assembly
    format: hybrid           # in_person, online, hybrid
    title: {de: Sicherheit im Quartier, en: Safety in the neighbourhood, fr: Sécurité au quartier}
    description: {de: "…", en: "…"}
    start: 2026-06-12T09:30+02:00   # with an offset, or without: German time (Europe/Berlin)
    end: 2026-06-12 16:00
    venue: Rathaus
    address: Marktplatz 1, 70173 Stuttgart
    online_link: https://meet.example/quartier
    capacity: 40             # leave out or null: unlimited
    access: public           # public, members
    questions: [diet, accessibility, notes]
    sessions:
      - {title: {de: Begrüßung, en: Welcome}, start: 2026-06-12 09:30, end: 2026-06-12 10:00,
         speakers: Dr. Erika Muster}
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from defus.core.languages import LANGUAGES

from .editing import (
    CapacityTooLow,
    EventForm,
    SessionForm,
    combine,
    save_event,
    split,
)
from .models import Event

PLAIN_KEYS = (
    "kind",
    "format",
    "venue",
    "address",
    "online_link",
    "capacity",
    "access",
    "registration_open",
    "offer_hours",
    "delete_personal_data_after_days",
)
QUESTIONS = {"diet": "ask_diet", "accessibility": "ask_accessibility", "notes": "ask_notes"}
KNOWN_KEYS = {
    "slug",
    "title",
    "description",
    "start",
    "end",
    "topics",
    "questions",
    "sessions",
    *PLAIN_KEYS,
}
SESSION_KEYS = {"title", "start", "end", "speakers"}


def _moment(value: Any, key: str) -> datetime.datetime:
    """A moment from the file: ISO text or a YAML timestamp; without an offset, German time."""
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"{key}: “{value}” is not a date and time such as 2026-06-12T09:30+02:00"
            ) from None
    else:
        raise ValueError(f"{key}: give a date and time such as 2026-06-12T09:30+02:00")
    if moment.tzinfo is None:
        return combine(moment.date(), moment.time())
    return moment


def _texts(value: Any, key: str) -> dict[str, str]:
    """{de: …, en: …, fr: …}; a plain text is German."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {"de": value}
    if isinstance(value, dict) and set(value) <= set(LANGUAGES):
        return {code: str(text or "") for code, text in value.items()}
    raise ValueError(f"{key}: give the text per language, e.g. {{de: …, en: …, fr: …}}")


def _field_key(name: str) -> str:
    """The file's key for a form field, for error messages."""
    for prefix in ("title", "description"):
        if name.startswith(prefix + "_"):
            return f"{prefix}.{name.removeprefix(prefix + '_')}"
    if name in ("start_date", "start_time", "end_date", "end_time", "day"):
        return name.split("_")[0] if name != "day" else "start"
    if name in QUESTIONS.values():
        return "questions"
    if name == "__all__":
        return "event"
    return name


def _errors(form: Any, where: str = "") -> list[str]:
    return [
        f"{where}{_field_key(name)}: {message}"
        for name, messages in form.errors.items()
        for message in messages
    ]


def _event_data(raw: dict[str, Any], instance: Event | None) -> dict[str, Any]:
    # Start from the event as it is (or the defaults): keys left out keep their value.
    current = EventForm(instance=instance)
    data: dict[str, Any] = {name: current[name].value() for name in current.fields}
    if "slug" in raw:
        data["slug"] = str(raw["slug"] or "")
    for prefix in ("title", "description"):
        if prefix in raw:
            texts = _texts(raw[prefix], prefix)
            for code in LANGUAGES:
                data[f"{prefix}_{code}"] = texts.get(code, "")
    for key in ("start", "end"):
        if key in raw:
            data[f"{key}_date"], data[f"{key}_time"] = split(_moment(raw[key], key))
    for key in PLAIN_KEYS:
        if key in raw:
            data[key] = "" if raw[key] is None else raw[key]
    if "topics" in raw:
        topics = raw["topics"] or ""
        data["topics"] = ", ".join(map(str, topics)) if isinstance(topics, list) else str(topics)
    if "questions" in raw:
        asked = raw["questions"] or []
        if isinstance(asked, dict):
            asked = [key for key, value in asked.items() if value]
        unknown = set(map(str, asked)) - set(QUESTIONS)
        if unknown:
            raise ValueError(
                f"questions: unknown {', '.join(sorted(unknown))}; possible: {', '.join(QUESTIONS)}"
            )
        for key, field in QUESTIONS.items():
            data[field] = key in asked
    return data


def _session_forms(raw_sessions: Any, event: Event) -> tuple[list[SessionForm], list[str]]:
    if not isinstance(raw_sessions, list):
        raise ValueError("sessions: give a list of programme items")
    forms, errors = [], []
    for number, raw in enumerate(raw_sessions, start=1):
        where = f"sessions[{number}]."
        if not isinstance(raw, dict):
            raise ValueError(f"sessions[{number}]: give title, start, end and speakers")
        unknown = set(raw) - SESSION_KEYS
        if unknown:
            raise ValueError(f"{where}{', '.join(sorted(unknown))}: unknown key")
        texts = _texts(raw.get("title"), where + "title")
        data: dict[str, Any] = {f"title_{code}": texts.get(code, "") for code in LANGUAGES}
        data["speakers"] = str(raw.get("speakers") or "")
        if "start" not in raw or "end" not in raw:
            errors.append(f"{where}start/end: both are needed")
            continue
        start = _moment(raw["start"], where + "start")
        end = _moment(raw["end"], where + "end")
        data["day"], data["start_time"] = split(start)
        end_day, data["end_time"] = split(end)
        if end_day != data["day"]:
            errors.append(f"{where}end: a programme item starts and ends on the same day")
            continue
        form = SessionForm(data, event=event)
        if form.is_valid():
            forms.append(form)
        else:
            errors.extend(_errors(form, where))
    return forms, errors


def load_event_file(path: str | Path, actor: Any = None) -> Event:
    """Create or update the event described by the YAML file at `path`.

    Raises ValueError with a message listing every problem; nothing is saved then.
    """
    name = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"{name}: cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise ValueError(f"{name}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"{name}: expected the event's fields (slug, title, start, …)")
    unknown = set(raw) - KNOWN_KEYS
    if unknown:
        raise ValueError(f"{name}: unknown keys: {', '.join(sorted(map(str, unknown)))}")
    try:
        slug = str(raw.get("slug") or "")
        instance = Event.objects.filter(slug=slug).first() if slug else None
        form = EventForm(_event_data(raw, instance), instance=instance)
        errors = [] if form.is_valid() else _errors(form)
        sessions: list[SessionForm] = []
        if "sessions" in raw and not errors:
            sessions, errors = _session_forms(raw["sessions"] or [], form.instance)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
    if errors:
        raise ValueError(f"{name}: the event was not saved:\n" + "\n".join(errors))
    with transaction.atomic():
        try:
            event, _offered = save_event(form, actor, how=f"file {Path(path).name}: ")
        except CapacityTooLow as refusal:
            raise ValueError(f"{name}: capacity: {refusal}") from None
        if "sessions" in raw:
            event.sessions.all().delete()
            for session_form in sessions:
                session = session_form.save(commit=False)
                session.event = event
                session.save()
    return event
