"""Forms of the members' pages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from defus.organisations.models import Membership, Organisation, User

from .models import Application, Profile, Visibility
from .network import COUNTRIES, country_choices

PHONE = re.compile(r"^\+?[0-9 ()/.\-]{4,30}$")
KIND_CHOICES = [("", _("all kinds")), *Organisation.Kind.choices]
LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


class OrganisationFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("all countries")), *country_choices()]  # type: ignore[attr-defined]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Name, organisation or function"), max_length=100, required=False)
    function = forms.ChoiceField(
        label=_("Function"),
        choices=[("", _("all functions")), *Profile.Function.choices],
        required=False,
    )


class ProfileForm(forms.ModelForm):
    preferred_language = forms.ChoiceField(label=_("My language"), choices=LANGUAGE_CHOICES)
    field_order = [
        "listed",
        "preferred_language",
        "email_visibility",
        "position_visibility",
        "phone",
        "phone_visibility",
        "function",
        "function_visibility",
        "bio",
        "bio_visibility",
    ]

    class Meta:
        model = Profile
        fields = [
            "listed",
            "phone",
            "function",
            "bio",
            "email_visibility",
            "phone_visibility",
            "position_visibility",
            "function_visibility",
            "bio_visibility",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4}),
            **{
                f"{name}_visibility": forms.RadioSelect
                for name in ("email", "phone", "position", "function", "bio")
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].initial = self.instance.user.preferred_language
        self.fields["phone"].help_text = _("For example +49 30 1234567")
        for name in ("email", "phone", "position", "function", "bio"):
            self.fields[f"{name}_visibility"].choices = Visibility.choices  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(
                _("Please enter a phone number with digits only, for example +49 30 1234567.")
            )
        return phone

    def save(self, commit: bool = True) -> Profile:
        profile = super().save(commit=commit)
        user = profile.user
        user.preferred_language = self.cleaned_data["preferred_language"]
        if commit:
            user.save(update_fields=["preferred_language"])
        return profile


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    position = forms.CharField(
        label=_("Position"),
        max_length=200,
        required=False,
        help_text=_("For example Head of the public-order department"),
    )
    language = forms.ChoiceField(label=_("Language of the email"), choices=LANGUAGE_CHOICES)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)


class NewAccountForm(forms.Form):
    """An invited person without an account sets their name and password."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = User(
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as problem:
                self.add_error("password1", problem)
        return data


class ApplicationForm(forms.ModelForm):
    country = forms.ChoiceField(label=_("Country"))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Application
        fields = [
            "organisation_name",
            "kind",
            "country",
            "population",
            "website",
            "contact_name",
            "contact_email",
            "contact_function",
            "message",
        ]
        widgets = {"message": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [  # type: ignore[attr-defined]
            ("", _("please choose")),
            *sorted(((c, str(n)) for c, n in COUNTRIES.items()), key=lambda p: p[1]),
        ]
        self.fields["population"].widget.attrs["min"] = 0
        self.fields["website"].help_text = _("For example https://www.musterstadt.de")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required when rejecting; sent in the language of the application."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("message") or "").strip():
            self.add_error("message", _("Please write the applicant a message with the reasons."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Membership status"), choices=Organisation.MembershipStatus.choices
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
