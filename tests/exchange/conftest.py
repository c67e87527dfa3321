from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_person


@pytest.fixture
def colleague_a(org_a: Any) -> Any:
    """A second person of Musterstadt: the asker's own colleague."""
    return make_person(
        "colleague@musterstadt.example", org_a, "member", first_name="Selin", last_name="Kaya"
    )


@pytest.fixture
def outsider(db: Any) -> Any:
    """A person with a login but no member organisation."""
    from defus.organisations.models import Organisation

    guest = Organisation.objects.create(name="Gaststadt", slug="gaststadt", is_member=False)
    return make_person("someone@gaststadt.example", guest, "member")


@pytest.fixture(autouse=True)
def media_root(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
