"""The members' directory: one rule for what of a person anyone sees.

Every view of the directory (the list, a person's page, the CSV export, the JSON API, the
`defus members people/export` command) shows a person only through `visible_fields`.

- Only people of member organisations (and the forum's staff) use the directory at all.
- A listed person of a member organisation shows with name and organisation(s).
- Each of the fields in FIELDS is visible to "members" (everyone who uses the directory) or
  to "nobody". A field set to "nobody" is shown only to the person themself and to an admin
  of an organisation the person belongs to – not to colleagues, not to the forum's staff.
- A person who is not listed is seen only by themself and their organisations' admins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet

from defus.organisations.models import Membership, User
from defus.organisations.permissions import is_network_member

from .models import Profile, Visibility

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

FIELDS = ("email", "phone", "position", "function", "bio")
# The viewer of `defus members people` without --as: the forum staff's view, which sees what
# members see (hidden fields stay hidden).
STAFF_VIEW = None

_DEFAULTS = Profile()  # the visibility defaults, for people who never opened their profile


def can_use(viewer: User | AnonymousUser | None) -> bool:
    """May the viewer open the directory (list, person pages, export, API)?"""
    return viewer is STAFF_VIEW or is_network_member(viewer)


def people() -> QuerySet[User]:
    """Everyone who can appear in the directory: active people of member organisations, with
    what visible_fields needs fetched in one go."""
    # All of a person's memberships: those of member organisations are shown, and any of
    # them tells whether the viewer administers the person (sees_everything).
    rows = Membership.objects.select_related("organisation").order_by("pk")
    return (
        User.objects.filter(is_active=True, memberships__organisation__is_member=True)
        .distinct()
        .select_related("profile")
        .prefetch_related(Prefetch("memberships", queryset=rows, to_attr="membership_rows"))
        .order_by("last_name", "first_name", "email")
    )


def _profile(person: User) -> Profile:
    try:
        return person.profile
    except Profile.DoesNotExist:
        return _DEFAULTS


def _member_rows(person: User) -> list[Membership]:
    rows = getattr(person, "membership_rows", None)
    if rows is not None:
        return [r for r in rows if r.organisation.is_member]
    return list(
        Membership.objects.filter(user=person, organisation__is_member=True).select_related(
            "organisation"
        )
    )


def _admin_organisations(viewer: User | AnonymousUser | None) -> frozenset[int]:
    if viewer is None or not viewer.is_authenticated:
        return frozenset()
    return frozenset(
        Membership.objects.filter(user=viewer, role=Membership.Role.ADMIN).values_list(
            "organisation_id", flat=True
        )
    )


def sees_everything(
    person: User,
    viewer: User | AnonymousUser | None,
    admin_of: frozenset[int] | None = None,
) -> bool:
    """The person themself, or an admin of one of the person's organisations."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.pk == person.pk:
        return True
    if admin_of is None:
        admin_of = _admin_organisations(viewer)
    if not admin_of:
        return False
    rows = getattr(person, "membership_rows", None)
    if rows is not None:  # fetched with the list: no query per person
        return any(r.organisation_id in admin_of for r in rows)
    return Membership.objects.filter(user=person, organisation_id__in=admin_of).exists()


def visible_fields(
    person: User,
    viewer: User | AnonymousUser | None,
    *,
    admin_of: frozenset[int] | None = None,
) -> dict[str, Any]:
    """What `viewer` may see of `person`: {} for nothing at all, else a dict with "id", "name",
    "organisations" (names) and each field of FIELDS, "" where the viewer may not see it.
    `viewer` None is the staff view of the command line (see STAFF_VIEW); `admin_of` (the
    organisations the viewer administers) saves a query per person in lists."""
    if not can_use(viewer):
        return {}
    rows = _member_rows(person)
    if not rows or not person.is_active:
        return {}
    profile = _profile(person)
    everything = sees_everything(person, viewer, admin_of)
    if not profile.listed and not everything:
        return {}
    values = {
        "email": person.email,
        "phone": profile.phone,
        "position": "; ".join(r.position for r in rows if r.position),
        "function": str(profile.get_function_display()) if profile.function else "",
        "bio": profile.bio,
    }
    shown: dict[str, Any] = {
        "id": person.pk,
        "name": person.get_full_name() or person.email,
        "organisations": [r.organisation.name for r in rows],
    }
    for name in FIELDS:
        allowed = everything or profile.visibility(name) == Visibility.MEMBERS
        shown[name] = values[name] if allowed else ""
    return shown


def directory(
    viewer: User | AnonymousUser | None,
    *,
    text: str = "",
    organisation: str = "",
    function: str = "",
    queryset: QuerySet[User] | None = None,
) -> list[dict[str, Any]]:
    """The directory as `viewer` sees it, searched by name/organisation/function text.

    The search runs over the visible values only: a hidden field never makes a person match.
    """
    if not can_use(viewer):
        return []
    source = people() if queryset is None else queryset
    if organisation:
        source = source.filter(
            Q(memberships__organisation__slug=organisation)
            | Q(memberships__organisation__name__iexact=organisation)
        ).distinct()
    needle = text.strip().casefold()
    wanted_function = function.strip().casefold()
    found = []
    admin_of = _admin_organisations(viewer)  # once for the whole list
    for person in source:
        shown = visible_fields(person, viewer, admin_of=admin_of)
        if not shown:
            continue
        if needle:
            haystack = " ".join([shown["name"], *shown["organisations"], shown["function"]])
            if needle not in haystack.casefold():
                continue
        if wanted_function and wanted_function != _function_code(shown["function"]):
            continue
        found.append(shown)
    return found


def _function_code(label: str) -> str:
    for code, text in Profile.Function.choices:
        if str(text) == label:
            return code
    return ""


def csv_rows(shown: list[dict[str, Any]]) -> list[list[str]]:
    """The directory's rows for the CSV export (header first), from visible_fields only."""
    from django.utils.translation import gettext as _

    header = [
        _("Name"),
        _("Organisation"),
        _("Position"),
        _("Function"),
        _("Email address"),
        _("Phone"),
        _("About me"),
    ]
    rows = [header]
    for entry in shown:
        rows.append(
            [
                entry["name"],
                ", ".join(entry["organisations"]),
                entry["position"],
                entry["function"],
                entry["email"],
                entry["phone"],
                entry["bio"],
            ]
        )
    return rows
