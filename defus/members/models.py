"""The network's members: the history of each organisation's membership, people's directory
profiles, invitations into an organisation and applications for membership.

The organisation's own membership fields (status, member since, population, coordinates)
live on organisations.Organisation; every change of status goes through
services.set_membership_status, which writes a MembershipChange.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from defus.organisations.models import Membership, Organisation

INVITATION_DAYS = 14


def new_token() -> str:
    return secrets.token_urlsafe(24)


def invitation_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=INVITATION_DAYS)


class MembershipChange(models.Model):
    """One change of an organisation's membership status: when, why, by whom."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="membership_changes"
    )
    status = models.CharField(
        _("membership status"), max_length=20, choices=Organisation.MembershipStatus.choices
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("change of membership")
        verbose_name_plural = _("changes of membership")
        ordering = ["-date", "-created"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.status} {self.date}"


class Visibility(models.TextChoices):
    MEMBERS = "members", _("People of member organisations")
    NOBODY = "nobody", _("Nobody")


class Profile(models.Model):
    """What a person shows in the members' directory, and to whom (see directory.py)."""

    class Function(models.TextChoices):
        MAYOR = "mayor", _("Mayor")
        HEAD_OF_DEPARTMENT = "head_of_department", _("Head of department")
        PREVENTION_COUNCIL_CHAIR = "prevention_council_chair", _("Chair of a prevention council")
        STAFF = "staff", _("Staff")
        OTHER = "other", _("Other")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    function = models.CharField(_("function"), max_length=30, choices=Function.choices, blank=True)
    bio = models.TextField(_("about me"), max_length=600, blank=True)
    listed = models.BooleanField(
        _("show me in the members' directory"),
        default=True,
        help_text=_("If not, only you and your organisation's admins see your entry."),
    )
    email_visibility = models.CharField(
        _("email address visible to"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
    )
    phone_visibility = models.CharField(
        _("phone visible to"), max_length=10, choices=Visibility.choices, default=Visibility.NOBODY
    )
    position_visibility = models.CharField(
        _("position visible to"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
    )
    function_visibility = models.CharField(
        _("function visible to"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
    )
    bio_visibility = models.CharField(
        _("“about me” visible to"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("directory profile")
        verbose_name_plural = _("directory profiles")

    def __str__(self) -> str:
        return str(self.user)

    def visibility(self, field: str) -> str:
        return str(getattr(self, f"{field}_visibility"))


class Application(models.Model):
    """An organisation's application for membership, and the forum staff's decision."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    organisation_name = models.CharField(_("name of the organisation"), max_length=200)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Organisation.Kind.choices,
        default=Organisation.Kind.CITY,
    )
    country = models.CharField(_("country"), max_length=2)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact email address"))
    contact_function = models.CharField(_("contact person's function"), max_length=200)
    message = models.TextField(_("message"), max_length=3000, blank=True)
    language = models.CharField(_("language"), max_length=8, default="de")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    created = models.DateTimeField(_("submitted"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_message = models.TextField(_("message to the applicant"), blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.status})"


class Invitation(models.Model):
    """An invitation into an organisation, by email; the link holds the token."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    language = models.CharField(_("language of the email"), max_length=8, default="de")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Set when the invitation follows an approved application: the person who accepts it
    # becomes the organisation's main contact.
    application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires <= timezone.now()

    @property
    def usable(self) -> bool:
        return self.is_open and not self.is_expired
