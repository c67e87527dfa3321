"""The email digest of notifications: one email per person, in their language.

`send_digests("daily")` is run once a day (and `"weekly"` once a week) by `defus exchange
digest`. It sends each person whose setting is that frequency their unread notifications not
emailed yet, then marks them emailed in the same transaction: a notification is in at most
one digest, and an email that fails to send leaves its notifications for the next run.
People without settings get the default (daily). The email carries RFC 8058 one-click
unsubscribe headers.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from defus.core.languages import check_language
from defus.core.links import absolute_url
from defus.organisations.models import User

from .models import Notification, NotificationSettings
from .services import settings_for

FREQUENCIES = (NotificationSettings.Digest.DAILY, NotificationSettings.Digest.WEEKLY)


def recipients(frequency: str) -> list[User]:
    """People with notifications waiting whose digest setting is `frequency`."""
    waiting = Notification.objects.filter(
        user=OuterRef("pk"), emailed_at__isnull=True, read_at__isnull=True
    )
    people = User.objects.filter(Exists(waiting), is_active=True)
    if frequency == NotificationSettings.Digest.DAILY:
        # the default for those who never opened their settings
        chosen = Q(notification_settings__digest=frequency) | Q(notification_settings__isnull=True)
    else:
        chosen = Q(notification_settings__digest=frequency)
    return list(people.filter(chosen).order_by("pk"))


def send_digests(frequency: str, now: datetime.datetime | None = None) -> int:
    """Send the `frequency` ("daily" or "weekly") digests; the number of emails sent."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown digest frequency {frequency!r}")
    now = now or timezone.now()
    sent = 0
    for person in recipients(frequency):
        if send_digest(person, frequency, now):
            sent += 1
    return sent


def send_digest(person: User, frequency: str, now: datetime.datetime) -> bool:
    with transaction.atomic():
        own = settings_for(person)
        if own.digest != frequency:
            return False
        # Locked (PostgreSQL) or under SQLite's write lock: a second run at the same time
        # waits and then finds nothing left to send.
        waiting = list(
            Notification.objects.select_for_update()
            .filter(user=person, emailed_at__isnull=True, read_at__isnull=True, created__lte=now)
            .order_by("created", "pk")
        )
        if not waiting:
            return False
        message = digest_email(person, own, waiting)
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(emailed_at=now)
        own.last_digest = now
        own.save(update_fields=["last_digest"])
        message.send()
    return True


def digest_email(
    person: User, own: NotificationSettings, notifications: list[Notification]
) -> EmailMultiAlternatives:
    language = check_language(person.preferred_language)
    with translation.override(language):
        unsubscribe_url = absolute_url(
            reverse(
                "notifications:unsubscribe", kwargs={"unsubscribe_token": own.unsubscribe_token}
            )
        )
        context = {
            "person": person,
            "items": [
                {
                    "text": n.text(),
                    "url": absolute_url(n.url) if n.url else "",
                    "created": n.created,
                }
                for n in notifications
            ],
            "list_url": absolute_url(reverse("notifications:list")),
            "settings_url": absolute_url(reverse("notifications:settings")),
            "unsubscribe_url": unsubscribe_url,
        }
        subject = render_to_string("exchange/email/digest_subject.txt", context)
        text = render_to_string("exchange/email/digest.txt", context)
        html = render_to_string("exchange/email/digest.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
