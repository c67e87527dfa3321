"""Project pages under /projects/: the public list and project pages, the member's expression
of interest in a call, and the forum staff's pages (projects, calls, interests, answers)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from defus.core.spreadsheets import formula_safe
from defus.organisations.permissions import is_forum_staff, is_network_member

from . import services
from .forms import (
    AnswerForm,
    CallForm,
    FilterForm,
    InterestForm,
    OutputFormSet,
    PartnerFormSet,
    ProjectForm,
)
from .models import Call, Interest, Project


def _filtered(request: HttpRequest) -> tuple[QuerySet[Project], FilterForm]:
    projects = Project.objects.select_related("lead_organisation")
    form = FilterForm(request.GET or None)
    if form.is_valid():
        status, programme, text = (form.cleaned_data[k] for k in ("status", "programme", "topic"))
        if status:
            projects = projects.filter(status=status)
        if programme:
            projects = projects.filter(programme=programme)
        if text:
            # Titles are JSON: a text search over the stored text finds every language.
            projects = projects.filter(
                Q(topics__icontains=text) | Q(title__icontains=text) | Q(summary__icontains=text)
            )
    return projects, form


def project_list(request: HttpRequest) -> HttpResponse:
    projects, form = _filtered(request)
    return render(
        request,
        "projects/list.html",
        {"projects": projects, "form": form, "is_staff": is_forum_staff(request.user)},
    )


def project_detail(request: HttpRequest, project: str) -> HttpResponse:
    item = get_object_or_404(Project.objects.select_related("lead_organisation"), slug=project)
    staff = is_forum_staff(request.user)
    calls = item.calls.all() if staff else item.calls.filter(open=True)
    return render(
        request,
        "projects/detail.html",
        {
            "project": item,
            "partners": item.partners.select_related("organisation"),
            "outputs": item.outputs.select_related("event", "page"),
            "calls": calls,
            "is_staff": staff,
        },
    )


def _member_gate(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_network_member(request.user):
        raise PermissionDenied
    return None


def express_interest(request: HttpRequest, project: str, call: int) -> HttpResponse:
    gate = _member_gate(request)
    if gate is not None:
        return gate
    item = get_object_or_404(Call.objects.select_related("project"), project__slug=project, pk=call)
    organisations = services.interest_organisations(request.user)
    already = Interest.objects.filter(call=item, organisation__in=organisations).select_related(
        "organisation"
    )
    form = InterestForm(
        request.POST if request.method == "POST" else None, organisations=organisations
    )
    if request.method == "POST" and item.accepts_interest and form.is_valid():
        try:
            services.express_interest(
                item,
                form.cleaned_data["organisation"],
                request.user,  # type: ignore[arg-type]
                form.cleaned_data["statement"],
            )
        except services.InterestRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request, _("Thank you: your interest is recorded. The forum will answer you.")
            )
            return redirect("projects:detail", project=item.project.slug)
    return render(
        request,
        "projects/interest.html",
        {
            "call": item,
            "project": item.project,
            "form": form,
            "already": already,
            "has_organisation": organisations.exists(),
            "closed": not item.accepts_interest,
        },
    )


# --- forum staff --------------------------------------------------------------------------------


def _staff_gate(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_forum_staff(request.user):
        raise PermissionDenied
    return None


def _project_form(request: HttpRequest, instance: Project | None) -> HttpResponse:
    gate = _staff_gate(request)
    if gate is not None:
        return gate
    data = request.POST if request.method == "POST" else None
    form = ProjectForm(data, instance=instance)
    partners = PartnerFormSet(data, instance=instance or Project(), prefix="partners")
    outputs = OutputFormSet(data, instance=instance or Project(), prefix="outputs")
    if data is not None and form.is_valid() and partners.is_valid() and outputs.is_valid():
        with transaction.atomic():
            project = form.save()
            partners.instance = project
            partners.save()
            outputs.instance = project
            outputs.save()
        messages.success(request, _("The project is saved."))
        return redirect("projects:detail", project=project.slug)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "partners": partners, "outputs": outputs, "project": instance},
    )


def project_create(request: HttpRequest) -> HttpResponse:
    return _project_form(request, None)


def project_edit(request: HttpRequest, project: str) -> HttpResponse:
    gate = _staff_gate(request)
    if gate is not None:
        return gate
    return _project_form(request, get_object_or_404(Project, slug=project))


def _call_form(request: HttpRequest, project: str, call: Call | None) -> HttpResponse:
    gate = _staff_gate(request)
    if gate is not None:
        return gate
    item = get_object_or_404(Project, slug=project)
    form = CallForm(request.POST if request.method == "POST" else None, instance=call)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.project = item
        saved.save()
        messages.success(request, _("The call is saved."))
        return redirect("projects:detail", project=item.slug)
    return render(request, "projects/call_form.html", {"form": form, "project": item, "call": call})


def call_create(request: HttpRequest, project: str) -> HttpResponse:
    return _call_form(request, project, None)


def call_edit(request: HttpRequest, project: str, call: int) -> HttpResponse:
    gate = _staff_gate(request)
    if gate is not None:
        return gate
    return _call_form(request, project, get_object_or_404(Call, project__slug=project, pk=call))


def _staff_call(request: HttpRequest, project: str, call: int) -> Call | HttpResponse:
    gate = _staff_gate(request)
    if gate is not None:
        return gate
    return get_object_or_404(Call.objects.select_related("project"), project__slug=project, pk=call)


def interests(request: HttpRequest, project: str, call: int) -> HttpResponse:
    item = _staff_call(request, project, call)
    if isinstance(item, HttpResponse):
        return item
    return render(
        request,
        "projects/interests.html",
        {
            "call": item,
            "project": item.project,
            "interests": item.interests.select_related("organisation", "person", "answered_by"),
            "answer_form": AnswerForm(),
        },
    )


@require_POST
def answer(request: HttpRequest, project: str, call: int, interest: int) -> HttpResponse:
    item = _staff_call(request, project, call)
    if isinstance(item, HttpResponse):
        return item
    target = get_object_or_404(Interest, call=item, pk=interest)
    form = AnswerForm(request.POST)
    if form.is_valid():
        services.answer_interest(target, form.cleaned_data["answer"], request.user)  # type: ignore[arg-type]
        messages.success(request, _("The answer is saved and sent by email."))
        return redirect(
            reverse("projects:interests", kwargs={"project": project, "call": item.pk})
            + f"#interest-{target.pk}"
        )
    return render(
        request,
        "projects/interests.html",
        {
            "call": item,
            "project": item.project,
            "interests": item.interests.select_related("organisation", "person", "answered_by"),
            "answer_form": AnswerForm(),
            "failed_form": form,
            "failed_pk": target.pk,
        },
        status=400,
    )


def export(request: HttpRequest, project: str, call: int, fmt: str) -> HttpResponse:
    item = _staff_call(request, project, call)
    if isinstance(item, HttpResponse):
        return item
    header, rows = services.interest_rows(item)
    name = f"{item.project.slug}-call-{item.pk}-interests.{fmt}"
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = _("Interests")[:31]
        sheet.append(header)
        for row in rows:
            sheet.append([formula_safe(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            "\ufeff" + interests_csv(header, rows), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def interests_csv(header: list[str], rows: list[list[Any]]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(header)
    writer.writerows([[formula_safe(v) for v in row] for row in rows])
    return text.getvalue()


def export_csv(request: HttpRequest, project: str, call: int) -> HttpResponse:
    return export(request, project, call, "csv")


def export_xlsx(request: HttpRequest, project: str, call: int) -> HttpResponse:
    return export(request, project, call, "xlsx")
