"""The language switch of base.html: links to the same page in each language where the URL
carries the language (everything under i18n_patterns), so a public page needs no form (and
no CSRF cookie, which keeps it cacheable); a form posting to set_language elsewhere."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import translate_url
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def language_switch(context: Any) -> SafeString:
    request = context.get("request")
    path = request.get_full_path() if request is not None else "/"
    links = [{"code": code, "url": translate_url(path, code)} for code, _name in settings.LANGUAGES]
    current = get_language()
    if len({link["url"] for link in links}) == len(links):  # the URL names its language
        return render_to_string("info/language_links.html", {"links": links, "current": current})
    return render_to_string("core/language_switch.html", context.flatten(), request=request)
