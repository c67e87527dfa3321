"""Emails of the members' app, each in its recipient's language: the invitation into an
organisation, and the decision on a membership application."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from defus.core.links import absolute_url

from .models import Application, Invitation


def invitation_url(invitation: Invitation) -> str:
    # The link opens in the language of the email (German has no prefix).
    with translation.override(invitation.language or "de"):
        return absolute_url(
            reverse("members:invitation", kwargs={"invitation_token": invitation.token})
        )


def _send(template: str, language: str, to: str, context: dict[str, Any]) -> None:
    with translation.override(language or "de"):
        subject = render_to_string(f"members/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"members/email/{template}.txt", context)
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    ).send()


def send(kind: str, *ids: int) -> bool:
    """Send one email: ("invitation", invitation id), ("approved", application id,
    invitation id) or ("rejected", application id). False if the rows are gone."""
    if kind == "invitation":
        invitation = (
            Invitation.objects.select_related("organisation", "invited_by")
            .filter(pk=ids[0])
            .first()
        )
        if invitation is None or not invitation.is_open:
            return False
        _send(
            "invitation",
            invitation.language,
            invitation.email,
            {
                "invitation": invitation,
                "organisation": invitation.organisation.name,
                "inviter": str(invitation.invited_by) if invitation.invited_by else "",
                "url": invitation_url(invitation),
                "role": _role(invitation),
            },
        )
        return True
    application = Application.objects.filter(pk=ids[0]).first()
    if application is None:
        return False
    context: dict[str, Any] = {"application": application, "name": application.organisation_name}
    if kind == "approved":
        invitation = Invitation.objects.filter(pk=ids[1]).first()
        if invitation is None:
            return False
        context["url"] = invitation_url(invitation)
        context["expires"] = invitation.expires
    elif kind != "rejected":
        return False
    _send(kind, application.language, application.contact_email, context)
    return True


def _role(invitation: Invitation) -> str:
    with translation.override(invitation.language or "de"):
        return str(invitation.get_role_display())
