"""Builders for the exchange's tests."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from defus.exchange import services
from defus.exchange.models import GroupMember, WorkingGroup

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_group(
    slug: str, by: Any, *, open_: bool = True, members: tuple[Any, ...] = ()
) -> WorkingGroup:
    """A group opened by forum staff `by` (its moderator), with `members` in it."""
    group = services.create_group(
        by,
        slug=slug,
        name={"de": f"Gruppe {slug}", "en": f"Group {slug}", "fr": f"Groupe {slug}"},
        access=WorkingGroup.Access.OPEN if open_ else WorkingGroup.Access.INVITATION,
    )
    for person in members:
        GroupMember.objects.get_or_create(group=group, user=person)
    return group


def pdf(name: str = "plan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
