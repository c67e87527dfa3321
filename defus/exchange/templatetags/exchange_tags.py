"""Template helpers of the exchange: the header's notifications link and people's labels.

{% load exchange_tags %}{% unread_notifications %}   → "Notifications (3)" for members
{{ post.author|person }}                             → "Full name (Organisation)"
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from .. import services

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: Any) -> str:
    """A link to /notifications/ with the number of unread ones; nothing for non-members."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return ""
    if getattr(user, "is_forum_staff", False):
        unread: int | None = services.unread_count(user)
    else:
        unread = services.unread_count_if_member(user)
    if unread is None:
        return ""
    # render_to_string gives a safe string: the template escapes what it shows
    return render_to_string("exchange/_unread_notifications.html", {"unread": unread})


@register.filter
def person(user: Any) -> str:
    return services.person_label(user)
