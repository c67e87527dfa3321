"""Forms of the strategic cycle; every choice is limited to the organisation's own data."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from defus.core import uploads
from defus.fieldwork.models import Place, Wave
from defus.organisations.models import Organisation
from defus.walks.models import Stop, WorkshopFinding

from .models import Finding, Measure, MeasureDocument, Priority
from .services import (
    group_choices,
    split_group,
    wave_figures,
)


class StopChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.walk.title} ({obj.walk.date:%Y-%m-%d}) – {obj}"


class WorkshopFindingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.workshop.title} – {obj}"


class FindingsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_source_display()}: {obj}"


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["source", "text", "wave", "stop", "workshop_finding"]
        field_classes = {"stop": StopChoiceField, "workshop_finding": WorkshopFindingChoiceField}
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}
        labels = {
            "wave": gettext_lazy("Survey wave"),
            "stop": gettext_lazy("Stop of a neighbourhood walk"),
            "workshop_finding": gettext_lazy("Finding of a workshop"),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        wave = self.fields["wave"]
        assert isinstance(wave, forms.ModelChoiceField)
        wave.queryset = Wave.objects.filter(organisation=organisation).order_by("-field_start")
        stop = self.fields["stop"]
        assert isinstance(stop, forms.ModelChoiceField)
        stop.queryset = Stop.objects.filter(walk__organisation=organisation).select_related("walk")
        finding = self.fields["workshop_finding"]
        assert isinstance(finding, forms.ModelChoiceField)
        finding.queryset = WorkshopFinding.objects.filter(
            workshop__organisation=organisation
        ).select_related("workshop")
        for name in ("wave", "stop", "workshop_finding"):
            self.fields[name].help_text = _("optional: what the finding refers to")

    def save(self, commit: bool = True) -> Finding:
        finding: Finding = super().save(commit=False)
        finding.organisation = self.organisation
        finding.walk = finding.stop.walk if finding.stop else None
        finding.workshop = finding.workshop_finding.workshop if finding.workshop_finding else None
        if commit:
            finding.save()
        return finding


class PriorityForm(forms.ModelForm):
    """The indicator is one of the figures the dashboard offers for the baseline wave."""

    figure = forms.ChoiceField(label=gettext_lazy("Indicator"))
    who = forms.ChoiceField(
        label=gettext_lazy("Group"),
        required=False,
        help_text=gettext_lazy("the indicator is measured for this group"),
    )

    class Meta:
        model = Priority
        fields = ["problem", "place", "place_text", "target", "findings", "position"]
        labels = {
            "place": gettext_lazy("Place of the survey"),
            "place_text": gettext_lazy("Other place"),
            "position": gettext_lazy("Order"),
        }
        widgets = {"findings": forms.CheckboxSelectMultiple}
        field_classes = {"findings": FindingsField}

    def __init__(
        self, *args: Any, organisation: Organisation, wave: Wave, language: str, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.wave = wave
        self.figures = {f.code: f for f in wave_figures(wave, language)}
        figure = self.fields["figure"]
        assert isinstance(figure, forms.ChoiceField)
        figure.choices = [
            (f.code, f"{f.label} ({_('share') if f.share else _('mean')})")
            for f in self.figures.values()
        ]
        who = self.fields["who"]
        assert isinstance(who, forms.ChoiceField)
        who.choices = group_choices(wave)
        place = self.fields["place"]
        assert isinstance(place, forms.ModelChoiceField)
        place.queryset = Place.objects.filter(wave=wave).order_by("name")
        place.help_text = _("a named place of the baseline wave, or write another below")
        findings = self.fields["findings"]
        assert isinstance(findings, forms.ModelMultipleChoiceField)
        findings.queryset = Finding.objects.filter(organisation=organisation)
        findings.label = _("Findings behind the priority")
        self.fields["target"].help_text = _(
            "For a share: the per cent to reach (e.g. 60). For a mean: the value on the "
            "indicator's scale (e.g. 2.5)."
        )
        self.fields["position"].required = False
        self.fields["position"].help_text = _("priorities are listed by this number")
        instance = self.instance
        if instance.pk and not self.is_bound:
            code = next(
                (
                    c
                    for c, f in self.figures.items()
                    if f.item == instance.item
                    and tuple(f.share or ()) == tuple(int(x) for x in instance.share or ())
                ),
                None,
            )
            if code:
                self.initial["figure"] = code
            if instance.group_by:
                self.initial["who"] = f"{instance.group_by}:{instance.group}"

    def clean_position(self) -> int:
        return self.cleaned_data.get("position") or 0

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        figure = self.figures.get(data.get("figure") or "")
        target = data.get("target")
        if figure is not None and target is not None:
            if figure.share and not 0 <= target <= 100:
                self.add_error("target", _("A share is a per cent between 0 and 100."))
            elif not figure.share and figure.domain is not None:
                low, high = figure.domain
                if not low <= target <= high:
                    self.add_error(
                        "target",
                        _("The indicator's scale runs from %(low)g to %(high)g.")
                        % {"low": low, "high": high},
                    )
        if not data.get("place") and not (data.get("place_text") or "").strip():
            data["place_text"] = ""
        return data

    def save(self, commit: bool = True) -> Priority:
        priority: Priority = super().save(commit=False)
        figure = self.figures[self.cleaned_data["figure"]]
        priority.organisation = self.organisation
        priority.baseline_wave = self.wave
        priority.item = figure.item
        priority.share = list(figure.share or [])
        priority.indicator_label = figure.label
        priority.group_by, priority.group = split_group(self.cleaned_data.get("who") or "")
        if commit:
            priority.save()
            self.save_m2m()
        return priority


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = [
            "title",
            "description",
            "where",
            "department",
            "partners",
            "budget",
            "start",
            "end",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "partners": forms.Textarea(attrs={"rows": 2}),
            "start": DateInput(),
            "end": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["budget"].help_text = _("in euros, e.g. 12500")
        self.fields["start"].help_text = _("date, e.g. 2026-09-01")
        self.fields["end"].help_text = _("date, e.g. 2027-06-30")

    def clean_budget(self) -> Any:
        budget = self.cleaned_data.get("budget")
        if budget is not None and budget < 0:
            raise forms.ValidationError(_("The budget cannot be negative."))
        return budget

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end lies before the start."))
        return data


class DocumentForm(uploads.DocumentFileMixin, forms.ModelForm):
    class Meta:
        model = MeasureDocument
        fields = ["title", "file"]
        labels = {"title": gettext_lazy("Title of the document"), "file": gettext_lazy("File")}


class CrimeUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file with recorded crime"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
