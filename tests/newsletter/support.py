"""Subscribers and issues for the tests."""

from __future__ import annotations

from typing import Any

from defus.newsletter.models import Issue, Subscriber

SUBJECTS = {
    "de": "DEFUS-Newsletter Nummer 7",
    "en": "DEFUS newsletter number 7",
    "fr": "Lettre d'information DEFUS numéro 7",
}
EDITORIALS = {
    "de": "Liebe Mitglieder, willkommen.",
    "en": "Dear members, welcome.",
    "fr": "Chers membres, bienvenue.",
}


def make_issue(number: int = 7, **fields: Any) -> Issue:
    values: dict[str, Any] = {"subject": dict(SUBJECTS), "editorial": dict(EDITORIALS)}
    values.update(fields)
    return Issue.objects.create(number=number, **values)


def make_subscriber(email: str, language: str = "de", status: str = "confirmed") -> Subscriber:
    return Subscriber.objects.create(email=email, language=language, status=status)
