"""A person's notifications and digest settings under /notifications/, and the one-click
unsubscribe link of the digest emails (by token, no login: RFC 8058)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from defus.organisations.models import User

from . import services
from .forms import SettingsForm
from .models import Notification, NotificationSettings
from .views import members_only


@members_only
def notification_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        number = services.mark_read(request.user)
        messages.success(
            request,
            ngettext(
                "%(number)d notification marked as read.",
                "%(number)d notifications marked as read.",
                number,
            )
            % {"number": number},
        )
        return redirect("notifications:list")
    notifications = Notification.objects.filter(user=cast(User, request.user))[:200]
    return render(
        request,
        "exchange/notifications.html",
        {"notifications": notifications, "unread": services.unread_count(request.user)},
    )


@require_POST
@members_only
def notification_read(request: HttpRequest, notification: int) -> HttpResponse:
    """Mark one notification read; "open" continues to what it is about."""
    item = get_object_or_404(Notification, user=request.user, pk=notification)
    services.mark_read(request.user, item.pk)
    safe = url_has_allowed_host_and_scheme(item.url, allowed_hosts={request.get_host()})
    if request.POST.get("open") and item.url and safe:
        return redirect(item.url)
    return redirect("notifications:list")


@members_only
def notification_settings(request: HttpRequest) -> HttpResponse:
    own = services.settings_for(request.user)
    form = SettingsForm(request.POST or None, initial={"digest": own.digest})
    if request.method == "POST" and form.is_valid():
        services.set_digest(request.user, form.cleaned_data["digest"])
        messages.success(request, _("Your settings are saved."))
        return redirect("notifications:settings")
    return render(request, "exchange/notification_settings.html", {"form": form})


@csrf_exempt  # RFC 8058: mail programs POST here without a session; the token is the key
def unsubscribe(request: HttpRequest, unsubscribe_token: str) -> HttpResponse:
    own = get_object_or_404(NotificationSettings, unsubscribe_token=unsubscribe_token)
    if request.method == "POST":
        services.unsubscribe(unsubscribe_token)
        return render(request, "exchange/unsubscribed.html", {"settings": own})
    return render(
        request,
        "exchange/unsubscribe.html",
        {"settings": own, "already": own.digest == NotificationSettings.Digest.NEVER},
    )
