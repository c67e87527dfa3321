"""Certificates of attendance for trainings: one A4 page per person checked in (WeasyPrint)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from .models import Event, Registration


def certificates_pdf(event: Event, registrations: list[Registration], language: str) -> bytes:
    from weasyprint import HTML

    with translation.override(language):
        hours = event.duration.total_seconds() / 3600
        html = render_to_string(
            "events/certificates.html",
            {
                "event": event,
                "title": event.title_text(language),
                "registrations": registrations,
                "hours": f"{hours:.1f}".rstrip("0").rstrip(".").replace(".", ","),
                "language": language,
            },
        )
    return bytes(HTML(string=html).write_pdf())
