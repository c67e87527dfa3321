"""Focused workshops in the back office: list, create and edit, findings, documents.

"walks.view" reads, "walks.manage" changes. A workshop, finding or document is looked up only
within the organisation of the URL, so another city's is a 404. The rules live in
services/workshops.py; these views turn forms into calls and errors into messages.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from defus.core import uploads
from defus.fieldwork.models import District, Place, Wave
from defus.fieldwork.views.waves import AccessibleForm, DateInput
from defus.organisations.models import Organisation
from defus.organisations.permissions import OrganisationPermissionMixin, has_permission

from ..models import PARTICIPANT_GROUPS, Workshop, WorkshopDocument, WorkshopFinding
from ..services import workshops as service

# --- forms -------------------------------------------------------------------------------------


class WorkshopForm(AccessibleForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=service.TITLE_MAX)
    topic = forms.CharField(
        label=gettext_lazy("Topic"),
        max_length=service.TOPIC_MAX,
        help_text=gettext_lazy("e.g. “Feeling safe at the station after dark”"),
    )
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    wave = forms.ModelChoiceField(
        label=gettext_lazy("Survey wave"),
        queryset=Wave.objects.none(),
        required=False,
        empty_label=gettext_lazy("(none)"),
        help_text=gettext_lazy("The survey whose results the workshop discusses."),
    )
    district = forms.TypedChoiceField(
        label=gettext_lazy("District"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=(),
        help_text=gettext_lazy("A district of the chosen wave."),
    )
    agenda = forms.CharField(
        label=gettext_lazy("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        waves = list(Wave.objects.filter(organisation=organisation).order_by("-field_start"))
        wave_field = self.fields["wave"]
        assert isinstance(wave_field, forms.ModelChoiceField)
        wave_field.queryset = Wave.objects.filter(organisation=organisation)
        wave_field.error_messages["invalid_choice"] = _("Choose one of your organisation's waves.")
        districts_by_wave: dict[int, list[tuple[int, str]]] = {}
        for district in District.objects.filter(wave__in=waves).order_by("answer_code"):
            districts_by_wave.setdefault(district.wave_id, []).append((district.pk, district.name))
        district_field = self.fields["district"]
        assert isinstance(district_field, forms.ChoiceField)
        district_field.choices = [("", _("(none)"))] + [
            (wave.title, districts_by_wave[wave.pk])
            for wave in waves
            if wave.pk in districts_by_wave
        ]
        district_field.error_messages["invalid_choice"] = _(
            "Choose a district of one of your organisation's waves."
        )
        for key, label in PARTICIPANT_GROUPS:
            self.fields[f"participants_{key}"] = forms.IntegerField(
                label=capfirst(str(label)),
                min_value=0,
                max_value=service.MAX_PARTICIPANTS,
                required=False,
                widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            )

    def participant_fields(self) -> list[forms.BoundField]:
        return [self[f"participants_{key}"] for key, _label in PARTICIPANT_GROUPS]

    def data_for_service(self) -> service.WorkshopData:
        data = self.cleaned_data
        district = None
        if data.get("district") is not None:
            district = District.objects.select_related("wave").get(pk=data["district"])
        return service.WorkshopData(
            title=data["title"],
            topic=data["topic"],
            date=data["date"],
            wave=data.get("wave"),
            district=district,
            participants={
                key: data.get(f"participants_{key}") for key, _label in PARTICIPANT_GROUPS
            },
            agenda=data.get("agenda", ""),
        )

    @staticmethod
    def initial_for(workshop: Workshop) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": workshop.title,
            "topic": workshop.topic,
            "date": workshop.date,
            "wave": workshop.wave_id,
            "district": workshop.district_id,
            "agenda": workshop.agenda,
        }
        for key, count in (workshop.participants or {}).items():
            initial[f"participants_{key}"] = count
        return initial


class FindingForm(AccessibleForm):
    text = forms.CharField(
        label=gettext_lazy("Finding"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What the participants said or found, in a few sentences."),
    )
    place = forms.ModelChoiceField(
        label=gettext_lazy("Place"),
        queryset=Place.objects.none(),
        required=False,
        empty_label=gettext_lazy("(none)"),
    )
    group = forms.ChoiceField(label=gettext_lazy("Group"), required=False, choices=())
    module = forms.ChoiceField(
        label=gettext_lazy("Module of the questionnaire"), required=False, choices=()
    )

    def __init__(self, *args: Any, workshop: Workshop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place = self.fields["place"]
        assert isinstance(place, forms.ModelChoiceField)
        if workshop.wave_id is None:
            del self.fields["place"]
        else:
            place.queryset = service.places_of(workshop)
            place.error_messages["invalid_choice"] = _("Choose a place of this workshop's wave.")
        group = self.fields["group"]
        assert isinstance(group, forms.ChoiceField)
        group.choices = [("", _("(none)")), *PARTICIPANT_GROUPS]
        module = self.fields["module"]
        assert isinstance(module, forms.ChoiceField)
        module.choices = [("", _("(none)")), *service.module_choices(workshop)]


class DocumentForm(AccessibleForm):
    file = forms.FileField(
        label=gettext_lazy("Document"),
        widget=forms.ClearableFileInput(attrs={"accept": uploads.ACCEPT}),
    )
    title = forms.CharField(
        label=gettext_lazy("Title of the document"),
        max_length=service.DOCUMENT_TITLE_MAX,
        required=False,
        help_text=gettext_lazy("If left empty, the file name is used."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, office documents, images or text, at most %(limit)s."
        ) % {"limit": uploads.size_text(uploads.document_max_bytes())}
        self.fields["file"].widget.attrs["aria-describedby"] = f"{self['file'].auto_id}_help"


class ConfirmDeleteForm(AccessibleForm):
    confirm = forms.BooleanField(label="", required=True)

    def __init__(self, *args: Any, label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = label
        self.fields["confirm"].error_messages["required"] = _("Tick the box to confirm.")


def add_service_error(form: forms.Form, error: service.WorkshopError) -> None:
    """Puts a service error on its field if the form has it, else at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    if isinstance(form, AccessibleForm):
        form.mark_errors()


# --- views -------------------------------------------------------------------------------------


class WorkshopsMixin(OrganisationPermissionMixin):
    kwargs: dict[str, Any]

    def may(self, permission: str) -> bool:
        return has_permission(self.request.user, self.organisation, permission)

    def context(self, **extra: Any) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "can_manage": self.may("walks.manage"),
            **extra,
        }

    def list_url(self) -> str:
        return reverse("walks:workshop_list", kwargs={"org": self.organisation.slug})


class WorkshopMixin(WorkshopsMixin):
    """Finds the workshop of the URL within the organisation (another city's: 404)."""

    @cached_property
    def workshop(self) -> Workshop:
        return get_object_or_404(
            Workshop.objects.select_related("wave", "district", "organisation"),
            organisation=self.organisation,
            pk=self.kwargs["workshop"],
        )

    def detail_url(self, anchor: str = "") -> str:
        url = reverse(
            "walks:workshop_detail",
            kwargs={"org": self.organisation.slug, "workshop": self.workshop.pk},
        )
        return f"{url}#{anchor}" if anchor else url

    def context(self, **extra: Any) -> dict[str, Any]:
        return super().context(workshop=self.workshop, **extra)


class WorkshopListView(WorkshopsMixin, View):
    permission = "walks.view"
    template_name = "walks/workshop_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        workshops = list(service.workshops_of(self.organisation))
        rows = [
            {
                "workshop": workshop,
                "participants": service.participant_total(workshop),
            }
            for workshop in workshops
        ]
        return render(request, self.template_name, self.context(rows=rows))


class WorkshopFormView(WorkshopsMixin, View):
    """Create a workshop (no workshop in the URL) or edit one."""

    permission = "walks.manage"
    template_name = "walks/workshop_form.html"

    @cached_property
    def workshop(self) -> Workshop | None:
        if "workshop" not in self.kwargs:
            return None
        return get_object_or_404(
            Workshop, organisation=self.organisation, pk=self.kwargs["workshop"]
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = WorkshopForm.initial_for(self.workshop) if self.workshop else {}
        return self.render(WorkshopForm(initial=initial, organisation=self.organisation))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = WorkshopForm(request.POST, organisation=self.organisation)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            workshop = service.save_workshop(
                self.organisation, form.data_for_service(), self.workshop
            )
        except service.WorkshopError as error:
            add_service_error(form, error)
            return self.render(form, status=400)
        messages.success(
            request,
            _("The workshop “%(title)s” was created.") % {"title": workshop.title}
            if self.workshop is None
            else _("The changes were saved."),
        )
        return HttpResponseRedirect(
            reverse(
                "walks:workshop_detail",
                kwargs={"org": self.organisation.slug, "workshop": workshop.pk},
            )
        )

    def render(self, form: WorkshopForm, status: int = 200) -> HttpResponse:
        context = self.context(form=form, workshop=self.workshop)
        return render(self.request, self.template_name, context, status=status)


class WorkshopDetailView(WorkshopMixin, View):
    permission = "walks.view"
    template_name = "walks/workshop_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render()

    def render(
        self,
        finding_form: FindingForm | None = None,
        document_form: DocumentForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        workshop = self.workshop
        modules = dict(service.module_choices(workshop))
        groups = dict(PARTICIPANT_GROUPS)
        findings = [
            {
                "finding": finding,
                "place": finding.place,
                "group": groups.get(finding.group, finding.group) if finding.group else "",
                "module": modules.get(finding.module, finding.module) if finding.module else "",
            }
            for finding in workshop.findings.select_related("place")
        ]
        documents = [
            {
                "document": document,
                "filename": service.document_filename(document),
                "size": service.document_size(document),
            }
            for document in workshop.documents.all()
        ]
        can_manage = self.may("walks.manage")
        context = self.context(
            participants=service.participant_rows(workshop),
            participant_total=service.participant_total(workshop),
            findings=findings,
            documents=documents,
            finding_form=(finding_form or FindingForm(workshop=workshop)) if can_manage else None,
            document_form=(document_form or DocumentForm()) if can_manage else None,
            files_chosen=bool(self.request.FILES),
        )
        return render(self.request, self.template_name, context, status=status)


class WorkshopDeleteView(WorkshopMixin, View):
    permission = "walks.manage"
    template_name = "walks/workshop_confirm_delete.html"

    def label(self) -> str:
        return _("I want to delete this workshop with its findings and documents for good.")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render(ConfirmDeleteForm(label=self.label()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ConfirmDeleteForm(request.POST, label=self.label())
        if not form.is_valid():
            return self.render(form, status=400)
        title = self.workshop.title
        service.delete_workshop(self.workshop)
        messages.success(request, _("The workshop “%(title)s” was deleted.") % {"title": title})
        return HttpResponseRedirect(self.list_url())

    def render(self, form: ConfirmDeleteForm, status: int = 200) -> HttpResponse:
        context = self.context(
            form=form,
            findings=self.workshop.findings.count(),
            documents=self.workshop.documents.count(),
        )
        return render(self.request, self.template_name, context, status=status)


class FindingFormView(WorkshopMixin, View):
    """Add a finding (no finding in the URL) or edit one on its own page."""

    permission = "walks.manage"
    template_name = "walks/workshop_finding_form.html"

    @cached_property
    def finding(self) -> WorkshopFinding | None:
        if "finding" not in self.kwargs:
            return None
        return get_object_or_404(WorkshopFinding, workshop=self.workshop, pk=self.kwargs["finding"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = {}
        if self.finding is not None:
            initial = {
                "text": self.finding.text,
                "place": self.finding.place_id,
                "group": self.finding.group,
                "module": self.finding.module,
            }
        return self.render(FindingForm(initial=initial, workshop=self.workshop))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = FindingForm(request.POST, workshop=self.workshop)
        if not form.is_valid():
            return self.render(form, status=400)
        data = form.cleaned_data
        try:
            service.save_finding(
                self.workshop,
                data["text"],
                place=data.get("place"),
                group=data.get("group", ""),
                module=data.get("module", ""),
                finding=self.finding,
            )
        except service.WorkshopError as error:
            add_service_error(form, error)
            return self.render(form, status=400)
        messages.success(
            request,
            _("The finding was added.") if self.finding is None else _("The changes were saved."),
        )
        return HttpResponseRedirect(self.detail_url("findings"))

    def render(self, form: FindingForm, status: int = 200) -> HttpResponse:
        context = self.context(form=form, finding=self.finding)
        return render(self.request, self.template_name, context, status=status)


class FindingDeleteView(WorkshopMixin, View):
    permission = "walks.manage"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        finding = get_object_or_404(
            WorkshopFinding, workshop=self.workshop, pk=self.kwargs["finding"]
        )
        finding.delete()
        messages.success(request, _("The finding was deleted."))
        return HttpResponseRedirect(self.detail_url("findings"))


class DocumentUploadView(WorkshopDetailView):
    permission = "walks.manage"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(self.detail_url("documents"))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = DocumentForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(document_form=form, status=400)
        upload = form.cleaned_data["file"]
        try:
            document = service.add_document(
                self.workshop,
                upload,
                filename=upload.name or "",
                size=upload.size or 0,
                title=form.cleaned_data.get("title", ""),
            )
        except service.WorkshopError as error:
            add_service_error(form, error)
            return self.render(document_form=form, status=400)
        messages.success(
            request, _("The document “%(title)s” was uploaded.") % {"title": document.title}
        )
        return HttpResponseRedirect(self.detail_url("documents"))


class DocumentMixin(WorkshopMixin):
    @cached_property
    def document(self) -> WorkshopDocument:
        return get_object_or_404(
            WorkshopDocument, workshop=self.workshop, pk=self.kwargs["document"]
        )


class DocumentDownloadView(DocumentMixin, View):
    permission = "walks.view"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        return uploads.document_response(self.document.file)


class DocumentDeleteView(DocumentMixin, View):
    permission = "walks.manage"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        title = self.document.title
        service.delete_document(self.document)
        messages.success(request, _("The document “%(title)s” was deleted.") % {"title": title})
        return HttpResponseRedirect(self.detail_url("documents"))


W = "workshops/<int:workshop>/"
urlpatterns = [
    path("workshops/", WorkshopListView.as_view(), name="workshop_list"),
    path("workshops/new/", WorkshopFormView.as_view(), name="workshop_create"),
    path(W, WorkshopDetailView.as_view(), name="workshop_detail"),
    path(W + "edit/", WorkshopFormView.as_view(), name="workshop_edit"),
    path(W + "delete/", WorkshopDeleteView.as_view(), name="workshop_delete"),
    path(W + "findings/new/", FindingFormView.as_view(), name="workshop_finding_create"),
    path(
        W + "findings/<int:finding>/edit/",
        FindingFormView.as_view(),
        name="workshop_finding_edit",
    ),
    path(
        W + "findings/<int:finding>/delete/",
        FindingDeleteView.as_view(),
        name="workshop_finding_delete",
    ),
    path(W + "documents/", DocumentUploadView.as_view(), name="workshop_document_upload"),
    path(
        W + "documents/<int:document>/",
        DocumentDownloadView.as_view(),
        name="workshop_document_download",
    ),
    path(
        W + "documents/<int:document>/delete/",
        DocumentDeleteView.as_view(),
        name="workshop_document_delete",
    ),
]
