"""Template tag for the snippet `fieldwork/_wave_data_actions.html` on the wave page.

    {% load fieldwork_data %}{% wave_data_actions wave as data %}
    {% if data.enter %}…{% endif %}

`data` says what the person looking at the page may do with the wave's answers (enter paper
questionnaires, export/import) and gives the counts the snippet shows.
"""

from __future__ import annotations

from typing import Any

from django import template

from defus.organisations.permissions import has_permission

from ..models import PaperEntry, Wave

register = template.Library()


@register.simple_tag(takes_context=True)
def wave_data_actions(context: template.Context, wave: Wave) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or wave is None:
        return {"enter": False, "export": False, "responses": 0, "open_sheets": 0}
    enter = has_permission(user, wave.organisation, "responses.enter")
    export = has_permission(user, wave.organisation, "responses.export")
    if not (enter or export):
        return {"enter": False, "export": False, "responses": 0, "open_sheets": 0}
    open_sheets = (
        PaperEntry.objects.filter(wave=wave, committed=False).values("sheet").distinct().count()
        if enter
        else 0
    )
    return {
        "enter": enter,
        "export": export,
        "responses": wave.responses.count(),
        "open_sheets": open_sheets,
    }
