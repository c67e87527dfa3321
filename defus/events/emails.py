"""Emails to registrants (confirmation, waiting list, offer, reminder, organisers' messages),
sent in the background in the registrant's language, with the event as .ics attachment."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from defus.core.links import absolute_url

from .ics import calendar
from .models import Registration

KINDS = ("confirmed", "waiting", "offered", "reminder", "cancelled")


def _links(registration: Registration) -> dict[str, str]:
    token = registration.token
    event = registration.event.slug
    return {
        "registration_url": absolute_url(
            reverse("events:registration", kwargs={"registration_token": token})
        ),
        "event_url": absolute_url(reverse("events:detail", kwargs={"event": event})),
        "ics_url": absolute_url(reverse("events:event_ics", kwargs={"event": event})),
    }


def send_registration_email(registration_id: int, kind: str) -> bool:
    """Send one email of `kind` about a registration; False if nobody can be reached."""
    registration = (
        Registration.objects.select_related("event", "user").filter(pk=registration_id).first()
    )
    if registration is None or not registration.contact_email or kind not in KINDS:
        return False
    event = registration.event
    with translation.override(registration.language or "de"):
        confirmed = registration.status == Registration.Status.CONFIRMED
        context = {
            "registration": registration,
            "event": event,
            "title": event.title_text(),
            "online_link": event.online_link if confirmed else "",
            "position": registration.waiting_position,
            **_links(registration),
        }
        subject = render_to_string(f"events/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"events/email/{kind}.txt", context)
        message = EmailMessage(
            subject=" ".join(subject.split()),
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[registration.contact_email],
        )
        if kind in ("confirmed", "offered", "reminder"):
            ics = calendar(
                [event],
                translation.get_language() or "de",
                online_link_for=event if confirmed else None,
            )
            message.attach(f"{event.slug}.ics", ics, "text/calendar")
    message.send()
    return True


def send_message_to_registrants(event_id: int, subject: str, body: str) -> int:
    """An organiser's message to every confirmed and offered registrant (one email each)."""
    sent = 0
    for registration in Registration.objects.filter(
        event_id=event_id,
        status__in=(Registration.Status.CONFIRMED, Registration.Status.OFFERED),
        anonymised=False,
    ).select_related("user"):
        if registration.contact_email:
            EmailMessage(
                subject=subject,
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[registration.contact_email],
            ).send()
            sent += 1
    return sent
