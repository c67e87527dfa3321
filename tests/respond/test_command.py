from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from defus.fieldwork.models import AccessCode, Draft

pytestmark = pytest.mark.django_db


def test_drafts_in_progress_and_purging_abandoned_open_link_ones(wave: Any) -> None:
    today = timezone.localdate()
    code = AccessCode.objects.filter(wave=wave).first()
    Draft.objects.create(id="a" * 43, wave=wave, access_code=code)
    Draft.objects.create(id="b" * 43, wave=wave)
    Draft.objects.create(id="c" * 43, wave=wave)
    Draft.objects.filter(pk__in=["a" * 43, "b" * 43]).update(updated_on=today - timedelta(days=40))
    out = StringIO()
    call_command("respond", "drafts", wave.slug, stdout=out)
    assert "1 in progress with a code, 2 via the open link" in out.getvalue()
    out = StringIO()
    call_command("respond", "drafts", wave.slug, "--purge-open-link-days", "30", stdout=out)
    assert "Deleted 1 open-link draft" in out.getvalue()
    assert set(Draft.objects.values_list("pk", flat=True)) == {"a" * 43, "c" * 43}
    with pytest.raises(CommandError):
        call_command("respond", "drafts", "no-such-wave")
