"""Every change to the network's members: membership status, invitations, roles, applications.

Views, the `defus members` command and the demo call these functions; none of them needs a
request. Emails leave after the transaction commits, in the background (core/background.py),
in the language of their recipient.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from defus.core.background import run_in_background
from defus.core.languages import check_language
from defus.organisations.models import Membership, Organisation, User

from .models import Application, Invitation, MembershipChange, Profile, invitation_expiry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class MembersError(Exception):
    """A refused change, with a message for the person who asked for it."""


def _actor(by: User | AnonymousUser | None) -> User | None:
    return by if by is not None and by.is_authenticated else None


# --- profiles -------------------------------------------------------------------------------


def profile_for(user: User) -> Profile:
    """The person's directory profile, made with the defaults the first time it is needed."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _created = Profile.objects.get_or_create(user=user)
        return profile


# --- membership status ----------------------------------------------------------------------


def set_membership_status(
    organisation: Organisation,
    status: str,
    by: User | AnonymousUser | None = None,
    note: str = "",
    *,
    date: datetime.date | None = None,
) -> MembershipChange:
    """Change the organisation's membership status and record it.

    `is_member` (what every permission reads) follows the status: member ⇔ is_member.
    Becoming a member for the first time sets `member_since`.
    """
    if status not in Organisation.MembershipStatus.values:
        raise MembersError(_("Unknown membership status: %(status)s") % {"status": status})
    date = date or timezone.localdate()
    with transaction.atomic():
        organisation.membership_status = status
        organisation.is_member = status == Organisation.MembershipStatus.MEMBER
        if organisation.is_member and organisation.member_since is None:
            organisation.member_since = date
        organisation.save(update_fields=["membership_status", "is_member", "member_since"])
        return MembershipChange.objects.create(
            organisation=organisation, status=status, date=date, note=note[:500], by=_actor(by)
        )


# --- people of an organisation ----------------------------------------------------------------


def _admins(organisation: Organisation) -> Any:
    return Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN)


def change_role(membership: Membership, role: str, position: str | None = None) -> Membership:
    """A new role (and position) for a person; the last admin stays an admin."""
    if role not in Membership.Role.values:
        raise MembersError(_("Unknown role: %(role)s") % {"role": role})
    with transaction.atomic():
        if (
            membership.role == Membership.Role.ADMIN
            and role != Membership.Role.ADMIN
            and _admins(membership.organisation).count() <= 1
        ):
            raise MembersError(
                _("%(name)s is the organisation's only admin: make someone else admin first.")
                % {"name": membership.user}
            )
        membership.role = role
        if position is not None:
            membership.position = position[:200]
        membership.save(update_fields=["role", "position"])
    return membership


def remove_person(membership: Membership) -> None:
    """Take a person out of an organisation (their account stays); never the last admin."""
    with transaction.atomic():
        if (
            membership.role == Membership.Role.ADMIN
            and _admins(membership.organisation).count() <= 1
        ):
            raise MembersError(
                _(
                    "%(name)s is the organisation's only admin and cannot be removed: "
                    "make someone else admin first."
                )
                % {"name": membership.user}
            )
        membership.delete()


# --- invitations ------------------------------------------------------------------------------


def invite(
    organisation: Organisation,
    email: str,
    role: str,
    *,
    position: str = "",
    language: str = "de",
    by: User | AnonymousUser | None = None,
    application: Application | None = None,
) -> Invitation:
    """Invite a person into the organisation by email (the link is valid for 14 days).

    An open invitation to the same address is replaced, so only the newest link works.
    """
    email = email.strip().lower()
    if role not in Membership.Role.values:
        raise MembersError(_("Unknown role: %(role)s") % {"role": role})
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise MembersError(
            _("%(email)s already belongs to %(organisation)s.")
            % {"email": email, "organisation": organisation}
        )
    with transaction.atomic():
        now = timezone.now()
        Invitation.objects.filter(
            organisation=organisation,
            email__iexact=email,
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
        ).update(withdrawn_at=now)
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            position=position[:200],
            language=check_language(language),
            invited_by=_actor(by),
            application=application,
        )
        _send_later("invitation", invitation.pk)
    return invitation


def resend_invitation(invitation: Invitation) -> Invitation:
    """Send the invitation again, valid for another 14 days from now."""
    if not invitation.is_open:
        raise MembersError(_("This invitation was accepted or withdrawn already."))
    invitation.expires = invitation_expiry()
    invitation.save(update_fields=["expires"])
    _send_later("invitation", invitation.pk)
    return invitation


def withdraw_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise MembersError(_("This invitation was accepted already."))
    if invitation.withdrawn_at is None:
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])


class InvitationUnusable(MembersError):
    pass


def check_usable(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise InvitationUnusable(_("This invitation has been accepted already."))
    if invitation.withdrawn_at is not None:
        raise InvitationUnusable(_("This invitation has been withdrawn."))
    if invitation.is_expired:
        raise InvitationUnusable(
            _(
                "This invitation has expired. Please ask your organisation's admin "
                "to send you a new one."
            )
        )


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """The invited person joins the organisation with the invitation's role and position."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        check_usable(invitation)
        if user.email.lower() != invitation.email.lower():
            raise InvitationUnusable(
                _("This invitation is for %(email)s.") % {"email": invitation.email}
            )
        membership, created = Membership.objects.get_or_create(
            user=user,
            organisation=invitation.organisation,
            defaults={"role": invitation.role, "position": invitation.position},
        )
        if not created:
            membership.role = invitation.role
            membership.position = invitation.position or membership.position
            membership.save(update_fields=["role", "position"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        if invitation.application_id is not None:
            organisation = invitation.organisation
            organisation.main_contact = user
            organisation.save(update_fields=["main_contact"])
        profile_for(user)
    return membership


def create_invited_account(
    invitation: Invitation, first_name: str, last_name: str, password: str
) -> tuple[User, Membership]:
    """A new account for an invited address (the password is checked by the form)."""
    with transaction.atomic():
        check_usable(invitation)
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationUnusable(
                _("An account with this email address exists already: please log in.")
            )
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            first_name=first_name[:150],
            last_name=last_name[:150],
            preferred_language=invitation.language,
        )
        membership = accept_invitation(invitation, user)
    return user, membership


# --- applications -----------------------------------------------------------------------------


def submit_application(**fields: Any) -> Application:
    return Application.objects.create(**fields)


def unique_slug(name: str) -> str:
    base = slugify(name)[:40] or "organisation"
    slug, number = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


def _check_open(application: Application) -> None:
    if application.status != Application.Status.SUBMITTED:
        raise MembersError(
            _("This application has been decided already (%(status)s).")
            % {"status": application.get_status_display()}
        )


def approve_application(
    application: Application, by: User | AnonymousUser | None, message: str = ""
) -> Organisation:
    """Make the applicant a member organisation and invite its contact person as its admin."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        _check_open(application)
        organisation = Organisation.objects.create(
            name=application.organisation_name,
            slug=unique_slug(application.organisation_name),
            kind=application.kind,
            country=application.country,
            population=application.population,
            website=application.website,
            is_member=False,
            membership_status=Organisation.MembershipStatus.APPLICANT,
        )
        set_membership_status(
            organisation,
            Organisation.MembershipStatus.MEMBER,
            by,
            f"application {application.pk} approved",
        )
        application.status = Application.Status.APPROVED
        application.reviewed_by = _actor(by)
        application.reviewed_at = timezone.now()
        application.decision_message = message
        application.organisation = organisation
        application.save()
        # The decision email carries the invitation's link: one email, not two.
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=application.contact_email.lower(),
            role=Membership.Role.ADMIN,
            position=application.contact_function[:200],
            language=application.language,
            invited_by=_actor(by),
            application=application,
        )
        _send_later("approved", application.pk, invitation.pk)
    return organisation


def reject_application(
    application: Application, by: User | AnonymousUser | None, message: str
) -> Application:
    if not message.strip():
        raise MembersError(_("Please write the applicant a message with the reasons."))
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        _check_open(application)
        application.status = Application.Status.REJECTED
        application.reviewed_by = _actor(by)
        application.reviewed_at = timezone.now()
        application.decision_message = message.strip()
        application.save()
        _send_later("rejected", application.pk)
    return application


def _send_later(kind: str, *ids: int) -> None:
    from . import emails

    transaction.on_commit(lambda: run_in_background(emails.send, kind, *ids))
