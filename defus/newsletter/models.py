"""The forum's newsletter: subscribers (double opt-in, one-click unsubscribe, bounces), issues
composed of an editorial and items (news, events, projects), and the deliveries that make
sure each subscriber receives an issue once.

Subjects and editorials are stored per language ({"de": …, "en": …, "fr": …}); each subscriber
reads the issue in their language, falling back to German. The rules live in services.py.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from defus.core.languages import in_language

LANGUAGES = (("de", _("German")), ("en", _("English")), ("fr", _("French")))


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Address bounced")

    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="de")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newsletter_subscriptions",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    confirm_token = models.CharField(max_length=64, unique=True, default=new_token)
    unsubscribe_token = models.CharField(max_length=64, unique=True, default=new_token)
    created = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounce_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["email"]
        indexes = [models.Index(fields=["status", "language"])]

    def __str__(self) -> str:
        return self.email


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")

    number = models.PositiveIntegerField(_("number"), unique=True)
    subject = models.JSONField(_("subject"), default=dict)
    editorial = models.JSONField(_("editorial"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="draft")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.number}: {self.subject_text()}"

    def subject_text(self, language: str | None = None) -> str:
        return in_language(self.subject, language) or f"DEFUS {self.number}"

    def editorial_text(self, language: str | None = None) -> str:
        return in_language(self.editorial, language)


class IssueItem(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        EVENT = "event", _("Event")
        PROJECT = "project", _("Project")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    news_page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("newsletter item")
        verbose_name_plural = _("newsletter items")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.issue.number} {self.kind} {self.order}"


class Delivery(models.Model):
    """One subscriber's copy of an issue. The unique constraint is the claim: a sender
    inserts the row before sending, so a second sender (or a resumed one) skips the
    subscriber. `sent_at` is set once the mail server accepted the message."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    claim = models.CharField(max_length=64, db_index=True)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="one_copy_per_subscriber")
        ]

    def __str__(self) -> str:
        return f"{self.issue_id} → {self.subscriber_id}"
