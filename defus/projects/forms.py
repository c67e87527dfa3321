"""Forms of the project pages: the list's filters, the staff's project and call forms (texts
per language), partners and outputs, the member's expression of interest and the answer."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from defus.events.models import Event
from defus.organisations.models import Organisation

from .models import Call, Project, ProjectOutput, ProjectPartner


def https_urls(field: Any, **kwargs: Any) -> Any:
    """Addresses typed without a scheme are taken as https:// (Django 6's default)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


LANGUAGE_LABELS = {"de": _("German"), "en": _("English"), "fr": _("French")}


class TextsPerLanguageMixin:
    """Adds one field per language for each JSON text field named in `texts`
    ({"title": (required in German, widget)}) and writes them back as {"de": …}."""

    texts: ClassVar[dict[str, tuple[Any, bool, bool]]] = {}

    def add_text_fields(self, instance: Any) -> None:
        form: Any = self  # a form: the mixin comes before forms.ModelForm
        for name, (label, required, long) in self.texts.items():
            stored = getattr(instance, name, None) or {}
            for language, language_label in LANGUAGE_LABELS.items():
                key = f"{name}_{language}"
                widget = forms.Textarea(attrs={"rows": 5}) if long else forms.TextInput
                form.fields[key] = forms.CharField(
                    label=f"{label} ({language_label})",
                    required=required and language == "de",
                    max_length=None if long else 300,
                    widget=widget,
                )
                form.initial.setdefault(key, stored.get(language, ""))

    def texts_of(self, name: str) -> dict[str, str]:
        data: dict[str, Any] = self.cleaned_data  # type: ignore[attr-defined]
        return {
            language: data[f"{name}_{language}"].strip()
            for language in LANGUAGE_LABELS
            if data.get(f"{name}_{language}", "").strip()
        }


class ProjectForm(TextsPerLanguageMixin, forms.ModelForm):
    texts: ClassVar[dict[str, tuple[Any, bool, bool]]] = {
        "title": (_("Title"), True, False),
        "summary": (_("Summary"), False, True),
        "description": (_("Description"), False, True),
    }

    class Meta:
        model = Project
        formfield_callback = https_urls
        fields = [
            "slug",
            "programme",
            "funding",
            "funding_amount",
            "start",
            "end",
            "status",
            "lead_organisation",
            "lead_name",
            "topics",
            "website",
        ]
        widgets: ClassVar[dict[str, Any]] = {
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_text_fields(self.instance)
        self.fields["lead_organisation"].empty_label = _("(not on the platform)")  # type: ignore[attr-defined]
        # The texts first, as the staff read a project.
        order = [f"{n}_{lang}" for n in self.texts for lang in LANGUAGE_LABELS]
        self.order_fields(["slug", *order])

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if slug == "new":
            raise forms.ValidationError(_("This short name is reserved; choose another."))
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end lies before the start."))
        return data

    def save(self, commit: bool = True) -> Project:
        project: Project = super().save(commit=False)
        for name in self.texts:
            setattr(project, name, self.texts_of(name))
        if commit:
            project.save()
        return project


class PartnerForm(forms.ModelForm):
    class Meta:
        model = ProjectPartner
        fields = ["organisation", "name", "country", "role"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = data.get("organisation") or data.get("name")
        if not data.get("DELETE") and not named and self.has_changed():
            self.add_error("name", _("Choose an organisation or give a name."))
        return data


class OutputForm(TextsPerLanguageMixin, forms.ModelForm):
    texts: ClassVar[dict[str, tuple[Any, bool, bool]]] = {"title": (_("Title"), False, False)}

    class Meta:
        model = ProjectOutput
        formfield_callback = https_urls
        fields = ["kind", "url", "event", "page"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_text_fields(self.instance)
        from wagtail.models import Page

        from defus.info.models import NewsPage, PublicationPage, StandardPage

        self.fields["event"].queryset = Event.objects.order_by("-start")  # type: ignore[attr-defined]
        kinds = [NewsPage, PublicationPage, StandardPage]
        self.fields["page"].queryset = (  # type: ignore[attr-defined]
            Page.objects.live().type(*kinds).filter(locale__language_code="de").order_by("title")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("DELETE") or not self.has_changed():
            return data
        if not (data.get("url") or data.get("event") or data.get("page")):
            self.add_error("url", _("Link the output: an address, an event or a page."))
        return data

    def save(self, commit: bool = True) -> ProjectOutput:
        output: ProjectOutput = super().save(commit=False)
        output.title = self.texts_of("title")
        if commit:
            output.save()
        return output


PartnerFormSet = forms.inlineformset_factory(
    Project, ProjectPartner, form=PartnerForm, extra=2, can_delete=True
)
OutputFormSet = forms.inlineformset_factory(
    Project, ProjectOutput, form=OutputForm, extra=1, can_delete=True
)


class CallForm(TextsPerLanguageMixin, forms.ModelForm):
    texts: ClassVar[dict[str, tuple[Any, bool, bool]]] = {
        "title": (_("Title"), True, False),
        "text": (_("Text"), False, True),
    }

    class Meta:
        model = Call
        fields = ["deadline", "open"]
        widgets: ClassVar[dict[str, Any]] = {
            "deadline": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_text_fields(self.instance)
        self.fields["deadline"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]
        self.order_fields([f"{n}_{lang}" for n in self.texts for lang in LANGUAGE_LABELS])

    def save(self, commit: bool = True) -> Call:
        call: Call = super().save(commit=False)
        call.title = self.texts_of("title")
        call.text = self.texts_of("text")
        if commit:
            call.save()
        return call


class InterestForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("For the organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    statement = forms.CharField(
        label=_("Your statement"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "A few sentences: why your organisation wants to take part and what it brings."
        ),
        error_messages={"required": _("Please write a short statement.")},
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean_statement(self) -> str:
        statement: str = self.cleaned_data["statement"].strip()
        if len(statement) < 20:
            raise forms.ValidationError(
                _("Please write at least a sentence or two (20 characters or more).")
            )
        return statement


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Please write an answer.")},
    )


STATUS_CHOICES = [("", _("all")), *Project.Status.choices]


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    programme = forms.ChoiceField(label=_("Programme"), choices=(), required=False)
    topic = forms.CharField(label=_("Topic or text"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programmes = Project.objects.order_by("programme").values_list("programme", flat=True)
        self.fields["programme"].choices = [  # type: ignore[attr-defined]
            ("", _("all programmes")),
            *((p, p) for p in dict.fromkeys(programmes) if p),
        ]
