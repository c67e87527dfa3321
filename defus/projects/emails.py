"""The email with the forum's answer to an expression of interest, in the person's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from defus.core.languages import check_language
from defus.core.links import absolute_url

from .models import Interest


def send_answer_email(interest_id: int) -> bool:
    """False if the interest is gone or nobody can be reached."""
    interest = (
        Interest.objects.select_related("call__project", "person", "organisation")
        .filter(pk=interest_id)
        .first()
    )
    if interest is None or interest.person is None or not interest.person.email:
        return False
    person = interest.person
    language = check_language(person.preferred_language)
    with translation.override(language):
        project = interest.call.project
        context = {
            "interest": interest,
            "project_title": project.title_text(),
            "call_title": interest.call.title_text(),
            "project_url": absolute_url(
                reverse("projects:detail", kwargs={"project": project.slug})
            ),
        }
        subject = render_to_string("projects/email/answer_subject.txt", context).strip()
        body = render_to_string("projects/email/answer.txt", context)
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    ).send()
    return True
