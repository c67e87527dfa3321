"""Storing a completed questionnaire: the one way answers become a Response.

Web completion, paper entry and bulk import all call `record_response`, so the anonymity
rules hold everywhere: the Response gets no code, person, address, IP or time of day, and the
code only learns that it was used – not when, not how. The code is claimed with a conditional
UPDATE inside the same transaction, so of two racing submissions with one code exactly one
succeeds, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import AccessCode, District, Draft, Response, Wave


class CodeAlreadyUsed(Exception):
    """The access code has been used for a completed questionnaire already."""


def claim_code(access_code: AccessCode) -> bool:
    """Mark the code used; False if someone else used it first."""
    claimed = AccessCode.objects.filter(pk=access_code.pk, used=False).update(used=True)
    return claimed == 1


def record_response(
    wave: Wave,
    answers: Mapping[str, Any],
    *,
    mode: str,
    language: str,
    access_code: AccessCode | None = None,
    sample_district: District | None = None,
    source: str | None = None,
    day: date | None = None,
) -> Response:
    """Store one completed questionnaire; raise CodeAlreadyUsed if the code is spent.

    With an access code, the sampling stratum is taken from the code and the code's draft is
    deleted. Without one, the answer comes from the open link unless `source` says otherwise
    (paper questionnaires without a readable code are still part of the sample).
    """
    day = day or timezone.localdate()
    with transaction.atomic():
        if access_code is not None:
            if not claim_code(access_code):
                raise CodeAlreadyUsed(access_code.code)
            sample_district = access_code.district
            Draft.objects.filter(access_code=access_code).delete()
        Wave.objects.filter(pk=wave.pk).update(answers_revision=F("answers_revision") + 1)
        return Response.objects.create(
            wave=wave,
            instrument_version=wave.instrument_version,
            mode=mode,
            source=source
            or (Response.Source.SAMPLE if access_code is not None else Response.Source.OPEN_LINK),
            language=language,
            completed_on=day,
            sample_district=sample_district,
            answers=dict(answers),
        )
