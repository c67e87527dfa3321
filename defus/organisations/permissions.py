"""Every permission of the platform, declared in one place.

A permission is granted through a person's role in an organisation and only for that
organisation's data; forum staff hold every permission everywhere. Views declare the
permission they need (`OrganisationPermissionMixin.permission`); commands and services call
`has_permission`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Membership, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from .models import User

# Permission codes and what they allow.
PERMISSIONS: dict[str, str] = {
    "organisation.view": "see the organisation's pages",
    "organisation.manage_people": "invite and remove people, change roles",
    "wave.view": "see waves, field monitoring and response rates",
    "wave.manage": "create and edit waves, districts and places",
    "sample.manage": "import the sample, print letters and reminders, delete the sample",
    "responses.enter": "enter paper questionnaires",
    "responses.export": "export and import answers",
    "analysis.view": "see weighted results (dashboard, report, tables)",
    "analysis.manage": "set the weighting of a wave and export microdata with weights",
    "walks.view": "see neighbourhood walks, workshops, their reports and the unsafe-places map",
    "walks.manage": "plan and record walks (with photos and issues), record workshops",
    "strategy.view": "see findings, priorities, measures and their evaluation",
    "strategy.manage": "record findings, set priorities and targets, manage measures",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Membership.Role.ADMIN: frozenset(PERMISSIONS),
    Membership.Role.ANALYST: frozenset(
        {
            "organisation.view",
            "wave.view",
            "responses.export",
            "analysis.view",
            "analysis.manage",
            "walks.view",
            "walks.manage",
            "strategy.view",
        }
    ),
    Membership.Role.MEMBER: frozenset(
        {"organisation.view", "analysis.view", "walks.view", "strategy.view"}
    ),
}


def role_in(user: User | AnonymousUser, organisation: Organisation) -> str | None:
    if not user.is_authenticated:
        return None
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    return membership.role if membership else None


def has_permission(user: User | AnonymousUser, organisation: Organisation, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise ValueError(f"Unknown permission {permission!r}")
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_forum_staff", False):
        return True
    role = role_in(user, organisation)
    return role is not None and permission in ROLE_PERMISSIONS[role]


def is_network_member(user: User | AnonymousUser) -> bool:
    """A person of a member organisation of the forum, or the forum's staff: who may see
    members-only pages, events, the directory and the working groups."""
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_forum_staff", False):
        return True
    return Membership.objects.filter(user=user, organisation__is_member=True).exists()


def is_forum_staff(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_forum_staff", False))


def organisations_for(user: User | AnonymousUser, permission: str) -> Any:
    """The organisations in which `user` holds `permission` (a queryset)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if getattr(user, "is_forum_staff", False):
        return Organisation.objects.all()
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=roles
    ).distinct()


class OrganisationPermissionMixin:
    """For class-based views under /o/<org>/...: resolves `self.organisation` and checks.

    A person without any role in the organisation gets 404 (the organisation's existence is
    not confirmed); a person with a role that lacks the permission gets 403.
    """

    permission: str = "organisation.view"
    organisation: Organisation
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.organisation = get_object_or_404(Organisation, slug=kwargs["org"])
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if not has_permission(request.user, self.organisation, self.permission):
            if getattr(request.user, "is_forum_staff", False) or role_in(
                request.user, self.organisation
            ):
                raise PermissionDenied
            raise Http404
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
