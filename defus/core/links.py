"""Addresses outside a request (emails, calendar files, letters): the platform's public URL
(`DEFUS_PUBLIC_URL`) in front of a path."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` under the public address; an address that is absolute already stays as it is."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.DEFUS_PUBLIC_URL.rstrip("/") + path
