"""The members' pages under /members/: the public list and map of member organisations, the
members-only directory (list, person, CSV, JSON), one's own profile, invitations by token,
membership applications and their review by the forum's staff."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from defus.analysis.formatting import format_number
from defus.core.languages import check_language
from defus.core.spreadsheets import formula_safe
from defus.organisations.models import Organisation, User
from defus.organisations.permissions import is_forum_staff, is_network_member

from . import directory, network, services
from .forms import (
    ApplicationForm,
    DecisionForm,
    DirectorySearchForm,
    NewAccountForm,
    OrganisationFilterForm,
    ProfileForm,
    StatusForm,
)
from .models import Application, Invitation, MembershipChange

PAGE_SIZE = 50
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _language() -> str:
    return check_language(get_language())


def _members_only(request: HttpRequest) -> HttpResponse | None:
    """Anonymous visitors log in first; people outside the network get 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_network_member(request.user):
        raise PermissionDenied
    return None


def _staff_only(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_forum_staff(request.user):
        raise PermissionDenied
    return None


# --- member organisations (public) -------------------------------------------------------------


def _filtered_organisations(
    request: HttpRequest,
) -> tuple[list[Organisation], OrganisationFilterForm]:
    form = OrganisationFilterForm(request.GET or None)
    country = kind = ""
    if form.is_valid():
        country, kind = form.cleaned_data["country"], form.cleaned_data["kind"]
    return list(network.member_organisations(country, kind)), form


def organisations(request: HttpRequest) -> HttpResponse:
    found, form = _filtered_organisations(request)
    rows = [
        {
            "organisation": o,
            "country": network.country_name(o.country),
            "kind": o.get_kind_display(),
            "population": format_number(o.population, _language()) if o.population else "",
        }
        for o in found
    ]
    return render(
        request,
        "members/organisations.html",
        {
            "rows": rows,
            "form": form,
            "spec": network.map_spec(found, _language()),
            "total": Organisation.objects.filter(is_member=True).count(),
            "is_staff": is_forum_staff(request.user),
            "query": request.GET.urlencode(),
        },
    )


def organisations_json(request: HttpRequest) -> JsonResponse:
    found, _form = _filtered_organisations(request)
    return JsonResponse({"organisations": [network.public_record(o) for o in found]})


def organisation_status(request: HttpRequest, organisation: str) -> HttpResponse:
    """Forum staff change an organisation's membership status (with its history)."""
    gate = _staff_only(request)
    if gate:
        return gate
    item = get_object_or_404(Organisation, slug=organisation)
    form = StatusForm(
        request.POST if request.method == "POST" else None,
        initial={"status": item.membership_status},
    )
    if request.method == "POST" and form.is_valid():
        services.set_membership_status(
            item, form.cleaned_data["status"], request.user, form.cleaned_data["note"]
        )
        messages.success(request, _("The membership status is saved."))
        return redirect("members:organisation_status", organisation=item.slug)
    return render(
        request,
        "members/organisation_status.html",
        {
            "item": item,
            "form": form,
            "history": MembershipChange.objects.filter(organisation=item).select_related("by"),
        },
    )


# --- the directory (members only) ------------------------------------------------------------


def _searched(request: HttpRequest) -> tuple[list[dict[str, Any]], DirectorySearchForm]:
    form = DirectorySearchForm(request.GET or None)
    text = function = ""
    if form.is_valid():
        text, function = form.cleaned_data["q"], form.cleaned_data["function"]
    return directory.directory(request.user, text=text, function=function), form


def people(request: HttpRequest) -> HttpResponse:
    gate = _members_only(request)
    if gate:
        return gate
    found, form = _searched(request)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/people.html",
        {"page": page, "form": form, "count": len(found), "query": query.urlencode()},
    )


def person(request: HttpRequest, person: int) -> HttpResponse:
    gate = _members_only(request)
    if gate:
        return gate
    shown = {}
    found = directory.people().filter(pk=person).first()
    if found is not None:
        shown = directory.visible_fields(found, request.user)
    if not shown:
        raise Http404
    return render(
        request,
        "members/person.html",
        {"shown": shown, "own": found is not None and found.pk == request.user.pk},
    )


def people_csv(request: HttpRequest) -> HttpResponse:
    gate = _members_only(request)
    if gate:
        return gate
    found, _form = _searched(request)
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    for row in directory.csv_rows(found):
        writer.writerow([formula_safe(v) for v in row])
    response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="defus-members.csv"'
    return response


def people_json(request: HttpRequest) -> HttpResponse:
    gate = _members_only(request)
    if gate:
        return gate
    found, _form = _searched(request)
    fields = ("id", "name", "organisations", *directory.FIELDS)
    body = {"people": [{k: entry[k] for k in fields} for entry in found]}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )


def me(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    profile = services.profile_for(request.user)
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("members:me")
    return render(
        request,
        "members/me.html",
        {
            "form": form,
            "memberships": request.user.memberships.select_related("organisation"),
            "in_directory": is_network_member(request.user),
        },
    )


# --- invitations (public, by token) --------------------------------------------------------


def invitation(request: HttpRequest, invitation_token: str) -> HttpResponse:
    item = Invitation.objects.select_related("organisation").filter(token=invitation_token).first()
    context: dict[str, Any] = {"invitation": item, "problem": ""}
    if item is None:
        context["problem"] = _(
            "This invitation link is not valid. Please check that you copied the whole link "
            "from the email."
        )
        return render(request, "members/invitation.html", context, status=404)
    try:
        services.check_usable(item)
    except services.InvitationUnusable as problem:
        context["problem"] = str(problem)
        return render(request, "members/invitation.html", context)
    account = User.objects.filter(email__iexact=item.email).first()
    context["account"] = account
    if account is None:
        form = NewAccountForm(request.POST if request.method == "POST" else None, email=item.email)
        if request.method == "POST" and form.is_valid():
            try:
                user, _membership = services.create_invited_account(
                    item,
                    form.cleaned_data["first_name"],
                    form.cleaned_data["last_name"],
                    form.cleaned_data["password1"],
                )
            except services.InvitationUnusable as problem:
                form.add_error(None, str(problem))
            else:
                login(request, user, backend=LOGIN_BACKEND)
                messages.success(
                    request,
                    _("Welcome! You now belong to %(organisation)s.")
                    % {"organisation": item.organisation.name},
                )
                return redirect("members:me")
        context["form"] = form
        return render(request, "members/invitation.html", context)
    # An account exists: its owner logs in (if need be) and accepts.
    if not request.user.is_authenticated:
        context["login_url"] = reverse("account_login") + "?next=" + request.path
        return render(request, "members/invitation.html", context)
    if request.user.pk != account.pk:
        context["problem"] = _(
            "You are logged in as %(current)s, but this invitation is for %(email)s. "
            "Please log out and log in with that address."
        ) % {"current": request.user.email, "email": item.email}
        return render(request, "members/invitation.html", context)
    if request.method == "POST":
        try:
            services.accept_invitation(item, account)
        except services.InvitationUnusable as problem:
            messages.error(request, str(problem))
            return redirect(request.path)
        messages.success(
            request,
            _("Welcome! You now belong to %(organisation)s.")
            % {"organisation": item.organisation.name},
        )
        return redirect("members:me")
    context["accept"] = True
    return render(request, "members/invitation.html", context)


# --- applications ---------------------------------------------------------------------------


def apply(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        application = form.save(commit=False)
        application.language = _language()
        application.save()
        return render(request, "members/applied.html", {"application": application})
    return render(request, "members/apply.html", {"form": form})


def applications(request: HttpRequest) -> HttpResponse:
    gate = _staff_only(request)
    if gate:
        return gate
    status = request.GET.get("status", "")
    items = Application.objects.select_related("reviewed_by")
    if status in Application.Status.values:
        items = items.filter(status=status)
    return render(
        request,
        "members/applications.html",
        {"applications": items, "status": status, "statuses": Application.Status.choices},
    )


def application(request: HttpRequest, application: int) -> HttpResponse:
    gate = _staff_only(request)
    if gate:
        return gate
    item = get_object_or_404(Application, pk=application)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                organisation = services.approve_application(
                    item, request.user, form.cleaned_data["message"]
                )
                messages.success(
                    request,
                    _(
                        "%(name)s is a member now; its contact person is invited as the "
                        "organisation's admin."
                    )
                    % {"name": organisation.name},
                )
            else:
                services.reject_application(item, request.user, form.cleaned_data["message"])
                messages.success(request, _("The application is rejected; the applicant is told."))
        except services.MembersError as problem:
            form.add_error(None, str(problem))
        else:
            return redirect("members:application", application=item.pk)
    return render(
        request,
        "members/application.html",
        {
            "item": item,
            "form": form,
            "country": network.country_name(item.country),
            "invitations": item.invitations.all(),
        },
    )
