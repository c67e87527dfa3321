"""Shared fixtures: organisations, people in each role, and a real Chromium for browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM then refuses to
# run there unless told that this is intended (it is: the test thread is not async code).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Every test starts in the interface's default language, German. A test client request
    to an /en/ or /fr/ page leaves that language active in the thread afterwards (Django does
    not reset it), which would otherwise leak into the next test's messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def org_a(db: Any) -> Any:
    from defus.organisations.models import Organisation

    return Organisation.objects.create(name="Musterstadt", slug="musterstadt")


@pytest.fixture
def org_b(db: Any) -> Any:
    from defus.organisations.models import Organisation

    return Organisation.objects.create(name="Beispielburg", slug="beispielburg")


def make_person(email: str, organisation: Any = None, role: str | None = None, **extra: Any) -> Any:
    from defus.organisations.models import Membership, User

    user = User.objects.create_user(email=email, password=PASSWORD, **extra)
    if organisation is not None and role is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def admin_a(org_a: Any) -> Any:
    return make_person("admin@musterstadt.example", org_a, "admin")


@pytest.fixture
def analyst_a(org_a: Any) -> Any:
    return make_person("analyst@musterstadt.example", org_a, "analyst")


@pytest.fixture
def member_a(org_a: Any) -> Any:
    return make_person("member@musterstadt.example", org_a, "member")


@pytest.fixture
def admin_b(org_b: Any) -> Any:
    return make_person("admin@beispielburg.example", org_b, "admin")


@pytest.fixture
def forum_staff(db: Any) -> Any:
    return make_person("office@defus.example", is_forum_staff=True)


# --- browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def english() -> Iterator[None]:
    """For tests that quote the English msgids: the interface's default language is German.

    Also makes reverse() give the /en/ URLs.
    """
    from django.utils import translation

    with translation.override("en"):
        yield
