"""Keeps each wave's columnar copy of answers (models.AnswerColumns) close to its answers.

When an answer is recorded and the copy is missing or COLUMNS_REFRESH answers behind, the
copy is brought up to date in the background (core/background.py) after the answer is
committed – so the first look at a wave's results after a restart finds its answers ready
as columns, and recording an answer never waits for it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..core.background import run_in_background
from ..fieldwork.models import Response, Wave


def answer_recorded(sender: type[Response], instance: Response, created: bool, **_: Any) -> None:
    if created:
        wave_id = instance.wave_id
        transaction.on_commit(lambda: refresh_if_behind(wave_id))


def refresh_if_behind(wave_id: int) -> None:
    from . import data
    from .models import AnswerColumns

    revision = Wave.objects.filter(pk=wave_id).values_list("answers_revision", flat=True).first()
    stored = AnswerColumns.objects.filter(wave_id=wave_id).values_list("revision", flat=True)
    known = stored.first()
    if revision is not None and (known is None or revision - known >= data.COLUMNS_REFRESH):
        run_in_background(refresh_columns, wave_id)


def refresh_columns(wave_id: int) -> None:
    from .data import load_wave_data

    wave = Wave.objects.filter(pk=wave_id).first()
    if wave is not None:
        load_wave_data(wave)  # stores the copy when it is missing or behind
