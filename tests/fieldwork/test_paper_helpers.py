"""Shared set-up for the answers tests (paper entry, export/import, `defus survey`).

A wave of Musterstadt with three districts and a city module of its own, so every kind of
item is present whatever the standard instrument holds: a yes/no question that filters a
multiple-choice question and an open text, and a number.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from defus.fieldwork.models import AccessCode, District, Wave

YES_NO = {
    "options": [
        {"code": 1, "label": {"de": "ja", "en": "yes", "fr": "oui"}},
        {"code": 2, "label": {"de": "nein", "en": "no", "fr": "non"}},
    ]
}


def _text(de: str, en: str, fr: str) -> dict[str, str]:
    return {"de": de, "en": en, "fr": fr}


EXTENSION = {
    "scales": {"yesno": YES_NO},
    "modules": [
        {
            "code": "XMS",
            "title": _text("Musterstadt", "Musterstadt", "Musterstadt"),
            "questions": [
                {
                    "code": "X1",
                    "kind": "single",
                    "scale": "yesno",
                    "text": _text(
                        "Meiden Sie Orte?", "Do you avoid places?", "Évitez-vous des lieux ?"
                    ),
                },
                {
                    "code": "X2",
                    "kind": "multi",
                    "show_if": {"item": "X1", "in": [1]},
                    "text": _text("Welche?", "Which?", "Lesquels ?"),
                    "items": [
                        {"code": "X2_A", "text": _text("Bahnhof", "station", "gare")},
                        {"code": "X2_B", "text": _text("Park", "park", "parc")},
                        {"code": "X2_C", "text": _text("Altstadt", "old town", "vieille ville")},
                    ],
                },
                {
                    "code": "X3",
                    "kind": "text",
                    "show_if": {"item": "X1", "in": [1]},
                    "text": _text("Wo genau?", "Where exactly?", "Où exactement ?"),
                },
                {
                    "code": "X4",
                    "kind": "number",
                    "min": 0,
                    "max": 99,
                    "text": _text("Wie oft?", "How often?", "Combien de fois ?"),
                },
            ],
        }
    ],
}


def make_wave(organisation: Any, slug: str = "musterstadt-2026") -> Wave:
    wave = Wave.objects.create(
        organisation=organisation,
        title=f"Bürgerbefragung {slug}",
        slug=slug,
        instrument_version="2026.1",
        extension=EXTENSION,
        field_start=datetime.date(2026, 3, 1),
        field_end=datetime.date(2026, 4, 30),
        status=Wave.Status.FIELD,
    )
    for answer_code, (code, name) in enumerate(
        [("01", "Altstadt"), ("02", "Nordpark"), ("03", "Südhafen")], start=1
    ):
        District.objects.create(wave=wave, code=code, name=name, answer_code=answer_code)
    return wave


def make_code(wave: Wave, code: str, answer_code: int = 2) -> AccessCode:
    return AccessCode.objects.create(
        wave=wave, code=code, district=wave.districts.get(answer_code=answer_code)
    )


def wave_url(wave: Wave, name: str, **extra: Any) -> str:
    from django.urls import reverse

    return reverse(
        f"fieldwork:{name}",
        kwargs={"org": wave.organisation.slug, "wave": wave.slug, **extra},
    )


@pytest.fixture
def wave(org_a: Any) -> Wave:
    return make_wave(org_a)


def test_the_wave_has_every_kind_of_item(wave: Wave) -> None:
    instrument = wave.instrument
    kinds = {item.kind for item in instrument.items}
    assert {"single", "multi", "text", "number"} <= kinds
    district_items = [
        i for i in instrument.items if i.scale is not None and i.scale.key == "districts"
    ]
    assert all(i.scale is not None and i.scale.codes == (1, 2, 3) for i in district_items)
