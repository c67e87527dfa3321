"""Forms of the event pages: registration (fields follow the event's questions), the
organisers' message to registrants."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from defus.organisations.models import Organisation

from .models import Event


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email address"))
    organisation = forms.ModelChoiceField(
        label=_("Registering for organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("(myself only)"),
    )
    voting_representative = forms.BooleanField(
        label=_("I am my organisation's voting representative"),
        required=False,
        help_text=_("Each member organisation has one vote at the members' assembly."),
    )
    diet = forms.CharField(label=_("Dietary requirements"), max_length=500, required=False)
    accessibility = forms.CharField(
        label=_("Accessibility needs"),
        max_length=500,
        required=False,
        help_text=_("For example step-free access, sign language interpreting, hearing loop."),
    )
    notes = forms.CharField(
        label=_("Remarks"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, event: Event, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.is_authenticated:
            del self.fields["name"]
            del self.fields["email"]
            organisations = Organisation.objects.filter(memberships__user=user)
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
            if not organisations.exists():
                del self.fields["organisation"]
        else:
            del self.fields["organisation"]
        if event.kind != Event.Kind.ASSEMBLY or "organisation" not in self.fields:
            del self.fields["voting_representative"]
        for key, asked in (
            ("diet", event.ask_diet),
            ("accessibility", event.ask_accessibility),
            ("notes", event.ask_notes),
        ):
            if not asked:
                del self.fields[key]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("voting_representative") and not data.get("organisation"):
            self.add_error(
                "organisation", _("Choose the organisation you represent as voting representative.")
            )
        return data

    def answers(self) -> dict[str, str]:
        return {
            key: self.cleaned_data.get(key, "")
            for key in ("diet", "accessibility", "notes")
            if key in self.fields
        }


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else obj.email


class GroupRegistrationForm(forms.Form):
    """An organisation's admin picks people of the organisation to register together."""

    people = PersonChoiceField(
        label=_("People to register"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one person.")},
    )
    voting_representative = forms.ModelChoiceField(
        label=_("Voting representative"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("(none)"),
        help_text=_("Each member organisation has one vote at the members' assembly."),
    )

    def __init__(self, *args: Any, event: Event, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = candidates  # type: ignore[attr-defined]
        if event.kind == Event.Kind.ASSEMBLY:
            self.fields["voting_representative"].queryset = candidates  # type: ignore[attr-defined]
        else:
            del self.fields["voting_representative"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        voter = data.get("voting_representative")
        if voter is not None and voter not in (data.get("people") or []):
            self.add_error(
                "voting_representative",
                _("The voting representative must be one of the people registered."),
            )
        return data


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 10}))


KIND_CHOICES = [("", _("all kinds")), *Event.Kind.choices]
FORMAT_CHOICES = [
    ("", _("online and in person")),
    ("online", _("Online")),
    ("in_person", _("In person")),
]


class FilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False)
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, required=False)
    q = forms.CharField(label=_("Topic or text"), max_length=100, required=False)
