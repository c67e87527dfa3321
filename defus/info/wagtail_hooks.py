"""Wagtail hooks: member-only publications keep their files to members."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from wagtail import hooks

from .access import refuse, sees_members_only
from .models import PublicationFile


@hooks.register("before_serve_document")
def keep_member_files_to_members(document: Any, request: HttpRequest) -> HttpResponse | None:
    """A file attached to any member-only publication is served only to members."""
    restricted = PublicationFile.objects.filter(document=document, page__members_only=True).exists()
    if restricted and not sees_members_only(request.user):
        return refuse(request)
    return None
