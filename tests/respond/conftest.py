"""Test data for the respondent's questionnaire: a wave in the field with districts and codes.

The wave adds two city-specific modules (via Wave.extension) with filters on the same page and
across pages, a multi question and a text question, so the tests do not depend on what the
standard instrument contains; everything else iterates wave.instrument.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from defus.fieldwork.models import AccessCode, District, Wave
from defus.fieldwork.services.codes import format_code, new_codes
from defus.instrument.definition import Module
from defus.respond import services


def _t(de: str, en: str, fr: str) -> dict[str, str]:
    return {"de": de, "en": en, "fr": fr}


EXTENSION: dict[str, Any] = {
    "scales": {
        "yesno": {
            "options": [
                {"code": 1, "label": _t("ja", "yes", "oui")},
                {"code": 2, "label": _t("nein", "no", "non")},
                {
                    "code": 9,
                    "special": "dont_know",
                    "label": _t("weiß nicht", "don't know", "je ne sais pas"),
                },
            ]
        }
    },
    "modules": [
        {
            "code": "XA",
            "title": _t("Bus und Bahn", "Buses and trains", "Bus et trains"),
            "questions": [
                {
                    "code": "X1",
                    "kind": "single",
                    "scale": "yesno",
                    "text": _t(
                        "Fahren Sie mit dem Bus?", "Do you take the bus?", "Prenez-vous le bus ?"
                    ),
                },
                {
                    "code": "X2",
                    "kind": "number",
                    "min": 0,
                    "max": 31,
                    "unit": _t("Tage", "days", "jours"),
                    "show_if": {"item": "X1", "in": [1]},
                    "text": _t(
                        "An wie vielen Tagen im Monat?",
                        "On how many days a month?",
                        "Combien de jours par mois ?",
                    ),
                },
                {
                    "code": "X4",
                    "kind": "multi",
                    "text": _t("Wo warten Sie?", "Where do you wait?", "Où attendez-vous ?"),
                    "note": _t(
                        "Alles Zutreffende ankreuzen.",
                        "Tick all that apply.",
                        "Cochez tout ce qui s'applique.",
                    ),
                    "items": [
                        {
                            "code": "X4_1",
                            "text": _t("an der Haltestelle", "at the stop", "à l'arrêt"),
                        },
                        {
                            "code": "X4_2",
                            "text": _t("im Wartehäuschen", "in a shelter", "dans un abri"),
                        },
                    ],
                },
                {
                    "code": "X5",
                    "kind": "text",
                    "text": _t(
                        "Was möchten Sie uns noch sagen?",
                        "Is there anything else you want to tell us?",
                        "Voulez-vous ajouter quelque chose ?",
                    ),
                },
            ],
        },
        {
            "code": "XB",
            "title": _t("Haltestellen", "Bus stops", "Arrêts"),
            "questions": [
                {
                    "code": "X3",
                    "kind": "grid",
                    "scale": "yesno",
                    "show_if": {"item": "X1", "in": [1]},
                    "text": _t(
                        "Sind diese Haltestellen beleuchtet?",
                        "Are these stops lit?",
                        "Ces arrêts sont-ils éclairés ?",
                    ),
                    "items": [
                        {"code": "X3_1", "text": _t("am Markt", "at the market", "au marché")},
                        {"code": "X3_2", "text": _t("am Park", "at the park", "au parc")},
                    ],
                },
                {
                    "code": "X6",
                    "kind": "single",
                    "scale": "yesno",
                    "text": _t(
                        "Fühlen Sie sich dort wohl?",
                        "Do you feel at ease there?",
                        "Vous y sentez-vous à l'aise ?",
                    ),
                },
            ],
        },
    ],
}


def make_wave(
    organisation: Any,
    *,
    slug: str = "musterstadt-2026",
    status: str = "field",
    start: int = -7,
    end: int = 21,
    codes: int = 5,
    open_link: bool = False,
    extension: dict[str, Any] | None = EXTENSION,
) -> tuple[Wave, list[str]]:
    """A wave with 3 districts, the field period around today and `codes` fresh codes."""
    today = timezone.localdate()
    wave = Wave.objects.create(
        organisation=organisation,
        title="Sicherheitsbefragung 2026",
        slug=slug,
        instrument_version="2026.1",
        extension=extension or {},
        field_start=today + timedelta(days=start),
        field_end=today + timedelta(days=end),
        status=status,
        mode_open_link=open_link,
    )
    districts = [
        District.objects.create(wave=wave, code=f"0{n}", name=name, answer_code=n)
        for n, name in enumerate(("Altstadt", "Nordviertel", "Südstadt"), start=1)
    ]
    made = new_codes(codes)
    AccessCode.objects.bulk_create(
        AccessCode(wave=wave, code=code, district=districts[i % 3]) for i, code in enumerate(made)
    )
    return wave, made


@pytest.fixture(autouse=True)
def _fresh_state() -> Any:
    cache.clear()
    services.forget_instruments()
    yield
    cache.clear()


@pytest.fixture
def wave_codes(org_a: Any) -> tuple[Wave, list[str]]:
    return make_wave(org_a, open_link=True)


@pytest.fixture
def wave(wave_codes: tuple[Wave, list[str]]) -> Wave:
    return wave_codes[0]


@pytest.fixture
def codes(wave_codes: tuple[Wave, list[str]]) -> list[str]:
    return wave_codes[1]


# --- helpers for driving the questionnaire ----------------------------------------------------


def printed(code: str) -> str:
    return format_code(code)


def valid_form(module: Module) -> dict[str, Any]:
    """A plausible answer to every question of a module (first substantive option etc.)."""
    data: dict[str, Any] = {}
    for q in module.questions:
        if q.kind in ("single", "grid"):
            assert q.scale is not None
            for item in q.items:
                data[item.code] = str(q.scale.substantive_codes[0])
        elif q.kind == "multi":
            data[q.code] = [q.items[0].code]
        elif q.kind == "number":
            low = q.items[0].minimum if q.items[0].minimum is not None else 0
            data[q.items[0].code] = str(max(low, 20))
        else:
            data[q.items[0].code] = "Mehr Licht am Bahnhof"
    return data


def module_number(wave: Wave, code: str) -> int:
    return next(i for i, m in enumerate(wave.instrument.modules, start=1) if m.code == code)


def html_lang(content: str) -> str:
    match = re.search(r'<html lang="([a-z-]+)"', content)
    assert match, "no <html lang>"
    return match.group(1)


def data_page(content: str) -> str:
    match = re.search(r'<body class="respond" data-page="([^"]*)"', content)
    assert match, "not a respondent page"
    return match.group(1)
