"""The European and national projects the forum takes part in: programme, period, lead,
partners, status and outputs, and the calls in which member organisations express interest.

Titles and texts are stored per language ({"de": …, "en": …, "fr": …}) and shown in the
visitor's language, falling back to German (like events). The rules of expressing interest
and answering it live in services.py.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from defus.core.languages import in_language


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")

    slug = models.SlugField(_("short name"), unique=True)
    title = models.JSONField(_("title"), default=dict, help_text='{"de": …, "en": …, "fr": …}')
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    description = models.JSONField(_("description"), default=dict, blank=True)
    programme = models.CharField(
        _("programme"),
        max_length=100,
        help_text=_('For example "Erasmus+", "Horizon Europe", "ISF" or "national: BMI".'),
    )
    funding = models.CharField(_("funding"), max_length=300, blank=True)
    funding_amount = models.DecimalField(
        _("funding amount (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    lead_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("lead partner (organisation on the platform)"),
    )
    lead_name = models.CharField(
        _("lead partner (other)"),
        max_length=200,
        blank=True,
        help_text=_("For a lead partner that is not on the platform."),
    )
    topics = models.CharField(
        _("topics"), max_length=300, blank=True, help_text=_("Comma-separated topic tags.")
    )
    website = models.URLField(_("website"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-start", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True)
                | models.Q(start__isnull=True)
                | models.Q(end__gte=models.F("start")),
                name="project_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title_text()

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", kwargs={"project": self.slug})

    def title_text(self, language: str | None = None) -> str:
        return in_language(self.title, language) or self.slug

    def summary_text(self, language: str | None = None) -> str:
        return in_language(self.summary, language)

    def description_text(self, language: str | None = None) -> str:
        return in_language(self.description, language)

    @property
    def lead_display(self) -> str:
        if self.lead_organisation is not None:
            return self.lead_organisation.name
        return self.lead_name

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.split(",") if t.strip()]


class ProjectPartner(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        PARTNER = "partner", _("Partner")
        ASSOCIATED = "associated", _("Associated partner")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_partnerships",
        verbose_name=_("organisation on the platform"),
    )
    name = models.CharField(
        _("name (other partners)"),
        max_length=200,
        blank=True,
        help_text=_("If not on the platform."),
    )
    country = models.CharField(_("country"), max_length=2, default="DE", help_text="ISO 3166-1")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTNER)

    class Meta:
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")
        ordering = ["role", "name", "pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.organisation.name if self.organisation is not None else self.name


class ProjectOutput(models.Model):
    """A result of the project, linked to where it lives: an event of the forum, a page of the
    information service, or an address elsewhere."""

    class Kind(models.TextChoices):
        PUBLICATION = "publication", _("Publication")
        TOOL = "tool", _("Tool")
        EVENT = "event", _("Event")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.JSONField(_("title"), default=dict)
    url = models.URLField(_("address"), blank=True)
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_outputs",
        verbose_name=_("event"),
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("page of the information service"),
    )

    class Meta:
        verbose_name = _("project output")
        verbose_name_plural = _("project outputs")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.title_text()

    def title_text(self, language: str | None = None) -> str:
        if self.title:
            return in_language(self.title, language)
        if self.event is not None:
            return self.event.title_text(language)
        page = self._page_in_language()
        if page is not None:
            return page.title
        return self.url

    def _page_in_language(self) -> Any:
        """The linked info page in the active language if translated and live, else itself."""
        if self.page is None:
            return None
        from wagtail.models import Locale

        try:
            translated = self.page.get_translation_or_none(Locale.get_active())
        except Locale.DoesNotExist:
            translated = None
        return translated if translated is not None and translated.live else self.page

    def link(self) -> str:
        """Where the output can be seen: the event page, the info page (in the visitor's
        language if translated), or the given address."""
        if self.event is not None:
            return reverse("events:detail", kwargs={"event": self.event.slug})
        page = self._page_in_language()
        if page is not None:
            return page.get_url() or ""
        return self.url


class Call(models.Model):
    """A call for participation: member organisations express their interest until the
    deadline."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="calls")
    title = models.JSONField(_("title"), default=dict)
    text = models.JSONField(_("text"), default=dict, blank=True)
    deadline = models.DateTimeField(_("deadline"))
    open = models.BooleanField(_("open"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call for participation")
        verbose_name_plural = _("calls for participation")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.title_text()

    def title_text(self, language: str | None = None) -> str:
        return in_language(self.title, language) or f"#{self.pk}"

    def text_text(self, language: str | None = None) -> str:
        return in_language(self.text, language)

    @property
    def accepts_interest(self) -> bool:
        return self.open and self.deadline > timezone.now()


class Interest(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        ANSWERED = "answered", _("Answered")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="interests")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="project_interests",
        verbose_name=_("organisation"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_interests",
        verbose_name=_("person"),
    )
    statement = models.TextField(_("statement"))
    created = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="new")
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "organisation"], name="one_interest_per_organisation_and_call"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.call}"
