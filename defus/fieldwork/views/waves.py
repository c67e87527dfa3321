"""The back office of survey waves: waves, districts and places, the sample, letters, monitoring.

Every view declares its permission (defus/organisations/permissions.py) and finds the wave only
within the organisation of the URL, so another organisation's wave is a 404. The rules live in
services/waves.py, sample.py, letters.py and monitoring.py; views translate forms to calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import ListView

from defus.organisations.permissions import OrganisationPermissionMixin, has_permission

from ..models import Wave
from ..services import letters as letter_service
from ..services import sample as sample_service
from ..services import waves as wave_service
from ..services.csvfiles import CsvError, read_upload
from ..services.monitoring import field_report

MAX_LISTED_ERRORS = 200  # row problems shown on a page; the rest are counted


# --- forms -------------------------------------------------------------------------------------


class AccessibleForm(forms.Form):
    """Links help texts and errors to their inputs (aria-describedby, aria-invalid)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}_help"

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_errors()

    def mark_errors(self) -> None:
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            auto_id = self[name].auto_id
            described = [f"{auto_id}_errors"]
            if self.fields[name].help_text:
                described.append(f"{auto_id}_help")
            widget.attrs["aria-describedby"] = " ".join(described)
            widget.attrs["aria-invalid"] = "true"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class WaveForm(AccessibleForm):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=wave_service.TITLE_MAX,
        help_text=gettext_lazy("Shown on letters, e.g. “Safety in Musterstadt 2026”."),
    )
    slug = forms.CharField(
        label=gettext_lazy("Short name"),
        max_length=wave_service.SLUG_MAX,
        help_text=gettext_lazy(
            "Lower-case letters, digits and hyphens; used on the command line, e.g. "
            "musterstadt-2026. Unique across the platform."
        ),
    )
    instrument = forms.ChoiceField(label=gettext_lazy("Questionnaire version"), choices=())
    field_start = forms.DateField(label=gettext_lazy("Start of fieldwork"), widget=DateInput())
    field_end = forms.DateField(label=gettext_lazy("End of fieldwork"), widget=DateInput())
    mode_web = forms.BooleanField(
        label=gettext_lazy("Online with access code (letters to a random sample)"),
        required=False,
        initial=True,
    )
    mode_paper = forms.BooleanField(
        label=gettext_lazy("Paper questionnaire"), required=False, initial=True
    )
    mode_open_link = forms.BooleanField(
        label=gettext_lazy("Open link without code (not a random sample; flagged in results)"),
        required=False,
    )
    districts_file = forms.FileField(
        label=gettext_lazy("Districts (CSV)"),
        required=False,
        help_text=gettext_lazy(
            "One row per district: code, name and the number of adult residents by gender and "
            "age group. See the description and the example file above."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    geojson_file = forms.FileField(
        label=gettext_lazy("District boundaries (GeoJSON)"),
        required=False,
        help_text=gettext_lazy(
            "A FeatureCollection of polygons in WGS 84 (EPSG:4326); each feature names its "
            "district code in a property."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json"}),
    )
    geojson_property = forms.CharField(
        label=gettext_lazy("Property with the district code"),
        initial="code",
        max_length=100,
        required=False,
    )
    places_file = forms.FileField(
        label=gettext_lazy("Named places (CSV)"),
        required=False,
        help_text=gettext_lazy(
            "Columns code, name, kind, district_code, latitude, longitude, aliases (several "
            "separated by |). A new file replaces the list."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    extension_file = forms.FileField(
        label=gettext_lazy("City-specific questions (YAML)"),
        required=False,
        help_text=gettext_lazy(
            "Own modules in the questionnaire's definition format (modules, and scales if "
            "needed). They follow the standard questionnaire and are marked as not comparable "
            "with other cities and waves. An empty file removes them; they cannot change once "
            "answers exist."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml"}),
    )
    letter_sender = forms.CharField(
        label=gettext_lazy("Return address line"),
        required=False,
        max_length=120,
        help_text=gettext_lazy(
            "Printed small above the address, e.g. “City of Musterstadt · Statistics Office · "
            "PO Box 100 · 12345 Musterstadt”."
        ),
    )
    letter_department = forms.CharField(
        label=gettext_lazy("Letterhead (department and address)"),
        required=False,
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    letter_contact = forms.CharField(
        label=gettext_lazy("Contact for questions and paper questionnaires"),
        required=False,
        max_length=400,
        help_text=gettext_lazy("Name, telephone and e-mail, one per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    letter_signature = forms.CharField(
        label=gettext_lazy("Signature"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Name and role, one per line, e.g. the mayor."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    FILE_FIELDS = {
        "districts": "districts_file",
        "geojson": "geojson_file",
        "places": "places_file",
        "extension": "extension_file",
    }
    SERVICE_FIELDS = {
        "title": "title",
        "slug": "slug",
        "instrument": "instrument",
        "field_end": "field_end",
        "modes": "mode_web",
        **FILE_FIELDS,
    }

    def __init__(self, *args: Any, wave: Wave | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wave = wave
        instrument = self.fields["instrument"]
        assert isinstance(instrument, forms.ChoiceField)
        instrument.choices = wave_service.instrument_choices()
        if wave is None:
            self.fields["districts_file"].required = True
            self.fields["districts_file"].widget.attrs["required"] = True
        else:
            self.fields["districts_file"].help_text = gettext_lazy(
                "Only to replace the districts. Once the wave has codes or answers, the new "
                "file must keep the same codes in the same order."
            )
            self.fields["districts_file"].widget.attrs["aria-describedby"] = (
                f"{self['districts_file'].auto_id}_help"
            )

    def settings(self) -> wave_service.WaveSettings:
        data = self.cleaned_data
        key, version = wave_service.split_instrument(data["instrument"])
        return wave_service.WaveSettings(
            title=data["title"],
            slug=data["slug"].strip(),
            instrument_key=key,
            instrument_version=version,
            field_start=data["field_start"],
            field_end=data["field_end"],
            mode_web=data["mode_web"],
            mode_paper=data["mode_paper"],
            mode_open_link=data["mode_open_link"],
            letter={
                "sender": data["letter_sender"],
                "department": data["letter_department"],
                "contact": data["letter_contact"],
                "signature": data["letter_signature"],
            },
        )

    def files_data(self) -> wave_service.WaveFiles | None:
        """The uploaded files' bytes; None (with field errors) if one is too large."""
        result = wave_service.WaveFiles(
            geojson_property=self.cleaned_data.get("geojson_property") or "code"
        )
        ok = True
        for name, field_name in self.FILE_FIELDS.items():
            upload = self.cleaned_data.get(field_name)
            if not upload:
                continue
            try:
                setattr(result, name, read_upload(upload))
            except CsvError as error:
                self.add_error(field_name, error.message)
                ok = False
        self.mark_errors()
        return result if ok else None

    def add_service_errors(self, errors: Mapping[str, list[str]]) -> None:
        shown = 0
        for key, problems in errors.items():
            field_name = self.SERVICE_FIELDS.get(key)
            for problem in problems[:MAX_LISTED_ERRORS]:
                self.add_error(field_name, problem)
                shown += 1
            hidden = len(problems) - MAX_LISTED_ERRORS
            if hidden > 0:
                self.add_error(
                    field_name,
                    ngettext(
                        "… and %(count)d more problem.", "… and %(count)d more problems.", hidden
                    )
                    % {"count": hidden},
                )
        self.mark_errors()

    @classmethod
    def initial_for(cls, wave: Wave) -> dict[str, Any]:
        letter = wave.letter or {}
        return {
            "title": wave.title,
            "slug": wave.slug,
            "instrument": f"{wave.instrument_key}:{wave.instrument_version}",
            "field_start": wave.field_start,
            "field_end": wave.field_end,
            "mode_web": wave.mode_web,
            "mode_paper": wave.mode_paper,
            "mode_open_link": wave.mode_open_link,
            "geojson_property": "code",
            "letter_sender": letter.get("sender", ""),
            "letter_department": letter.get("department", ""),
            "letter_contact": letter.get("contact", ""),
            "letter_signature": letter.get("signature", ""),
        }


class SampleForm(AccessibleForm):
    file = forms.FileField(
        label=gettext_lazy("Sample from the residents' register (CSV)"),
        help_text=gettext_lazy(
            "Columns salutation, first_name, last_name, street, postcode, city, district (the "
            "district code). German headers such as Anrede, Vorname, Nachname, Straße, PLZ, "
            "Ort, Stadtteil are understood too."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class LettersForm(AccessibleForm):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the letters"),
        choices=list(letter_service.LANGUAGES.items()),
        initial="de",
    )
    part = forms.TypedChoiceField(
        label=gettext_lazy("Part"), coerce=int, required=False, empty_value=None, choices=()
    )

    def __init__(self, *args: Any, parts: list[tuple[int, int, int]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        parts = parts or []
        part = self.fields["part"]
        assert isinstance(part, forms.ChoiceField)
        if len(parts) > 1:
            part.choices = [
                (number, _("letters %(first)s–%(last)s") % {"first": first, "last": last})
                for number, first, last in parts
            ]
            part.required = True
        else:
            del self.fields["part"]


class ConfirmForm(AccessibleForm):
    confirm = forms.BooleanField(label="", required=True)

    def __init__(self, *args: Any, label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = label
        self.fields["confirm"].error_messages["required"] = _("Tick the box to confirm.")


# --- helpers -------------------------------------------------------------------------------------


class WaveMixin(OrganisationPermissionMixin):
    """Finds the wave of the URL within the organisation (another organisation's wave: 404)."""

    kwargs: dict[str, Any]

    @cached_property
    def wave(self) -> Wave:
        return get_object_or_404(
            Wave.objects.select_related("organisation"),
            organisation=self.organisation,
            slug=self.kwargs["wave"],
        )

    def url(self, name: str) -> str:
        return reverse(
            f"fieldwork:{name}", kwargs={"org": self.organisation.slug, "wave": self.wave.slug}
        )

    def may(self, permission: str) -> bool:
        return has_permission(self.request.user, self.organisation, permission)

    def context(self, **extra: Any) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "wave": self.wave,
            "view": self,
            "can_manage": self.may("wave.manage"),
            "can_sample": self.may("sample.manage"),
            "can_analyse": self.may("analysis.view"),
            **extra,
        }


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- waves -------------------------------------------------------------------------------------


class WaveListView(OrganisationPermissionMixin, ListView):
    permission = "wave.view"
    template_name = "fieldwork/wave_list.html"
    context_object_name = "waves"

    def get_queryset(self) -> Any:
        return Wave.objects.filter(organisation=self.organisation)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["organisation"] = self.organisation
        context["can_manage"] = has_permission(self.request.user, self.organisation, "wave.manage")
        return context


class ExampleFileView(OrganisationPermissionMixin, View):
    permission = "wave.view"
    kind = "districts"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        content = {
            "districts": wave_service.district_example_csv,
            "places": wave_service.place_example_csv,
            "sample": sample_service.example_csv,
        }[self.kind]()
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="example-{self.kind}.csv"'
        return response


class WaveFormView(OrganisationPermissionMixin, View):
    """Create a wave (no wave in the URL) or edit one."""

    permission = "wave.manage"
    template_name = "fieldwork/wave_form.html"
    kwargs: dict[str, Any]

    @cached_property
    def wave(self) -> Wave | None:
        if "wave" not in self.kwargs:
            return None
        return get_object_or_404(Wave, organisation=self.organisation, slug=self.kwargs["wave"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.wave is not None:
            form = WaveForm(initial=WaveForm.initial_for(self.wave), wave=self.wave)
        else:
            choices = wave_service.instrument_choices()
            form = WaveForm(
                initial={
                    "instrument": choices[-1][0] if choices else "",
                    "slug": slugify(f"{self.organisation.slug}-{timezone.localdate().year}"),
                    "geojson_property": "code",
                    "mode_web": True,
                    "mode_paper": True,
                    "letter_department": self.organisation.name,
                }
            )
        return self.render(form)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = WaveForm(request.POST, request.FILES, wave=self.wave)
        if not form.is_valid():
            return self.render(form, status=400)
        files = form.files_data()
        if files is None:
            return self.render(form, status=400)
        try:
            if self.wave is None:
                result = wave_service.create_wave(self.organisation, form.settings(), files)
            else:
                result = wave_service.update_wave(self.wave, form.settings(), files)
        except wave_service.WaveSetupError as error:
            form.add_service_errors(error.errors)
            return self.render(form, status=400)
        messages.success(
            request,
            _("The wave “%(title)s” was created.") % {"title": result.wave.title}
            if self.wave is None
            else _("The changes were saved."),
        )
        for warning in result.warnings[:MAX_LISTED_ERRORS]:
            messages.warning(request, warning)
        return HttpResponseRedirect(
            reverse(
                "fieldwork:wave_detail",
                kwargs={"org": self.organisation.slug, "wave": result.wave.slug},
            )
        )

    def render(self, form: WaveForm, status: int = 200) -> HttpResponse:
        context = {
            "organisation": self.organisation,
            "wave": self.wave,
            "form": form,
            "population_columns": wave_service.population_columns(),
            "required_columns": wave_service.DISTRICT_COLUMNS,
            "has_fieldwork": self.wave is not None and wave_service.wave_has_fieldwork(self.wave),
            "can_manage": True,
            "can_sample": has_permission(self.request.user, self.organisation, "sample.manage"),
            "can_analyse": has_permission(self.request.user, self.organisation, "analysis.view"),
            "files_chosen": bool(self.request.FILES),
        }
        return render(self.request, self.template_name, context, status=status)


class WaveDetailView(WaveMixin, View):
    permission = "wave.view"
    template_name = "fieldwork/wave_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wave = self.wave
        districts = list(wave.districts.order_by("answer_code"))
        context = self.context(
            districts=districts,
            population_total=sum(d.total_population for d in districts),
            with_boundary=sum(1 for d in districts if d.boundary),
            places=list(wave.places.select_related("district")),
            sample=sample_service.sample_state(wave),
            open_link=wave_service.open_link_url(wave),
            status_changes=[
                (status, Wave.Status(status).label)
                for status in wave_service.allowed_status_changes(wave)
            ],
        )
        return render(request, self.template_name, context)


class WaveStatusView(WaveMixin, View):
    permission = "wave.manage"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            wave_service.set_status(self.wave, request.POST.get("status", ""))
        except wave_service.WaveError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The wave is now “%(status)s”.") % {"status": self.wave.get_status_display()},
            )
        return HttpResponseRedirect(self.url("wave_detail"))


# --- sample --------------------------------------------------------------------------------------


class SampleView(WaveMixin, View):
    permission = "sample.manage"
    template_name = "fieldwork/wave_sample.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render(SampleForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = sample_service.import_refusal(self.wave)
        if refusal:
            messages.error(request, refusal)
            return HttpResponseRedirect(self.url("wave_sample"))
        form = SampleForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            data = read_upload(form.cleaned_data["file"])
        except CsvError as error:
            form.add_error("file", error.message)
            form.mark_errors()
            return self.render(form, status=400)
        result = sample_service.import_sample(self.wave, data)
        if not result.ok:
            form.add_error(
                "file",
                ngettext(
                    "The file has %(count)d problem; nothing was imported.",
                    "The file has %(count)d problems; nothing was imported.",
                    len(result.errors),
                )
                % {"count": len(result.errors)},
            )
            form.mark_errors()
            return self.render(form, errors=result.errors, status=400)
        messages.success(
            request,
            ngettext(
                "%(count)d person imported, each with an access code.",
                "%(count)d persons imported, each with an access code.",
                result.created,
            )
            % {"count": result.created},
        )
        return HttpResponseRedirect(self.url("wave_sample"))

    def render(
        self, form: SampleForm, errors: list[Any] | None = None, status: int = 200
    ) -> HttpResponse:
        errors = errors or []
        context = self.context(
            form=form,
            state=sample_service.sample_state(self.wave),
            refusal=sample_service.import_refusal(self.wave),
            row_errors=errors[:MAX_LISTED_ERRORS],
            hidden_errors=max(0, len(errors) - MAX_LISTED_ERRORS),
            districts=list(self.wave.districts.order_by("answer_code")),
        )
        return render(self.request, self.template_name, context, status=status)


class SampleRemoveView(WaveMixin, View):
    """Confirmation page and action for discarding (before letters) or deleting (after)."""

    permission = "sample.manage"
    template_name = "fieldwork/wave_sample_confirm.html"
    action = "delete"

    def labels(self) -> dict[str, str]:
        if self.action == "discard":
            return {
                "title": _("Discard the sample"),
                "confirm": _("I want to discard the sample and its access codes."),
                "button": _("Discard sample"),
            }
        return {
            "title": _("Delete the sample's names and addresses"),
            "confirm": _(
                "I understand that every name and address of this sample is deleted for good."
            ),
            "button": _("Delete names and addresses"),
        }

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render(ConfirmForm(label=self.labels()["confirm"]))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ConfirmForm(request.POST, label=self.labels()["confirm"])
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            if self.action == "discard":
                count = sample_service.discard_sample(self.wave)
                message = ngettext(
                    "The sample of %(count)d person and its codes were discarded.",
                    "The sample of %(count)d persons and its codes were discarded.",
                    count,
                )
            else:
                count = sample_service.delete_sample(self.wave)
                message = ngettext(
                    "Name and address of %(count)d person were deleted; codes and answers stay.",
                    "Names and addresses of %(count)d persons were deleted; codes and answers "
                    "stay.",
                    count,
                )
        except sample_service.SampleError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(self.url("wave_sample"))
        messages.success(request, message % {"count": count})
        return HttpResponseRedirect(self.url("wave_sample"))

    def render(self, form: ConfirmForm, status: int = 200) -> HttpResponse:
        context = self.context(
            form=form,
            action=self.action,
            labels=self.labels(),
            state=sample_service.sample_state(self.wave),
        )
        return render(self.request, self.template_name, context, status=status)


# --- letters -------------------------------------------------------------------------------------


class LettersView(WaveMixin, View):
    """The letters page (GET) and the PDF downloads (POST: printing is recorded)."""

    permission = "sample.manage"
    template_name = "fieldwork/wave_letters.html"
    kind = ""  # "invitation" or "reminder" for the download views

    def parts(self) -> list[tuple[int, int, int]]:
        return letter_service.letter_parts(self.wave)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.kind:
            return HttpResponseRedirect(self.url("wave_letters"))
        if "specimen" in request.GET:
            return self.specimen(request)
        return self.render()

    def specimen(self, request: HttpRequest) -> HttpResponse:
        language = request.GET.get("language", "de")
        kind = request.GET.get("kind", "invitation")
        if language not in letter_service.LANGUAGES or kind not in letter_service.KINDS:
            messages.error(request, _("Choose a language and a kind of letter."))
            return HttpResponseRedirect(self.url("wave_letters"))
        data = letter_service.specimen_pdf(self.wave, kind=kind, language=language)
        return _pdf(data, f"{self.wave.slug}-{kind}-specimen-{language}.pdf")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.kind:
            return HttpResponseRedirect(self.url("wave_letters"))
        form = LettersForm(request.POST, parts=self.parts(), auto_id=f"{self.kind}_%s")
        if not form.is_valid():
            return self.render(form, status=400)
        language = form.cleaned_data["language"]
        part = form.cleaned_data.get("part")
        try:
            if self.kind == "reminder":
                data = letter_service.reminder_letters_pdf(self.wave, language, part=part)
            else:
                data = letter_service.invitation_letters_pdf(self.wave, language, part=part)
        except letter_service.LettersError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(self.url("wave_letters"))
        suffix = f"-part{part}" if part else ""
        return _pdf(data, f"{self.wave.slug}-{self.kind}s-{language}{suffix}.pdf")

    def render(self, posted: LettersForm | None = None, status: int = 200) -> HttpResponse:
        parts = self.parts()
        forms_by_kind = {
            kind: LettersForm(parts=parts, auto_id=f"{kind}_%s") for kind in letter_service.KINDS
        }
        if posted is not None:
            forms_by_kind[self.kind] = posted
        context = self.context(
            invitation_form=forms_by_kind["invitation"],
            reminder_form=forms_by_kind["reminder"],
            state=sample_service.sample_state(self.wave),
            parts=parts,
            languages=letter_service.LANGUAGES,
            per_pdf=letter_service.letters_per_pdf(),
            letter_details=self.wave.letter or {},
            deadline_passed=self.wave.field_end < timezone.localdate(),
        )
        return render(self.request, self.template_name, context, status=status)


# --- monitoring ----------------------------------------------------------------------------------


class MonitoringView(WaveMixin, View):
    permission = "wave.view"
    template_name = "fieldwork/wave_monitoring.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render(request, self.template_name, self.context(report=field_report(self.wave)))
