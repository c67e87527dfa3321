"""An organisation's people under /o/<org>/people/: its admin sees everyone with their role and
position, invites by email, resends or withdraws invitations, changes roles, removes people.
Permission "organisation.manage_people": another organisation's admin gets 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from defus.organisations.models import Membership
from defus.organisations.permissions import OrganisationPermissionMixin

from . import services
from .forms import InvitationForm, RoleForm
from .models import Invitation
from .views import _language


class ManagePeople(OrganisationPermissionMixin, View):
    permission = "organisation.manage_people"

    def page(self, form: InvitationForm | None = None, status: int = 200) -> HttpResponse:
        memberships = (
            Membership.objects.filter(organisation=self.organisation)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user__email")
        )
        invitations = Invitation.objects.filter(
            organisation=self.organisation, accepted_at__isnull=True, withdrawn_at__isnull=True
        ).select_related("invited_by")
        return render(
            self.request,
            "members/organisation_people.html",
            {
                "organisation": self.organisation,
                "memberships": [
                    (
                        m,
                        RoleForm(
                            initial={"role": m.role, "position": m.position}, prefix=f"m{m.pk}"
                        ),
                    )
                    for m in memberships
                ],
                "invitations": invitations,
                "form": form or InvitationForm(initial={"language": _language()}),
                "now": timezone.now(),
            },
            status=status,
        )

    def back(self) -> HttpResponse:
        return redirect("organisation_people:list", org=self.organisation.slug)


class PeopleList(ManagePeople):
    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self.page()

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """Invite a person."""
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invite(
                    self.organisation,
                    form.cleaned_data["email"],
                    form.cleaned_data["role"],
                    position=form.cleaned_data["position"],
                    language=form.cleaned_data["language"],
                    by=request.user,
                )
            except services.MembersError as problem:
                form.add_error("email", str(problem))
            else:
                messages.success(
                    request,
                    _("The invitation to %(email)s is on its way.") % {"email": invitation.email},
                )
                return self.back()
        return self.page(form)


class InvitationAction(ManagePeople):
    def post(self, request: HttpRequest, people_invitation: int, **kwargs: Any) -> HttpResponse:
        item = get_object_or_404(Invitation, organisation=self.organisation, pk=people_invitation)
        try:
            if request.POST.get("action") == "withdraw":
                services.withdraw_invitation(item)
                messages.success(
                    request, _("The invitation to %(email)s is withdrawn.") % {"email": item.email}
                )
            else:
                services.resend_invitation(item)
                messages.success(
                    request, _("The invitation to %(email)s is sent again.") % {"email": item.email}
                )
        except services.MembersError as problem:
            messages.error(request, str(problem))
        return self.back()


class MembershipAction(ManagePeople):
    def post(self, request: HttpRequest, membership: int, **kwargs: Any) -> HttpResponse:
        item = get_object_or_404(
            Membership.objects.select_related("user"), organisation=self.organisation, pk=membership
        )
        try:
            if request.POST.get("action") == "remove":
                services.remove_person(item)
                messages.success(
                    request,
                    _("%(name)s no longer belongs to %(organisation)s.")
                    % {"name": item.user, "organisation": self.organisation.name},
                )
            else:
                form = RoleForm(request.POST, prefix=f"m{item.pk}")
                if not form.is_valid():
                    messages.error(request, _("Please choose a role."))
                    return self.back()
                services.change_role(item, form.cleaned_data["role"], form.cleaned_data["position"])
                messages.success(request, _("The role of %(name)s is saved.") % {"name": item.user})
        except services.MembersError as problem:
            messages.error(request, str(problem))
        return self.back()
