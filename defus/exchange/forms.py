"""Forms of the exchange's pages (checks of form; the rules are in services.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import validate_slug
from django.utils.translation import gettext_lazy as _

from defus.core import uploads
from defus.core.languages import LANGUAGES

from .models import RESERVED_SLUGS, NotificationSettings, WorkingGroup

MENTION_HELP = _(
    "To notify someone, write @ followed by their email address, e.g. @anna.schmidt@example.org, "
    "or choose a person below."
)


class GroupForm(forms.Form):
    slug = forms.CharField(
        label=_("Short name (in the address)"),
        max_length=50,
        validators=[validate_slug],
        help_text=_("Lower-case letters, digits and hyphens, e.g. praevention."),
    )
    name_de = forms.CharField(label=_("Name (German)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=200, required=False)
    description_de = forms.CharField(
        label=_("Description (German)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_fr = forms.CharField(
        label=_("Description (French)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkingGroup.Kind.choices)
    access = forms.ChoiceField(label=_("Access"), choices=WorkingGroup.Access.choices)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This short name is reserved; please choose another."))
        if WorkingGroup.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("A group with this short name exists already."))
        return slug

    def texts(self, field: str) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"{field}_{code}", "") for code in LANGUAGES}


class MentionMixin(forms.Form):
    mention = forms.CharField(
        label=_("Notify a person (email address)"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"list": "mention-people", "autocomplete": "off"}),
    )

    def mentions(self) -> list[str]:
        value = self.cleaned_data.get("mention", "")
        return [value] if value else []


class ThreadForm(MentionMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), help_text=MENTION_HELP
    )
    field_order = ["title", "body", "mention"]


class QuestionForm(ThreadForm):
    title = forms.CharField(
        label=_("Your question"),
        max_length=200,
        help_text=_("For example: Who has experience with municipal security partnerships?"),
    )
    body = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Describe your situation, so that colleagues can answer well."),
    )


class ReplyForm(MentionMixin):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 6}), help_text=MENTION_HELP
    )
    field_order = ["body", "mention"]


class UploadField(forms.FileField):
    widget = forms.ClearableFileInput(attrs={"accept": uploads.ACCEPT})


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = UploadField(label=_("File"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check(upload)
        return upload


class VersionForm(forms.Form):
    file = UploadField(label=_("New version"))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check(upload)
        return upload


def check(upload: Any) -> None:
    from .services import check_upload

    try:
        check_upload(upload)
    except uploads.DocumentError as refusal:
        raise forms.ValidationError(str(refusal)) from refusal


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person to invite"))


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this post?"), widget=forms.Textarea(attrs={"rows": 4})
    )


class ModerationForm(forms.Form):
    reason = forms.CharField(label=_("Reason (for the log)"), max_length=500, required=False)


class SettingsForm(forms.Form):
    digest = forms.ChoiceField(
        label=_("Email digest of my notifications"),
        choices=NotificationSettings.Digest.choices,
        widget=forms.RadioSelect,
    )
