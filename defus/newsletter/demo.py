"""Demo of the newsletter (invented addresses): confirmed subscribers in German, English and
French, and one sent issue in the archive. `build_newsletter_demo()` adds what is missing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import services
from .models import Issue, Subscriber

SUBSCRIBERS = [
    ("praevention@musterstadt.example", "de"),
    ("ordnungsamt@beispielburg.example", "de"),
    ("safety@city-of-example.example", "en"),
    ("prevention@exampleton.example", "en"),
    ("securite@ville-exemple.example", "fr"),
    ("prevention@exempleville.example", "fr"),
]

SUBJECT = {
    "de": "DEFUS-Newsletter: Sichere öffentliche Räume",
    "en": "DEFUS newsletter: safe public spaces",
    "fr": "Lettre d'information DEFUS : des espaces publics sûrs",
}
EDITORIAL = {
    "de": "Liebe Mitglieder, in diesem Jahr stehen die öffentlichen Räume im Mittelpunkt: "
    "ein neues EU-Projekt, Sicherheitsbegehungen in acht Städten und ein Aufruf für "
    "Pilotkommunen.",
    "en": "Dear members, this year public spaces are at the centre: a new EU project, safety "
    "walks in eight cities and a call for pilot municipalities.",
    "fr": "Chers membres, cette année les espaces publics sont au centre : un nouveau projet "
    "européen, des marches exploratoires dans huit villes et un appel aux communes pilotes.",
}


def build_newsletter_demo() -> Issue:
    with transaction.atomic():
        now = timezone.now()
        for email, language in SUBSCRIBERS:
            Subscriber.objects.get_or_create(
                email=email,
                defaults={"language": language, "status": "confirmed", "confirmed_at": now},
            )
        issue = Issue.objects.filter(number=1).first()
        if issue is not None:
            return issue
        issue = Issue.objects.create(number=1, subject=SUBJECT, editorial=EDITORIAL)
        services.set_items(
            issue,
            list(services.recent_news()[:3]),
            list(services.upcoming_events()[:3]),
            list(services.running_projects()[:3]),
        )
        # The archive shows it as sent; the demo addresses are invented and get no email.
        issue.status = Issue.Status.SENT
        issue.sent_at = now
        issue.save(update_fields=["status", "sent_at"])
        return issue
