"""Names of languages as their speakers write them, for language choices everywhere."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import get_language_info


def language_name(code: str) -> str:
    """ "Deutsch", "English", "français" …; the code itself for a language Django does not know."""
    try:
        return str(get_language_info(code)["name_local"])
    except KeyError:
        return code


def language_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, name in that language) pairs for a form's choices."""
    return [(code, language_name(code)) for code in codes]
