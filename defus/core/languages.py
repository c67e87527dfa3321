"""Names of languages as their speakers write them, for language choices everywhere."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import get_language, get_language_info

# The languages of everything the platform writes (reports, overviews, exports).
LANGUAGES = ("de", "en", "fr")


def check_language(code: str | None) -> str:
    """The platform's language for `code` ("fr", "fr-ch" → "fr"), else German."""
    code = (code or "de")[:2]
    return code if code in LANGUAGES else "de"


def in_language(texts: dict[str, str] | None, language: str | None = None) -> str:
    """Of texts stored per language ({"de": …, "en": …, "fr": …}), the one in `language` (the
    active one by default), else German, else any."""
    texts = texts or {}
    language = (language or get_language() or "de")[:2]
    return texts.get(language) or texts.get("de") or next(iter(texts.values()), "")


def language_name(code: str) -> str:
    """ "Deutsch", "English", "français" …; the code itself for a language Django does not know."""
    try:
        return str(get_language_info(code)["name_local"])
    except KeyError:
        return code


def language_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, name in that language) pairs for a form's choices."""
    return [(code, language_name(code)) for code in codes]
