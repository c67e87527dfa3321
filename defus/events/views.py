"""Event pages under /events/: calendar (list and month), detail, registration, the
registrant's own page (by token), and the organisers' pages (forum staff only)."""

from __future__ import annotations

import calendar as month_calendar
import csv
import datetime
import io
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from defus.core import uploads
from defus.core.background import run_in_background
from defus.core.languages import check_language
from defus.core.spreadsheets import formula_safe
from defus.organisations.models import User
from defus.organisations.permissions import is_network_member, organisations_for

from . import services
from .emails import send_message_to_registrants
from .forms import FilterForm, GroupRegistrationForm, MessageForm, RegistrationForm
from .ics import calendar as ics_calendar
from .models import ACTIVE, Event, EventDocument, Registration

BERLIN = ZoneInfo("Europe/Berlin")


def _language() -> str:
    return check_language(get_language())


def visible_events(request: HttpRequest) -> QuerySet[Event]:
    events = Event.objects.all()
    if not is_network_member(request.user):
        events = events.filter(access=Event.Access.PUBLIC)
    return events


def _filtered(request: HttpRequest, events: QuerySet[Event]) -> tuple[QuerySet[Event], FilterForm]:
    form = FilterForm(request.GET or None)
    if form.is_valid():
        kind, fmt, text = (form.cleaned_data[k] for k in ("kind", "format", "q"))
        if kind:
            events = events.filter(kind=kind)
        if fmt == "online":
            events = events.filter(format__in=(Event.Format.ONLINE, Event.Format.HYBRID))
        elif fmt == "in_person":
            events = events.filter(format__in=(Event.Format.IN_PERSON, Event.Format.HYBRID))
        if text:
            # Titles are JSON: a text search over the stored text finds every language.
            events = events.filter(
                Q(topics__icontains=text)
                | Q(title__icontains=text)
                | Q(description__icontains=text)
                | Q(venue__icontains=text)
            )
    return events, form


def get_event(request: HttpRequest, slug: str) -> Event:
    """The event if the visitor may see it: members-only events are not found by others."""
    event = get_object_or_404(Event, slug=slug)
    if not services.can_see(event, request.user):
        raise Http404
    return event


def _members_only_gate(request: HttpRequest, slug: str) -> HttpResponse | Event:
    event = get_object_or_404(Event, slug=slug)
    if event.members_only and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not services.can_see(event, request.user):
        raise Http404
    return event


def event_list(request: HttpRequest) -> HttpResponse:
    services.expire_offers_if_due()
    events, form = _filtered(request, visible_events(request))
    past = request.GET.get("past") == "1"
    now = timezone.now()
    events = events.filter(end__lt=now).order_by("-start") if past else events.filter(end__gte=now)
    return render(
        request,
        "events/list.html",
        {"events": events[:200], "form": form, "past": past, "current": "list"},
    )


def month_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year, month = (int(p) for p in request.GET.get("month", "").split("-"))
        first = datetime.date(year, month, 1)
    except (ValueError, TypeError):
        first = today.replace(day=1)
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start = datetime.datetime.combine(weeks[0][0], datetime.time(), BERLIN)
    after = weeks[-1][-1] + datetime.timedelta(days=1)
    end = datetime.datetime.combine(after, datetime.time(), BERLIN)
    events, form = _filtered(request, visible_events(request))
    in_month = list(events.filter(start__lt=end, end__gte=start))
    days: list[list[dict[str, Any]]] = []
    for week in weeks:
        row = []
        for day in week:
            on_day = [
                e
                for e in in_month
                if e.start.astimezone(BERLIN).date() <= day <= e.end.astimezone(BERLIN).date()
            ]
            row.append({"date": day, "events": on_day, "other_month": day.month != first.month})
        days.append(row)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    query = request.GET.copy()
    query.pop("month", None)
    return render(
        request,
        "events/month.html",
        {
            "weeks": days,
            "first": first,
            "previous": previous,
            "following": following,
            "form": form,
            "query": query.urlencode(),
            "today": today,
            "current": "month",
        },
    )


def calendar_feed(request: HttpRequest) -> HttpResponse:
    events = visible_events(request).filter(end__gte=timezone.now() - datetime.timedelta(days=365))
    response = HttpResponse(ics_calendar(events, _language()), content_type="text/calendar")
    response["Content-Disposition"] = 'inline; filename="defus-events.ics"'
    return response


def event_ics(request: HttpRequest, event: str) -> HttpResponse:
    gate = _members_only_gate(request, event)
    if isinstance(gate, HttpResponse):
        return gate
    own = services.confirmed_registration(gate, request.user)
    content = ics_calendar([gate], _language(), online_link_for=gate if own else None)
    response = HttpResponse(content, content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="{gate.slug}.ics"'
    return response


def event_detail(request: HttpRequest, event: str) -> HttpResponse:
    services.expire_offers_if_due()
    gate = _members_only_gate(request, event)
    if isinstance(gate, HttpResponse):
        return gate
    own = services.active_registration(gate, request.user)
    confirmed = own is not None and own.status == Registration.Status.CONFIRMED
    return render(
        request,
        "events/detail.html",
        {
            "event": gate,
            "sessions": gate.sessions.all(),
            "documents": services.visible_documents(gate, request.user),
            "own": own,
            "show_online_link": bool(gate.online_link)
            and (confirmed or services.is_organiser(request.user)),
            "counts": services.counts(gate),
            "is_organiser": services.is_organiser(request.user),
            "can_register_group": request.user.is_authenticated
            and organisations_for(request.user, "organisation.manage_people").exists(),
        },
    )


def register(request: HttpRequest, event: str) -> HttpResponse:
    gate = _members_only_gate(request, event)
    if isinstance(gate, HttpResponse):
        return gate
    own = services.active_registration(gate, request.user)
    if own is not None:
        return redirect("events:registration", registration_token=own.token)
    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(data, event=gate, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user if request.user.is_authenticated else None
        try:
            registration = services.register(
                gate,
                user=user,
                name=form.cleaned_data.get("name", ""),
                email=form.cleaned_data.get("email", ""),
                organisation=form.cleaned_data.get("organisation"),
                language=_language(),
                answers=form.answers(),
                voting_representative=form.cleaned_data.get("voting_representative", False),
            )
        except services.RegistrationRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            if registration.status == Registration.Status.CONFIRMED:
                messages.success(request, _("You are registered. A confirmation is on its way."))
            else:
                messages.info(
                    request,
                    _("The event is fully booked: you are on the waiting list."),
                )
            return redirect("events:registration", registration_token=registration.token)
    return render(
        request,
        "events/register.html",
        {"event": gate, "form": form, "counts": services.counts(gate)},
    )


def register_group(request: HttpRequest, event: str) -> HttpResponse:
    """An organisation's admin registers several of its people at once."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    gate = _members_only_gate(request, event)
    if isinstance(gate, HttpResponse):
        return gate
    organisations = organisations_for(request.user, "organisation.manage_people")
    if gate.members_only:
        organisations = organisations.filter(is_member=True)
    if not organisations.exists():
        raise PermissionDenied
    wanted = request.POST.get("organisation") or request.GET.get("organisation")
    organisation = organisations.filter(slug=wanted).first() if wanted else None
    organisation = organisation or organisations.first()
    assert organisation is not None
    registered = gate.registrations.filter(organisation=organisation).exclude(
        status=Registration.Status.CANCELLED
    )
    members = User.objects.filter(memberships__organisation=organisation, is_active=True)
    candidates = members.exclude(
        event_registrations__event=gate,
        event_registrations__status__in=ACTIVE,
    ).order_by("last_name", "first_name", "email")
    posted = request.method == "POST"
    form = GroupRegistrationForm(
        request.POST if posted else None, event=gate, candidates=candidates
    )
    if posted and form.is_valid():
        try:
            made = services.register_group(
                gate,
                organisation,
                form.cleaned_data["people"],
                by=request.user,
                voting_representative=form.cleaned_data.get("voting_representative"),
            )
        except services.RegistrationRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            confirmed = sum(r.status == Registration.Status.CONFIRMED for r in made)
            waiting = len(made) - confirmed
            messages.success(
                request,
                _(
                    "%(confirmed)d registered, %(waiting)d on the waiting list. "
                    "Each person receives their own confirmation by email."
                )
                % {"confirmed": confirmed, "waiting": waiting},
            )
            url = reverse("events:register_group", kwargs={"event": gate.slug})
            return redirect(f"{url}?organisation={organisation.slug}")
    return render(
        request,
        "events/register_group.html",
        {
            "event": gate,
            "form": form,
            "organisation": organisation,
            "organisations": organisations,
            "registered": registered.select_related("user").order_by("status", "created"),
            "counts": services.counts(gate),
        },
    )


def registration_page(request: HttpRequest, registration_token: str) -> HttpResponse:
    """The registrant's own page, reached with the link from the email (no login needed)."""
    services.expire_offers_if_due()
    registration = get_object_or_404(
        Registration.objects.select_related("event"), token=registration_token
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            services.cancel(registration)
            messages.success(request, _("Your registration is cancelled."))
        elif action == "confirm":
            try:
                services.confirm_offer(registration.token)
                messages.success(request, _("You have accepted the place. See you there!"))
            except services.OfferExpired:
                messages.error(
                    request,
                    _("Sorry, the offer has expired; the place went to the next person waiting."),
                )
            except services.RegistrationRefused as refusal:
                messages.error(request, str(refusal))
        return redirect("events:registration", registration_token=registration.token)
    event = registration.event
    confirmed = registration.status == Registration.Status.CONFIRMED
    return render(
        request,
        "events/registration.html",
        {
            "registration": registration,
            "event": event,
            "show_online_link": confirmed and bool(event.online_link),
            "position": registration.waiting_position,
        },
    )


def document(request: HttpRequest, event: str, event_document: int) -> HttpResponseBase:
    gate = _members_only_gate(request, event)
    if isinstance(gate, HttpResponse):
        return gate
    item = get_object_or_404(EventDocument, event=gate, pk=event_document)
    if not services.visible_documents(gate, request.user).filter(pk=item.pk).exists():
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    return uploads.document_response(item.file)


# --- organisers (forum staff) -----------------------------------------------------------------


def _organiser_event(request: HttpRequest, slug: str) -> Event | HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not services.is_organiser(request.user):
        raise PermissionDenied
    return get_object_or_404(Event, slug=slug)


def participants(request: HttpRequest, event: str) -> HttpResponse:
    gate = _organiser_event(request, event)
    if isinstance(gate, HttpResponse):
        return gate
    registrations = gate.registrations.select_related("user", "organisation").order_by(
        "status", "waiting_number", "created"
    )
    return render(
        request,
        "events/participants.html",
        {
            "event": gate,
            "registrations": registrations,
            "counts": services.counts(gate),
            "message_form": MessageForm(),
        },
    )


@require_POST
def check_in(request: HttpRequest, event: str, registration: int) -> HttpResponse:
    gate = _organiser_event(request, event)
    if isinstance(gate, HttpResponse):
        return gate
    item = get_object_or_404(Registration, event=gate, pk=registration)
    services.set_checked_in(item, request.POST.get("present") == "1")
    anchor = f"#registration-{item.pk}"
    return redirect(reverse("events:participants", kwargs={"event": gate.slug}) + anchor)


def _rows(event: Event) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("Name"),
        _("Email address"),
        _("Organisation"),
        _("Status"),
        _("Waiting list"),
        _("Voting representative"),
        _("Present"),
        _("Dietary requirements"),
        _("Accessibility needs"),
        _("Remarks"),
        _("Registered"),
    ]
    rows = []
    for r in event.registrations.select_related("user", "organisation").order_by("created"):
        rows.append(
            [
                r.display_name,
                r.contact_email,
                r.organisation.name if r.organisation else "",
                r.get_status_display(),
                r.waiting_position or "",
                _("yes") if r.voting_representative else "",
                _("yes") if r.checked_in else "",
                r.answers.get("diet", ""),
                r.answers.get("accessibility", ""),
                r.answers.get("notes", ""),
                timezone.localtime(r.created).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return header, rows


def export(request: HttpRequest, event: str, fmt: str) -> HttpResponse:
    gate = _organiser_event(request, event)
    if isinstance(gate, HttpResponse):
        return gate
    header, rows = _rows(gate)
    services.audit(gate, request.user, "export", f"{fmt}, {len(rows)} rows")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = _("Participants")[:31]
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
        text = io.StringIO()
        writer = csv.writer(text, delimiter=";")
        writer.writerow(header)
        writer.writerows([[formula_safe(v) for v in row] for row in rows])
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{gate.slug}-participants.{fmt}"'
    return response


def export_csv(request: HttpRequest, event: str) -> HttpResponse:
    return export(request, event, "csv")


def export_xlsx(request: HttpRequest, event: str) -> HttpResponse:
    return export(request, event, "xlsx")


@require_POST
def send_message(request: HttpRequest, event: str) -> HttpResponse:
    gate = _organiser_event(request, event)
    if isinstance(gate, HttpResponse):
        return gate
    form = MessageForm(request.POST)
    if form.is_valid():
        subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
        services.audit(gate, request.user, "message", subject)
        event_id = gate.pk
        transaction.on_commit(
            lambda: run_in_background(send_message_to_registrants, event_id, subject, body)
        )
        messages.success(request, _("The message is being sent to the registrants."))
    else:
        messages.error(request, _("Please give a subject and a message."))
    return redirect("events:participants", event=gate.slug)


def certificates(request: HttpRequest, event: str) -> HttpResponse:
    gate = _organiser_event(request, event)
    if isinstance(gate, HttpResponse):
        return gate
    from .certificates import certificates_pdf

    present = gate.registrations.filter(
        status=Registration.Status.CONFIRMED, checked_in=True, anonymised=False
    ).select_related("user")
    if gate.kind != Event.Kind.TRAINING or not present.exists():
        messages.error(
            request, _("Certificates are made for trainings, for the people checked in.")
        )
        return redirect("events:participants", event=gate.slug)
    services.audit(gate, request.user, "certificates", f"{present.count()} certificates")
    pdf = certificates_pdf(gate, list(present), _language())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{gate.slug}-certificates.pdf"'
    return response


@require_POST
def purge(request: HttpRequest, event: str) -> HttpResponse:
    gate = _organiser_event(request, event)
    if isinstance(gate, HttpResponse):
        return gate
    if not gate.has_ended:
        messages.error(request, _("Personal data can be deleted once the event is over."))
    else:
        number = services.purge_personal_data(gate, request.user)
        messages.success(
            request,
            _("The personal data of %(number)d registrations is deleted; the counts remain.")
            % {"number": number},
        )
    return redirect("events:participants", event=gate.slug)
