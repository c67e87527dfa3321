"""Forms of the newsletter: subscribing, the staff's compose form (subject and editorial per
language, items to pick), sending (with a confirmation) and the bounce file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import services
from .models import LANGUAGES, Issue, IssueItem

LANGUAGE_LABELS = dict(LANGUAGES)


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        error_messages={
            "required": _("Please give your email address."),
            "invalid": _("Please give a valid email address, like name@example.org."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language of the newsletter"), choices=LANGUAGES, widget=forms.RadioSelect
    )


class NewsChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({date_format(obj.date, 'SHORT_DATE_FORMAT')})"


class EventChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        start = date_format(timezone.localtime(obj.start), "SHORT_DATE_FORMAT")
        return f"{obj.title_text()} ({start})"


class ProjectChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title_text()} ({obj.programme})"


class ComposeForm(forms.Form):
    news = NewsChoices(
        label=_("News of the last 60 days"),
        queryset=IssueItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    events = EventChoices(
        label=_("Upcoming events"),
        queryset=IssueItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    projects = ProjectChoices(
        label=_("Running projects"),
        queryset=IssueItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, issue: Issue | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issue = issue
        for language, label in LANGUAGE_LABELS.items():
            self.fields[f"subject_{language}"] = forms.CharField(
                label=_("Subject (%(language)s)") % {"language": label},
                max_length=200,
                required=language == "de",
                error_messages={"required": _("The German subject is needed.")},
            )
            self.fields[f"editorial_{language}"] = forms.CharField(
                label=_("Editorial (%(language)s)") % {"language": label},
                widget=forms.Textarea(attrs={"rows": 6}),
                required=False,
            )
        self.order_fields(
            [f"subject_{lang}" for lang in LANGUAGE_LABELS]
            + [f"editorial_{lang}" for lang in LANGUAGE_LABELS]
        )
        chosen: dict[str, list[int]] = {"news": [], "events": [], "projects": []}
        if issue is not None:
            for item in issue.items.all():
                if item.news_page_id:
                    chosen["news"].append(item.news_page_id)
                if item.event_id:
                    chosen["events"].append(item.event_id)
                if item.project_id:
                    chosen["projects"].append(item.project_id)
            for language in LANGUAGE_LABELS:
                self.initial.setdefault(f"subject_{language}", issue.subject.get(language, ""))
                self.initial.setdefault(f"editorial_{language}", issue.editorial.get(language, ""))
        self.fields["news"].queryset = services.recent_news()  # type: ignore[attr-defined]
        self.fields["events"].queryset = services.upcoming_events()  # type: ignore[attr-defined]
        self.fields["projects"].queryset = services.running_projects()  # type: ignore[attr-defined]
        for name, ids in chosen.items():
            self.initial.setdefault(name, ids)

    def texts(self, name: str) -> dict[str, str]:
        return {
            language: self.cleaned_data[f"{name}_{language}"].strip()
            for language in LANGUAGE_LABELS
            if self.cleaned_data.get(f"{name}_{language}", "").strip()
        }

    def save(self, user: Any) -> Issue:
        issue = self.issue or Issue(number=services.next_number(), created_by=user)
        issue.subject = self.texts("subject")
        issue.editorial = self.texts("editorial")
        issue.save()
        services.set_items(
            issue,
            list(self.cleaned_data["news"]),
            list(self.cleaned_data["events"]),
            list(self.cleaned_data["projects"]),
        )
        return issue


class SendForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, send this issue now to all confirmed subscribers"),
        error_messages={"required": _("Please tick the box to confirm the sending.")},
    )


class BounceFileForm(forms.Form):
    file = forms.FileField(
        label=_("Bounce file (one address a line)"),
        error_messages={"required": _("Please choose a file.")},
    )

    def clean_file(self) -> list[str]:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is too large (at most 5 MB)."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file must be plain text (UTF-8).")) from None
        return services.addresses_in_bounce_file(text)
