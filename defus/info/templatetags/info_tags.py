"""The public site's menu and the language links of a page, for base.html and page templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.translation import get_language
from wagtail.models import Page

from ..views import site_home

register = template.Library()


@register.inclusion_tag("info/site_menu.html", takes_context=True)
def site_menu(context: dict[str, Any]) -> dict[str, Any]:
    """Top-level pages shown in menus, in the current language."""
    request = context.get("request")
    home = site_home(request) if request is not None else None
    entries = list(home.get_children().live().in_menu().filter(locale=home.locale)) if home else []
    return {"home": home, "entries": entries, "request": request}


@register.inclusion_tag("info/language_links.html", takes_context=True)
def language_links(context: dict[str, Any], page: Page) -> dict[str, Any]:
    """One link per language: to the page's translation where there is one, else that
    language's home page."""
    translations = {p.locale.language_code: p for p in page.get_translations(inclusive=True).live()}
    links = []
    for code, _name in settings.LANGUAGES:
        target = translations.get(code)
        url = target.url if target is not None else ("/" if code == "de" else f"/{code}/")
        links.append({"code": code, "url": url, "translated": target is not None})
    return {"links": links, "current": get_language()}
