"""Who may see member-only pages and files: people of a member organisation and forum staff."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from defus.organisations.models import Membership


def sees_members_only(user: Any) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser or getattr(user, "is_forum_staff", False):
        return True
    return Membership.objects.filter(user=user, organisation__is_member=True).exists()


def refuse(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors are sent to the login; anyone else logged in gets 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied
