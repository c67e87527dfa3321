"""Forms of the organisers' pages: the event itself, its programme and its documents.

Titles and descriptions are stored per language (JSON); the forms show one field per language
(German required, English and French optional). Times are typed as date + time of day in the
forum's time zone (settings.TIME_ZONE, Europe/Berlin), whatever the organiser's browser says.
The same EventForm checks events imported from a file (yamlfile.py), so the rules are one.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from defus.core import uploads
from defus.core.languages import LANGUAGES

from . import services
from .models import Event, EventDocument, Registration, Session

LANGUAGE_NAMES = {
    "de": gettext_lazy("German"),
    "en": gettext_lazy("English"),
    "fr": gettext_lazy("French"),
}
SLUG_LENGTH = 50
# Words the events' URLs use themselves (events/new/, events/month/ …): no event may be called so.
RESERVED_SLUGS = {"new", "month", "registration"}


def forum_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def combine(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """A date and a time of day typed by an organiser, as a moment in the forum's time zone."""
    return datetime.datetime.combine(day, time, forum_zone())


def split(moment: datetime.datetime) -> tuple[datetime.date, datetime.time]:
    local = moment.astimezone(forum_zone())
    return local.date(), local.time().replace(second=0, microsecond=0)


def unique_slug(text: str, exclude_pk: int | None = None) -> str:
    """A short name for the URL from a German title: umlauts spelled out, unique."""
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled).replace(umlaut.upper(), spelled.capitalize())
    base = slugify(text)[:SLUG_LENGTH].strip("-") or "veranstaltung"
    taken = Event.objects.exclude(pk=exclude_pk) if exclude_pk else Event.objects.all()
    candidate, number = base, 1
    while candidate in RESERVED_SLUGS or taken.filter(slug=candidate).exists():
        number += 1
        suffix = f"-{number}"
        candidate = base[: SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate


def places_taken(event: Event) -> int:
    """Confirmed registrations and places offered to the waiting list (an offer holds its place)."""
    return event.registrations.filter(
        status__in=(Registration.Status.CONFIRMED, Registration.Status.OFFERED)
    ).count()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def _language_fields(
    form: forms.BaseForm, name: str, label: Any, *, required_german: bool, textarea: bool = False
) -> None:
    for code in LANGUAGES:
        field: forms.CharField = forms.CharField(
            label=f"{label} ({LANGUAGE_NAMES[code]})",
            required=required_german and code == "de",
            max_length=None if textarea else 200,
            widget=forms.Textarea(attrs={"rows": 5, "lang": code}) if textarea else None,
        )
        if not textarea:
            field.widget.attrs["lang"] = code
        form.fields[f"{name}_{code}"] = field


def _texts(data: dict[str, Any], name: str) -> dict[str, str]:
    return {
        code: data[f"{name}_{code}"].strip()
        for code in LANGUAGES
        if (data.get(f"{name}_{code}") or "").strip()
    }


class EventForm(forms.ModelForm):
    """An event: created (no instance) or edited. Call `save_event` to store it."""

    start_date = forms.DateField(label=gettext_lazy("Start date"), widget=DateInput())
    start_time = forms.TimeField(label=gettext_lazy("Start time"), widget=TimeInput())
    end_date = forms.DateField(label=gettext_lazy("End date"), widget=DateInput())
    end_time = forms.TimeField(label=gettext_lazy("End time"), widget=TimeInput())
    online_link = forms.URLField(
        label=Event._meta.get_field("online_link").verbose_name,
        help_text=Event._meta.get_field("online_link").help_text,
        required=False,
        max_length=200,
        assume_scheme="https",
    )

    class Meta:
        model = Event
        fields = [
            "slug",
            "kind",
            "format",
            "venue",
            "address",
            "online_link",
            "capacity",
            "access",
            "registration_open",
            "offer_hours",
            "ask_diet",
            "ask_accessibility",
            "ask_notes",
            "topics",
            "delete_personal_data_after_days",
        ]
        help_texts = {
            "slug": gettext_lazy(
                "Part of the event's address (letters, digits, hyphens). "
                "Left empty, it is made from the German title."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _language_fields(self, "title", _("Title"), required_german=True)
        _language_fields(
            self, "description", _("Description"), required_german=False, textarea=True
        )
        self.fields["slug"].required = False
        self.fields["capacity"].widget.attrs["min"] = 1
        self.fields["offer_hours"].widget.attrs["min"] = 1
        self.order_fields(
            [f"title_{code}" for code in LANGUAGES]
            + [f"description_{code}" for code in LANGUAGES]
            + ["slug", "kind", "format", "start_date", "start_time", "end_date", "end_time"]
        )
        event = self.instance
        if event.pk:
            for code in LANGUAGES:
                self.initial.setdefault(f"title_{code}", event.title.get(code, ""))
                self.initial.setdefault(f"description_{code}", event.description.get(code, ""))
            self.initial.setdefault("start_date", split(event.start)[0])
            self.initial.setdefault("start_time", split(event.start)[1])
            self.initial.setdefault("end_date", split(event.end)[0])
            self.initial.setdefault("end_time", split(event.end)[1])

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The fields in the groups the page shows (each a fieldset with a legend)."""
        place = ["format", "start_date", "start_time", "end_date", "end_time", "venue"]
        registration = ["access", "registration_open", "capacity", "offer_hours", "ask_diet"]
        names = [
            (_("Title and description"), ["title", "description"], ["slug", "kind", "topics"]),
            (_("Date and place"), [], [*place, "address", "online_link"]),
            (
                _("Registration"),
                [],
                [
                    *registration,
                    "ask_accessibility",
                    "ask_notes",
                    "delete_personal_data_after_days",
                ],
            ),
        ]
        groups = []
        for legend, per_language, others in names:
            fields = [f"{name}_{code}" for name in per_language for code in LANGUAGES]
            groups.append((legend, [self[name] for name in fields + others]))
        return groups

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data.get("slug") or ""
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(
                _("“%(slug)s” is used by the calendar's own pages; please choose another.")
                % {"slug": slug}
            )
        if slug and Event.objects.exclude(pk=self.instance.pk).filter(slug=slug).exists():
            raise forms.ValidationError(
                _("Another event already has the short name “%(slug)s”; please choose another.")
                % {"slug": slug}
            )
        return slug

    def clean_capacity(self) -> int | None:
        capacity: int | None = self.cleaned_data.get("capacity")
        if capacity == 0:
            raise forms.ValidationError(
                _("Give at least one place, or leave the field empty for unlimited places.")
            )
        if capacity is not None and self.instance.pk:
            taken = places_taken(self.instance)
            if capacity < taken:
                raise forms.ValidationError(capacity_message(taken))
        return capacity

    def clean_offer_hours(self) -> int:
        hours: int = self.cleaned_data["offer_hours"]
        if hours < 1:
            raise forms.ValidationError(_("Give at least one hour."))
        return hours

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start_date, start_time = data.get("start_date"), data.get("start_time")
        end_date, end_time = data.get("end_date"), data.get("end_time")
        if start_date and start_time and end_date and end_time:
            start, end = combine(start_date, start_time), combine(end_date, end_time)
            if end <= start:
                self.add_error("end_date", _("The event must end after it starts."))
            else:
                self.instance.start, self.instance.end = start, end
        event_format = data.get("format")
        if (
            event_format in (Event.Format.IN_PERSON, Event.Format.HYBRID)
            and not (data.get("venue") or "").strip()
        ):
            self.add_error("venue", _("An event in person or hybrid needs a venue."))
        if event_format in (Event.Format.ONLINE, Event.Format.HYBRID) and not data.get(
            "online_link"
        ):
            self.add_error("online_link", _("An online or hybrid event needs the online link."))
        if "slug" in data and not data["slug"] and data.get("title_de"):
            data["slug"] = unique_slug(data["title_de"], self.instance.pk)
        self.instance.title = _texts(data, "title")
        self.instance.description = _texts(data, "description")
        return data


class CapacityTooLow(Exception):
    """Meanwhile more places were taken than the new capacity allows."""


def capacity_message(taken: int) -> str:
    return _(
        "%(taken)d places are already taken (confirmed or offered to the waiting list); "
        "the number of places cannot be lower."
    ) % {"taken": taken}


def save_event(form: EventForm, actor: Any, how: str = "") -> tuple[Event, list[Registration]]:
    """Store a valid EventForm and write the audit entry; a larger capacity is offered to the
    waiting list. Returns the event and the registrations offered or promoted.

    The capacity is checked again under the event's lock: between the form's check and the
    save, others may have registered. Raises CapacityTooLow (nothing is saved) if so.
    """
    creating = form.instance.pk is None
    grew = False
    with transaction.atomic():
        if not creating:
            locked = Event.objects.select_for_update().get(pk=form.instance.pk)
            new, old = form.instance.capacity, locked.capacity
            if new is not None:
                taken = places_taken(locked)
                if new < taken:
                    raise CapacityTooLow(capacity_message(taken))
            grew = old is not None and (new is None or new > old)
        event = form.save()
        detail = ", ".join(sorted(form.changed_data)) if not creating else event.title_text("de")
        services.audit(event, actor, "create" if creating else "edit", f"{how}{detail}")
    offered = services.capacity_changed(event) if grew else []
    return event, offered


# --- programme ------------------------------------------------------------------------------


class SessionForm(forms.ModelForm):
    """One item of the programme: title per language, day, from–to, speakers."""

    day = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    start_time = forms.TimeField(label=gettext_lazy("From"), widget=TimeInput())
    end_time = forms.TimeField(label=gettext_lazy("To"), widget=TimeInput())

    class Meta:
        model = Session
        fields = ["speakers"]

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        _language_fields(self, "title", _("Title"), required_german=True)
        self.order_fields(
            [f"title_{code}" for code in LANGUAGES] + ["day", "start_time", "end_time", "speakers"]
        )
        self.fields["speakers"].required = False
        session = self.instance
        if session.pk:
            for code in LANGUAGES:
                self.initial.setdefault(f"title_{code}", session.title.get(code, ""))
            self.initial.setdefault("day", split(session.start)[0])
            self.initial.setdefault("start_time", split(session.start)[1])
            self.initial.setdefault("end_time", split(session.end)[1])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start_time, end_time = data.get("day"), data.get("start_time"), data.get("end_time")
        if day and start_time and end_time:
            if end_time <= start_time:
                self.add_error("end_time", _("A programme item must end after it starts."))
            first, last = split(self.event.start)[0], split(self.event.end)[0]
            if not first <= day <= last:
                self.add_error("day", _("The date must lie within the event's dates."))
            self.instance.start = combine(day, start_time)
            self.instance.end = combine(day, end_time)
        self.instance.title = _texts(data, "title")
        self.instance.event = self.event
        return data


class BaseSessionFormSet(forms.BaseModelFormSet):
    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        self.event = event
        kwargs.setdefault("queryset", event.sessions.all())
        kwargs.setdefault("prefix", "sessions")
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "event": self.event}


SessionFormSet = forms.modelformset_factory(
    Session, form=SessionForm, formset=BaseSessionFormSet, extra=2, can_delete=True
)


def session_formset(event: Event, data: Any = None) -> Any:
    formset = SessionFormSet(data, event=event)
    for form in formset.forms:
        if not form.instance.pk:
            form.initial.setdefault("day", split(event.start)[0])
    return formset


def save_programme(formset: Any, event: Event, actor: Any, how: str = "") -> int:
    """Store a valid programme formset; returns the number of items the event now has."""
    with transaction.atomic():
        formset.save()
        number = event.sessions.count()
        services.audit(event, actor, "edit", f"{how}programme: {number} items")
    return number


# --- documents -------------------------------------------------------------------------------


class DocumentForm(uploads.DocumentFileMixin, forms.ModelForm):
    class Meta:
        model = EventDocument
        fields = ["title", "kind", "visibility", "file"]
        labels = {"title": gettext_lazy("Title of the document"), "file": gettext_lazy("File")}
