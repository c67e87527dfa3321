"""Events of the forum (conferences, seminars, trainings, webinars, the members' assembly),
their programme and documents, and the registrations with capacity and waiting list.

Titles and descriptions are stored per language ({"de": …, "en": …, "fr": …}) and shown in
the visitor's language, falling back to German. The rules of registering, cancelling and the
waiting list live in services.py; nothing else changes a registration's status.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from defus.core.languages import in_language


def default_retention_days() -> int:
    return int(getattr(settings, "DEFUS_EVENTS_RETENTION_DAYS", 90))


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Event(models.Model):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Conference")
        SEMINAR = "seminar", _("Seminar")
        TRAINING = "training", _("Training")
        WEBINAR = "webinar", _("Webinar")
        ASSEMBLY = "assembly", _("Members' assembly")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class Access(models.TextChoices):
        PUBLIC = "public", _("Open to the public")
        MEMBERS = "members", _("Members only")

    slug = models.SlugField(_("short name"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SEMINAR)
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.IN_PERSON
    )
    title = models.JSONField(_("title"), default=dict, help_text='{"de": …, "en": …, "fr": …}')
    description = models.JSONField(_("description"), default=dict, blank=True)
    topics = models.CharField(
        _("topics"), max_length=300, blank=True, help_text=_("Comma-separated topic tags.")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_link = models.URLField(
        _("online link"), blank=True, help_text=_("Shown only to confirmed registrants.")
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    access = models.CharField(
        _("registration"), max_length=20, choices=Access.choices, default=Access.PUBLIC
    )
    registration_open = models.BooleanField(_("registration open"), default=True)
    offer_hours = models.PositiveIntegerField(
        _("hours to accept a place from the waiting list"), default=48
    )
    ask_diet = models.BooleanField(_("ask for dietary requirements"), default=False)
    ask_accessibility = models.BooleanField(_("ask for accessibility needs"), default=False)
    ask_notes = models.BooleanField(_("ask for remarks"), default=False)
    delete_personal_data_after_days = models.PositiveIntegerField(
        _("delete personal data this many days after the event"), default=default_retention_days
    )
    personal_data_deleted = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="event_ends_late")
        ]

    def __str__(self) -> str:
        return self.title_text()

    def title_text(self, language: str | None = None) -> str:
        return in_language(self.title, language) or self.slug

    def description_text(self, language: str | None = None) -> str:
        return in_language(self.description, language)

    @property
    def members_only(self) -> bool:
        return self.access == self.Access.MEMBERS

    @property
    def is_online(self) -> bool:
        return self.format in (self.Format.ONLINE, self.Format.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.format in (self.Format.IN_PERSON, self.Format.HYBRID)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.split(",") if t.strip()]

    @property
    def has_ended(self) -> bool:
        return self.end < timezone.now()

    def purge_due(self) -> Any:
        return self.end + timedelta(days=self.delete_personal_data_after_days)


class Session(models.Model):
    """One item of the programme."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.JSONField(_("title"), default=dict)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    speakers = models.CharField(_("speakers"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme")
        ordering = ["start"]

    def __str__(self) -> str:
        return in_language(self.title)

    def title_text(self) -> str:
        return in_language(self.title)


class EventDocument(models.Model):
    class Kind(models.TextChoices):
        AGENDA = "agenda", _("Agenda")
        SLIDES = "slides", _("Slides")
        MINUTES = "minutes", _("Minutes")
        OTHER = "other", _("Document")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        REGISTRANTS = "registrants", _("Confirmed registrants")
        MEMBERS = "members", _("Members")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(_("file"), upload_to="events/%Y/")
    visibility = models.CharField(
        _("visible to"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )

    class Meta:
        verbose_name = _("event document")
        verbose_name_plural = _("event documents")
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


ACTIVE = ("confirmed", "waiting", "offered")


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        OFFERED = "offered", _("Place offered")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    # Order of the waiting list: a number drawn under the event's lock, never reused.
    waiting_number = models.PositiveIntegerField(null=True, blank=True)
    offer_expires = models.DateTimeField(_("offer valid until"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    language = models.CharField(_("language"), max_length=8, default="de")
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    voting_representative = models.BooleanField(_("voting representative"), default=False)
    checked_in = models.BooleanField(_("present"), default=False)
    reminder_sent = models.BooleanField(default=False)
    anonymised = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created", "pk"]
        constraints = [
            # A person holds one active registration per event …
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(user__isnull=False, status__in=ACTIVE),
                name="one_active_registration_per_person",
            ),
            # … and a member organisation one vote at the members' assembly.
            models.UniqueConstraint(
                fields=["event", "organisation"],
                condition=Q(voting_representative=True, status__in=ACTIVE),
                name="one_voting_representative_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} – {self.event}"

    @property
    def display_name(self) -> str:
        if self.anonymised:
            return str(_("(deleted)"))
        if self.user is not None:
            return self.user.get_full_name() or self.user.email
        return self.name

    @property
    def contact_email(self) -> str:
        if self.anonymised:
            return ""
        return self.user.email if self.user is not None else self.email

    @property
    def waiting_position(self) -> int | None:
        if self.status != self.Status.WAITING or self.waiting_number is None:
            return None
        ahead = Registration.objects.filter(
            event_id=self.event_id,
            status=self.Status.WAITING,
            waiting_number__lt=self.waiting_number,
        ).count()
        return ahead + 1


class EventAuditEntry(models.Model):
    """Who deleted or exported whose data, kept after the data itself is gone."""

    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, related_name="+")
    event_slug = models.CharField(max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event audit entry")
        verbose_name_plural = _("event audit entries")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.action} {self.event_slug}"
