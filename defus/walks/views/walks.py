"""Neighbourhood walks in the back office: the list, planning (facts and route on the district
map) and recording in the field on a phone.

Every view declares its permission; a walk is looked up only within the organisation of the
URL, so another city's walk is a 404. The rules live in services/planning.py and
services/recording.py. The recording page works without JavaScript (one stop per submit);
with it, record.js sends each stop by fetch (Accept: application/json) and keeps what was
typed on the phone until the server has confirmed it.
"""

from __future__ import annotations

import json
import uuid
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from defus.fieldwork.models import District, Place, Wave
from defus.fieldwork.views.waves import AccessibleForm, DateInput
from defus.organisations.permissions import OrganisationPermissionMixin, has_permission

from ..models import CHECKLIST, PARTICIPANT_GROUPS, Stop, StopIssue, Walk
from ..services import photos as photo_service
from ..services import planning, recording
from ..services.planning import WalkError

# --- helpers shared by the walk views -------------------------------------------------------


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


class WalkMixin(OrganisationPermissionMixin):
    """Finds the walk of the URL within the organisation (another organisation's walk: 404)."""

    kwargs: dict[str, Any]

    @cached_property
    def walk(self) -> Walk:
        return get_object_or_404(
            Walk.objects.select_related("district__wave", "organisation", "repeat_of"),
            organisation=self.organisation,
            pk=self.kwargs["walk"],
        )

    def url(self, name: str) -> str:
        return reverse(
            f"walks:{name}", kwargs={"org": self.organisation.slug, "walk": self.walk.pk}
        )

    def may(self, permission: str) -> bool:
        return has_permission(self.request.user, self.organisation, permission)

    def context(self, **extra: Any) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "walk": self.walk,
            "can_manage": self.may("walks.manage"),
            **extra,
        }


def participant_rows(participants: dict[str, int]) -> list[tuple[str, int]]:
    labels = dict(PARTICIPANT_GROUPS)
    return [(str(labels[key]), count) for key, count in participants.items() if key in labels]


# --- forms -------------------------------------------------------------------------------------


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class WalkForm(AccessibleForm):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        help_text=gettext_lazy("E.g. “Bahnhofsviertel after dark with older residents”."),
    )
    district = forms.TypedChoiceField(label=gettext_lazy("District"), coerce=int, choices=())
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    start_time = forms.TimeField(label=gettext_lazy("Start"), required=False, widget=TimeInput())
    time_of_day = forms.ChoiceField(
        label=gettext_lazy("Time of day"),
        choices=Walk.TimeOfDay.choices,
        initial=Walk.TimeOfDay.DAY,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Walk where and when the problem occurs – often after dark."),
    )
    facilitators = forms.CharField(
        label=gettext_lazy("Facilitators"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Staff and partners leading the walk (no residents' names)."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    repeat_of = forms.TypedChoiceField(
        label=gettext_lazy("Repeat of"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=(),
        help_text=gettext_lazy(
            "A walk that goes an earlier route again, at another time or with another group. "
            "A new repeat starts with a copy of that route."
        ),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, organisation: Any, walk: Walk | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.walk = walk
        groups: dict[str, list[tuple[int, str]]] = {}
        for district in planning.districts_for(organisation):
            groups.setdefault(district.wave.title, []).append((district.pk, district.name))
        district_field = self.fields["district"]
        assert isinstance(district_field, forms.ChoiceField)
        district_field.choices = [("", "–"), *groups.items()]
        others = Walk.objects.filter(organisation=organisation)
        if walk is not None:
            others = others.exclude(pk=walk.pk)
        repeat_field = self.fields["repeat_of"]
        assert isinstance(repeat_field, forms.ChoiceField)
        repeat_field.choices = [("", _("not a repeat"))] + [
            (w.pk, f"{w.title} ({w.date:%Y-%m-%d})") for w in others
        ]
        for key, label in PARTICIPANT_GROUPS:
            self.fields[f"p_{key}"] = forms.IntegerField(
                label=str(label),
                required=False,
                min_value=0,
                max_value=planning.MAX_PARTICIPANTS,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "count"}),
            )
        if walk is not None and not self.is_bound:
            self.initial.update(
                {
                    "title": walk.title,
                    "district": walk.district_id,
                    "date": walk.date,
                    "start_time": walk.start_time,
                    "time_of_day": walk.time_of_day,
                    "facilitators": walk.facilitators,
                    "repeat_of": walk.repeat_of_id,
                    "notes": walk.notes,
                    **{f"p_{k}": v for k, v in (walk.participants or {}).items()},
                }
            )

    def participant_fields(self) -> list[Any]:
        return [self[f"p_{key}"] for key, _label in PARTICIPANT_GROUPS]

    def facts(self) -> planning.WalkFacts:
        data = self.cleaned_data
        district = District.objects.select_related("wave").get(pk=data["district"])
        repeat_of = None
        if data.get("repeat_of"):
            repeat_of = Walk.objects.get(pk=data["repeat_of"], organisation=self.organisation)
        return planning.WalkFacts(
            title=data["title"].strip(),
            district=district,
            date=data["date"],
            time_of_day=data["time_of_day"],
            start_time=data.get("start_time"),
            participants=planning.clean_participants(
                {key: data.get(f"p_{key}") for key, _label in PARTICIPANT_GROUPS}
            ),
            facilitators=data.get("facilitators", "").strip(),
            repeat_of=repeat_of,
            notes=data.get("notes", "").strip(),
        )


class StopForm(AccessibleForm):
    """A stop added on the map (a click fills the coordinates) or typed."""

    name = forms.CharField(
        label=gettext_lazy("Name of the stop"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("E.g. “Underpass at the station”. Left empty: “Stop 3”."),
    )
    latitude = forms.CharField(
        label=gettext_lazy("Latitude"),
        max_length=40,
        help_text=gettext_lazy("Degrees north, e.g. 49.9123"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    longitude = forms.CharField(
        label=gettext_lazy("Longitude"),
        max_length=40,
        help_text=gettext_lazy("Degrees east, e.g. 8.4567"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for kind in ("latitude", "longitude"):
            if kind in data:
                try:
                    data[kind] = planning.parse_coordinate(data[kind], kind)
                except WalkError as error:
                    self.add_error(kind, error.message)
        return data


# --- list, plan, detail ----------------------------------------------------------------------


class WalkListView(OrganisationPermissionMixin, View):
    permission = "walks.view"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        walks = (
            Walk.objects.filter(organisation=self.organisation)
            .select_related("district__wave")
            .prefetch_related("stops")
        )
        context = {
            "organisation": self.organisation,
            "walks": walks,
            "can_manage": has_permission(request.user, self.organisation, "walks.manage"),
            # One map of unsafe places per wave, newest first.
            "map_waves": Wave.objects.filter(organisation=self.organisation).order_by(
                "-field_start"
            ),
        }
        return render(request, "walks/walk_list.html", context)


class WalkFormView(OrganisationPermissionMixin, View):
    """Plan a new walk or change a planned one (its facts; the route has its own page)."""

    permission = "walks.manage"
    kwargs: dict[str, Any]

    @cached_property
    def walk(self) -> Walk | None:
        if "walk" not in self.kwargs:
            return None
        return get_object_or_404(Walk, organisation=self.organisation, pk=self.kwargs["walk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = {}
        repeat = request.GET.get("repeat", "")
        if self.walk is None and repeat.isdigit():
            # "Plan a repeat of this walk": the form starts from the walk to repeat.
            original = Walk.objects.filter(organisation=self.organisation, pk=int(repeat)).first()
            if original is not None:
                initial = {
                    "title": original.title,
                    "district": original.district_id,
                    "repeat_of": original.pk,
                    "time_of_day": original.time_of_day,
                }
        form = WalkForm(organisation=self.organisation, walk=self.walk, initial=initial)
        return self.render(form)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = WalkForm(request.POST, organisation=self.organisation, walk=self.walk)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            facts = form.facts()
            if self.walk is None:
                walk = planning.create_walk(self.organisation, facts)
                messages.success(request, _("The walk is planned. Now draw its route."))
                target = "walk_route"
            else:
                walk = planning.update_walk(self.walk, facts)
                messages.success(request, _("The walk's details are saved."))
                target = "walk_detail"
        except (WalkError, District.DoesNotExist, Walk.DoesNotExist) as error:
            form.add_error(None, getattr(error, "message", _("Unknown district or walk.")))
            form.mark_errors()
            return self.render(form, status=400)
        return HttpResponseRedirect(
            reverse(f"walks:{target}", kwargs={"org": self.organisation.slug, "walk": walk.pk})
        )

    def render(self, form: WalkForm, status: int = 200) -> HttpResponse:
        context = {
            "organisation": self.organisation,
            "walk": self.walk,
            "form": form,
            "has_districts": planning.districts_for(self.organisation).exists(),
        }
        return render(self.request, "walks/walk_form.html", context, status=status)


class WalkDetailView(WalkMixin, View):
    permission = "walks.view"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        walk = self.walk
        stops = list(walk.stops.prefetch_related("photos", "issues"))
        labels = dict(CHECKLIST)
        recorded = []
        for stop in stops:
            checklist = [
                (str(labels[key]), (stop.checklist or {}).get(key)) for key, _label in CHECKLIST
            ]
            recorded.append({"stop": stop, "checklist": checklist})
        context = self.context(
            stops=recorded,
            participants=participant_rows(walk.participants or {}),
            map=planning.district_map(walk.district, stops),
            route_problems=planning.route_problems(walk),
            repeats=list(walk.repeats.all()),
        )
        return render(request, "walks/walk_detail.html", context)


# --- the route ---------------------------------------------------------------------------------


class RouteView(WalkMixin, View):
    """The route on the district map: add (click or coordinates), reorder, remove, suggest."""

    permission = "walks.manage"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render(StopForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("action", "add")
        try:
            if action == "add":
                form = StopForm(request.POST)
                if not form.is_valid():
                    return self.render(form, status=400)
                stop, warning = planning.add_stop(
                    self.walk,
                    form.cleaned_data["name"],
                    form.cleaned_data["latitude"],
                    form.cleaned_data["longitude"],
                )
                messages.success(request, _("Stop “%(name)s” added.") % {"name": stop.name})
                if warning:
                    messages.warning(request, warning)
            elif action == "add_place":
                chosen = str(request.POST.get("place", ""))
                place = Place.objects.filter(
                    pk=int(chosen) if chosen.isdigit() else 0, district=self.walk.district
                ).first()
                if place is None:
                    raise WalkError(_("Unknown place."))
                stop, _warning = planning.add_stop(
                    self.walk, place.name, place.latitude, place.longitude, place=place
                )
                messages.success(request, _("Stop “%(name)s” added.") % {"name": stop.name})
            elif action in ("up", "down", "remove"):
                stop = self.stop_of(request.POST.get("stop"))
                if action == "remove":
                    planning.remove_stop(stop)
                    messages.success(request, _("Stop “%(name)s” removed.") % {"name": stop.name})
                else:
                    planning.move_stop(stop, action)
            else:
                raise WalkError(_("Unknown action."))
        except WalkError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(self.url("walk_route") + "#route")

    def stop_of(self, value: Any) -> Stop:
        stop = Stop.objects.filter(walk=self.walk, pk=value if str(value).isdigit() else 0).first()
        if stop is None:
            raise WalkError(_("This stop no longer exists; it may have been removed."))
        return stop

    def render(self, form: StopForm, status: int = 200) -> HttpResponse:
        walk = self.walk
        stops = list(walk.stops.all())
        places = [
            p
            for p in walk.district.wave.places.filter(district=walk.district)
            if p.latitude is not None
        ]
        suggestions = None
        if self.request.GET.get("suggest"):
            suggestions = planning.suggest_stops(walk)
        context = self.context(
            form=form,
            stops=stops,
            map=planning.district_map(walk.district, stops, places),
            suggestions=suggestions,
            route_problems=planning.route_problems(walk),
        )
        return render(self.request, "walks/walk_route.html", context, status=status)


# --- recording ---------------------------------------------------------------------------------


def issue_rows(stop: Stop | None, data: Any = None, errors: dict[str, list[str]] | None = None):
    """The issue rows of a stop's form: the stored issues, or what was posted, plus one empty
    row with a new key."""
    rows: list[dict[str, Any]] = []
    if data is not None:
        for index in range(recording.MAX_ISSUES):
            prefix = f"issue-{index}-"
            if not any(str(name).startswith(prefix) for name in data):
                continue
            row = {
                "key": data.get(prefix + "key", ""),
                **{
                    name: data.get(prefix + name, "")
                    for name in ("category", "severity", "description", "action", "department")
                },
            }
            if not any(row[n] for n in ("category", "description", "action", "department")):
                continue
            row["errors"] = [
                message
                for name, found in (errors or {}).items()
                if name.startswith(prefix)
                for message in found
            ]
            rows.append(row)
    elif stop is not None:
        for issue in stop.issues.all():
            rows.append(
                {
                    "key": str(issue.client_key or uuid.uuid4()),
                    "category": issue.category,
                    "severity": str(issue.severity),
                    "description": issue.description,
                    "action": issue.action,
                    "department": issue.department,
                    "errors": [],
                    "stored": True,
                }
            )
    rows.append(
        {
            "key": str(uuid.uuid4()),
            "category": "",
            "severity": str(StopIssue.Severity.MEDIUM),
            "description": "",
            "action": "",
            "department": "",
            "errors": [],
        }
    )
    for index, row in enumerate(rows):
        row["index"] = index
    return rows


def stop_form_context(
    stop: Stop | None,
    slot: str,
    data: Any = None,
    errors: dict[str, list[str]] | None = None,
    number: int | str = "",
) -> dict[str, Any]:
    """What _stop_form.html needs for one stop: its values (stored or posted) and errors."""
    errors = errors or {}
    if data is not None:
        checklist_values = {key: data.get(f"c_{key}", "") for key, _label in CHECKLIST}
        values = {
            "name": data.get("name", ""),
            "latitude": data.get("latitude", ""),
            "longitude": data.get("longitude", ""),
            "feeling": data.get("feeling", ""),
            "notes": data.get("notes", ""),
            "client_key": data.get("client_key", ""),
            "caption": data.get("caption", ""),
        }
    else:
        stored = (stop.checklist or {}) if stop else {}
        checklist_values = {
            key: "" if stored.get(key) is None else str(stored[key]) for key, _label in CHECKLIST
        }
        values = {
            "name": stop.name if stop else "",
            "latitude": "" if not stop or stop.latitude is None else f"{stop.latitude:.6f}",
            "longitude": "" if not stop or stop.longitude is None else f"{stop.longitude:.6f}",
            "feeling": str(stop.feeling) if stop and stop.feeling else "",
            "notes": stop.notes if stop else "",
            "client_key": str(stop.client_key) if stop and stop.client_key else "",
            "caption": "",
        }
    checklist = [
        {
            "key": key,
            "label": label,
            "value": checklist_values[key],
            "errors": errors.get(f"c_{key}", []),
        }
        for key, label in CHECKLIST
    ]
    return {
        "slot": slot,
        "stop": stop,
        "number": number or (stop.position if stop else ""),
        "values": values,
        "checklist": checklist,
        "issues": issue_rows(stop, data, errors),
        "errors": errors,
        "photo_key": str(uuid.uuid4()),
        "photos": list(stop.photos.all()) if stop else [],
    }


SCORES = (
    ("0", "0"),
    ("1", "1"),
    ("2", "2"),
    ("3", "3"),
    ("", gettext_lazy("not assessed")),
)
FEELINGS = (
    ("1", gettext_lazy("1 very unsafe")),
    ("2", gettext_lazy("2 rather unsafe")),
    ("3", gettext_lazy("3 rather safe")),
    ("4", gettext_lazy("4 very safe")),
    ("", gettext_lazy("not asked")),
)


class RecordView(WalkMixin, View):
    """The recording page: every stop's form on one page; one stop per submit."""

    permission = "walks.manage"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entry, errors = recording.read_stop(request.POST)
        upload = request.FILES.get("photo")
        if errors:
            return self.refuse(entry, errors)
        try:
            result = recording.record_stop(self.walk, entry)
        except WalkError as error:
            return self.refuse(entry, {"__all__": [error.message]})
        photo_problem = None
        if upload is not None:
            try:
                photo_service.store_photo(
                    result.stop,
                    upload,
                    recording.parse_key(request.POST.get("photo_key")),
                    request.POST.get("caption", ""),
                )
            except photo_service.PhotoError as problem:
                photo_problem = problem.message
        if entry.observed:
            message = _("Stop “%(name)s” saved.") % {"name": result.stop.name}
        else:
            message = _("Stop “%(name)s” added.") % {"name": result.stop.name}
        if wants_json(request):
            return JsonResponse(
                {
                    "ok": True,
                    "message": message,
                    "stop": recording.stop_summary(result.stop),
                    "created": result.created,
                    "warnings": result.warnings,
                }
            )
        messages.success(request, message)
        for warning in result.warnings:
            messages.warning(request, warning)
        if photo_problem:
            messages.error(request, photo_problem)
        return HttpResponseRedirect(self.url("walk_record") + f"#stop-s{result.stop.pk}")

    def refuse(self, entry: recording.StopInput, errors: dict[str, list[str]]) -> HttpResponse:
        """The stop is not stored: the problems, and everything typed kept on the page."""
        flat = [message for found in errors.values() for message in found]
        if wants_json(self.request):
            return JsonResponse(
                {"ok": False, "errors": errors, "message": " ".join(flat)}, status=400
            )
        if not entry.observed:  # "add a stop here": the add form again, with its problems
            return self.render(add_form=(self.request.POST, errors, flat), status=400)
        stop = None
        if entry.stop_id is not None:
            stop = Stop.objects.filter(walk=self.walk, pk=entry.stop_id).first()
        if stop is None and entry.client_key is not None:
            stop = Stop.objects.filter(walk=self.walk, client_key=entry.client_key).first()
        if self.request.FILES.get("photo") is not None:
            flat.append(
                _(
                    "Browsers do not keep chosen files after an error: please choose "
                    "your files again."
                )
            )
        return self.render(failed=(stop, self.request.POST, errors, flat), status=400)

    def render(self, failed: Any = None, add_form: Any = None, status: int = 200) -> HttpResponse:
        walk = self.walk
        stops = list(walk.stops.prefetch_related("photos", "issues"))
        forms_ = []
        new_stop = None
        for stop in stops:
            if failed and failed[0] is not None and failed[0].pk == stop.pk:
                forms_.append(stop_form_context(stop, f"s{stop.pk}", failed[1], failed[2]))
            else:
                forms_.append(stop_form_context(stop, f"s{stop.pk}"))
        if failed and failed[0] is None:
            new_stop = stop_form_context(None, "new", failed[1], failed[2], number="+")
        context = self.context(
            stops=forms_,
            failed_stop=new_stop,
            failed_messages=(failed or add_form or (None, None, None, []))[-1],
            add_values=add_form[0] if add_form else {},
            add_errors=add_form[1] if add_form else {},
            template=stop_form_context(None, "__SLOT__", number="__NUMBER__"),
            new_stop_key=str(uuid.uuid4()),
            scores=SCORES,
            feelings=FEELINGS,
            categories=StopIssue.Category.choices,
            severities=[(str(v), label) for v, label in StopIssue.Severity.choices],
            photo_limit=photo_service.size_text(photo_service.max_bytes()),
            recorded_count=sum(1 for s in stops if s.recorded),
            route_problems=planning.route_problems(walk),
            storage_key=f"defus-walk-{self.organisation.slug}-{walk.pk}",
            texts=json.dumps(record_texts()),
        )
        return render(self.request, "walks/record.html", context, status=status)


def record_texts() -> dict[str, str]:
    """The words the page's script shows, in the user's language."""
    return {
        "saving": _("Sending…"),
        "saved": _("Saved on the server."),
        "queued": _("Saved on this phone, will be sent when there is a connection."),
        "invalid": _("Not saved: please correct the marked fields."),
        "login": _(
            "Not sent: you seem to be logged out. Log in again in another tab; everything is "
            "kept on this phone."
        ),
        "photo_queued": _("Photo %(name)s kept on this phone, will be sent."),
        "photo_saved": _("Photo %(name)s saved."),
        "pending": _("%(count)s not yet sent – kept on this phone."),
        "all_sent": _("Everything is sent."),
        "unsent_finish": _(
            "Some stops or photos are not yet sent. Wait until they are, then finish the walk."
        ),
        "no_location": _("Your location is not available; please type the coordinates."),
        "locating": _("Finding your location…"),
        "new_stop": _("New stop"),
        "status_new": _("not yet recorded"),
        "status_saved": _("saved"),
        "status_queued": _("on this phone"),
    }


class FinishView(WalkMixin, View):
    permission = "walks.manage"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("reopen"):
            recording.reopen_walk(self.walk)
            messages.success(request, _("The walk is open for recording again."))
            return HttpResponseRedirect(self.url("walk_record"))
        try:
            recording.finish_walk(self.walk)
        except WalkError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(self.url("walk_record"))
        messages.success(request, _("The walk is marked as recorded."))
        return HttpResponseRedirect(self.url("walk_detail"))


urlpatterns = [
    path("", WalkListView.as_view(), name="walk_list"),
    path("new/", WalkFormView.as_view(), name="walk_create"),
    path("<int:walk>/", WalkDetailView.as_view(), name="walk_detail"),
    path("<int:walk>/edit/", WalkFormView.as_view(), name="walk_edit"),
    path("<int:walk>/route/", RouteView.as_view(), name="walk_route"),
    path("<int:walk>/record/", RecordView.as_view(), name="walk_record"),
    path("<int:walk>/finish/", FinishView.as_view(), name="walk_finish"),
]
