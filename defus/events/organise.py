"""The organisers' pages to create and edit events, their programme and documents
(forum staff only: others get 403, anonymous visitors the login page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import services
from .editing import (
    CapacityTooLow,
    DocumentForm,
    EventForm,
    save_event,
    save_programme,
    session_formset,
)
from .models import Event, EventDocument


def _organiser_gate(request: HttpRequest) -> HttpResponse | None:
    """A login redirect for anonymous visitors, 403 for non-organisers, None for organisers."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not services.is_organiser(request.user):
        raise PermissionDenied
    return None


def _edit(request: HttpRequest, event: Event | None) -> HttpResponse:
    form = EventForm(request.POST if request.method == "POST" else None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            saved, offered = save_event(form, request.user)
        except CapacityTooLow as refusal:
            form.add_error("capacity", str(refusal))
        else:
            if event is None:
                messages.success(request, _("The event is created."))
            else:
                messages.success(request, _("The event is saved."))
            if offered:
                messages.info(
                    request,
                    ngettext(
                        "%(number)d person on the waiting list was offered a place.",
                        "%(number)d people on the waiting list were offered a place.",
                        len(offered),
                    )
                    % {"number": len(offered)},
                )
            return redirect("events:detail", event=saved.slug)
    return render(
        request,
        "events/edit.html",
        {"form": form, "event": event, "creating": event is None},
    )


def create_event(request: HttpRequest) -> HttpResponse:
    gate = _organiser_gate(request)
    if gate is not None:
        return gate
    return _edit(request, None)


def edit_event(request: HttpRequest, event: str) -> HttpResponse:
    gate = _organiser_gate(request)
    if gate is not None:
        return gate
    return _edit(request, get_object_or_404(Event, slug=event))


def programme(request: HttpRequest, event: str) -> HttpResponse:
    gate = _organiser_gate(request)
    if gate is not None:
        return gate
    item = get_object_or_404(Event, slug=event)
    formset = session_formset(item, request.POST if request.method == "POST" else None)
    if request.method == "POST" and formset.is_valid():
        number = save_programme(formset, item, request.user)
        messages.success(
            request,
            ngettext(
                "The programme is saved (%(number)d item).",
                "The programme is saved (%(number)d items).",
                number,
            )
            % {"number": number},
        )
        return redirect("events:programme", event=item.slug)
    return render(request, "events/programme.html", {"event": item, "formset": formset})


def documents(request: HttpRequest, event: str) -> HttpResponse:
    gate = _organiser_gate(request)
    if gate is not None:
        return gate
    item = get_object_or_404(Event, slug=event)
    form = DocumentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=EventDocument(event=item),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            document = form.save()
            services.audit(item, request.user, "document", f"added: {document.title}")
        messages.success(
            request, _("The document “%(title)s” is added.") % {"title": document.title}
        )
        return redirect("events:documents_manage", event=item.slug)
    return render(
        request,
        "events/documents_manage.html",
        {"event": item, "form": form, "documents": item.documents.all()},
    )


@require_POST
def delete_document(request: HttpRequest, event: str, event_document: int) -> HttpResponse:
    gate = _organiser_gate(request)
    if gate is not None:
        return gate
    item = get_object_or_404(Event, slug=event)
    document = get_object_or_404(EventDocument, event=item, pk=event_document)
    title, file = document.title, document.file
    with transaction.atomic():
        document.delete()
        services.audit(item, request.user, "document", f"deleted: {title}")
        # the stored file goes once the deletion is committed
        transaction.on_commit(lambda: file.delete(save=False))
    messages.success(request, _("The document “%(title)s” is deleted.") % {"title": title})
    return redirect("events:documents_manage", event=item.slug)
