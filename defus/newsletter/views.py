"""Newsletter pages under /newsletter/: the public archive, subscribing with double opt-in,
confirming and unsubscribing by the links of the emails, and the forum staff's pages
(compose, preview per language, send, bounces)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from defus.core.languages import check_language
from defus.organisations.permissions import is_forum_staff

from . import services
from .forms import BounceFileForm, ComposeForm, SendForm, SubscribeForm
from .models import LANGUAGES, Delivery, Issue, Subscriber


def _language() -> str:
    return check_language(get_language())


def _issue_html(issue: Issue, language: str) -> str:
    """The issue's content rendered in its language (within a page in another language)."""
    with translation.override(language):
        return render_to_string("newsletter/_issue.html", services.issue_context(issue, language))


# --- public -----------------------------------------------------------------------------------


def archive(request: HttpRequest) -> HttpResponse:
    issues = Issue.objects.filter(status=Issue.Status.SENT)
    return render(request, "newsletter/archive.html", {"issues": issues})


def archive_issue(request: HttpRequest, issue: int) -> HttpResponse:
    item = get_object_or_404(Issue, number=issue, status=Issue.Status.SENT)
    language = _language()
    return render(
        request,
        "newsletter/archive_issue.html",
        {
            "issue": item,
            "subject": item.subject_text(language),
            "content": _issue_html(item, language),
        },
    )


def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.is_valid():
            services.subscribe(
                form.cleaned_data["email"], form.cleaned_data["language"], request.user
            )
            return render(
                request,
                "newsletter/subscribed.html",
                {"email": services.normalise(form.cleaned_data["email"])},
            )
    else:
        initial: dict[str, Any] = {"language": _language()}
        user: Any = request.user
        if user.is_authenticated:
            initial["email"] = user.email
            initial["language"] = check_language(user.preferred_language)
        form = SubscribeForm(initial=initial)
    return render(request, "newsletter/subscribe.html", {"form": form})


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: a link checker opening the link confirms nothing."""
    pending = Subscriber.objects.filter(confirm_token=token, status="pending").first()
    if request.method == "POST":
        subscriber = services.confirm(token)
        if subscriber is not None:
            return render(request, "newsletter/confirmed.html", {"subscriber": subscriber})
        pending = None
    if pending is None:
        return render(request, "newsletter/link_invalid.html", status=404)
    return render(request, "newsletter/confirm.html", {"subscriber": pending})


@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST unsubscribes. The POST needs no CSRF token: mail programs send it
    themselves (RFC 8058 List-Unsubscribe-Post), and the token is the authorisation."""
    subscriber = Subscriber.objects.filter(unsubscribe_token=token).first()
    if subscriber is None:
        return render(request, "newsletter/link_invalid.html", status=404)
    if request.method == "POST":
        services.unsubscribe(token)
        return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
    return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})


# --- forum staff --------------------------------------------------------------------------------


def _staff_gate(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_forum_staff(request.user):
        raise PermissionDenied
    return None


def manage(request: HttpRequest) -> HttpResponse:
    gate = _staff_gate(request)
    if gate is not None:
        return gate
    return render(
        request,
        "newsletter/manage.html",
        {
            "issues": Issue.objects.all(),
            "counts": services.counts(),
            "languages": LANGUAGES,
            "statuses": Subscriber.Status.choices,
            "bounce_form": BounceFileForm(),
        },
    )


def compose(request: HttpRequest, issue: int | None = None) -> HttpResponse:
    gate = _staff_gate(request)
    if gate is not None:
        return gate
    item = get_object_or_404(Issue, number=issue) if issue is not None else None
    if item is not None and item.status != Issue.Status.DRAFT:
        delivered = Delivery.objects.filter(issue=item, sent_at__isnull=False).count()
        return render(
            request, "newsletter/issue_status.html", {"issue": item, "delivered": delivered}
        )
    form = ComposeForm(request.POST if request.method == "POST" else None, issue=item)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(request.user)
        messages.success(request, _("The issue is saved."))
        return redirect("newsletter:compose", issue=saved.number)
    return render(
        request,
        "newsletter/compose.html",
        {"form": form, "issue": item, "send_form": SendForm(), "languages": LANGUAGES},
    )


def preview(request: HttpRequest, issue: int, language: str) -> HttpResponse:
    gate = _staff_gate(request)
    if gate is not None:
        return gate
    if language not in services.LANGUAGE_CODES:
        raise Http404
    item = get_object_or_404(Issue, number=issue)
    return render(
        request,
        "newsletter/preview.html",
        {
            "issue": item,
            "language": language,
            "language_name": dict(LANGUAGES)[language],
            "subject": item.subject_text(language),
            "content": _issue_html(item, language),
            "languages": LANGUAGES,
        },
    )


@require_POST
def send(request: HttpRequest, issue: int) -> HttpResponse:
    gate = _staff_gate(request)
    if gate is not None:
        return gate
    item = get_object_or_404(Issue, number=issue)
    form = SendForm(request.POST)
    if item.status == Issue.Status.SENT:
        messages.error(request, _("This issue has been sent already."))
    elif not form.is_valid():
        messages.error(request, _("Please tick the box to confirm the sending."))
    else:
        try:
            services.start_in_background(item)
        except services.SendRefused:
            messages.error(request, _("The issue needs a German subject before it is sent."))
        else:
            messages.success(request, _("The issue is being sent in the background."))
    return redirect("newsletter:compose", issue=item.number)


@require_POST
def bounces(request: HttpRequest) -> HttpResponse:
    gate = _staff_gate(request)
    if gate is not None:
        return gate
    form = BounceFileForm(request.POST, request.FILES)
    if form.is_valid():
        marked, unknown = services.mark_bounced(form.cleaned_data["file"])
        messages.success(
            request,
            _("%(marked)d addresses marked as bounced; %(unknown)d not found.")
            % {"marked": marked, "unknown": len(unknown)},
        )
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("file", [])))
    return redirect("newsletter:manage")
