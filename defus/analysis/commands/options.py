"""Options that several `defus analysis` actions share."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def answer_codes(text: str | None) -> list[int] | None:
    """The answer codes of a --share option ("1,2"), or None without one."""
    if not text:
        return None
    try:
        return [int(code) for code in text.split(",") if code.strip()]
    except ValueError:
        raise CommandError(_("--share takes answer codes separated by commas, e.g. 1,2.")) from None
