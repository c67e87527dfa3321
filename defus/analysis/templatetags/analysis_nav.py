"""What the person looking at a wave's pages may do in analysis, for the wave navigation.

{% load analysis_nav %}{% analysis_access organisation as analysis %}
{% if analysis.view %}…{% endif %}
"""

from __future__ import annotations

from typing import Any

from django import template

from defus.organisations.permissions import has_permission

register = template.Library()


@register.simple_tag(takes_context=True)
def analysis_access(context: template.Context, organisation: Any) -> dict[str, bool]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or organisation is None:
        return {"view": False, "manage": False}
    # Asked by the navigation and the page alike: once per request and organisation.
    known: dict[Any, dict[str, bool]] = getattr(request, "_analysis_access", {})
    if organisation.pk not in known:
        known[organisation.pk] = {
            "view": has_permission(user, organisation, "analysis.view"),
            "manage": has_permission(user, organisation, "analysis.manage"),
        }
        if request is not None:
            request._analysis_access = known
    return known[organisation.pk]
