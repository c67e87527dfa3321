"""The answer generator on its own: any question a wave may ask gets a valid answer."""

from __future__ import annotations

import random

from defus.demo.synthetic import Mention, Respondent, synthetic_answers
from defus.instrument.answers import asked_items, clean_value
from defus.instrument.definition import for_wave, parse_instrument, standard_instrument

LANGS = ("de", "en", "fr")


def text(words: str) -> dict[str, str]:
    return dict.fromkeys(LANGS, words)


# A city's own module with questions the generator has no rule for.
EXTENSION = {
    "scales": {"often4": {"options": [{"code": c, "label": text(f"o{c}")} for c in (1, 2, 3, 4)]}},
    "modules": [
        {
            "code": "XMS",
            "title": text("Musterstadt"),
            "questions": [
                {"code": "X1", "kind": "single", "scale": "often4", "text": text("How often?")},
                {
                    "code": "X2",
                    "kind": "multi",
                    "text": text("Which?"),
                    "show_if": {"item": "X1", "in": [1, 2]},
                    "items": [{"code": f"X2_0{n}", "text": text(f"thing {n}")} for n in (1, 2, 3)],
                },
                {"code": "X3", "kind": "number", "min": 0, "max": 7, "text": text("Days?")},
                {"code": "X4", "kind": "text", "text": text("Anything else?")},
                {"code": "X5", "kind": "grid", "scale": "safe5", "text": text("Here?"),
                 "items": [{"code": "X5_01", "text": text("at the harbour")}]},
            ],
        }
    ],
}  # fmt: skip


def test_every_question_of_a_wave_with_its_own_module_gets_valid_answers() -> None:
    instrument = for_wave(
        standard_instrument(), districts=[(1, "Nord"), (2, "Süd")], extension=EXTENSION
    )
    rng = random.Random(7)
    mentions = [Mention(district=1, weight=1.0, phrases={"de": ("am Hafen",)})]
    answered = set()
    for n in range(300):
        respondent = Respondent(
            gender=("female", "male", "diverse")[n % 3],
            age=18 + n % 80,
            district=1 + n % 2,
            unease=0.5 if n % 2 else -0.3,
            mode=("web", "paper")[n % 2],
            language=LANGS[n % 3],
        )
        answers = synthetic_answers(instrument, respondent, rng, mentions)
        asked = asked_items(instrument, answers)
        for code, value in answers.items():
            assert asked[code], code
            assert clean_value(instrument.item(code), value) == value, (code, value)
        if answers.get("X1") not in (1, 2):
            assert not any(code.startswith("X2_") for code in answers)
        assert answers.get("D3", 1) in (1, 2)
        assert "X4" not in answers  # no invented free text for questions it does not know
        answered.update(answers)
    assert {"X1", "X2_01", "X3", "X5_01", "A1", "K3", "D10"} <= answered


def test_the_same_seed_gives_the_same_answers() -> None:
    instrument = standard_instrument()
    respondent = Respondent(gender="female", age=67, district=None, unease=0.4)
    first = synthetic_answers(instrument, respondent, random.Random(1))
    assert first == synthetic_answers(instrument, respondent, random.Random(1))
    assert first["D1"] == 1 and first["D2"] == 67


def test_a_core_code_asked_in_another_form_gets_a_generic_answer() -> None:
    """Should the instrument change the kind of a known question, the demo still works."""
    instrument = parse_instrument(
        {
            "instrument": "test",
            "version": "1",
            "languages": list(LANGS),
            "title": text("Test"),
            "scales": {
                "yes": {
                    "options": [{"code": 5, "label": text("only")}, {"code": 7, "label": text("x")}]
                }
            },
            "modules": [
                {
                    "code": "M",
                    "title": text("M"),
                    "questions": [
                        {"code": "A1", "kind": "number", "min": 3, "max": 9, "text": text("A1?")},
                        {"code": "K1", "kind": "text", "text": text("K1?")},
                        {"code": "D2", "kind": "single", "scale": "yes", "text": text("D2?")},
                    ],
                }
            ],
        }
    )
    rng = random.Random(3)
    for n in range(50):
        answers = synthetic_answers(
            instrument, Respondent(gender="male", age=30 + n, district=None), rng
        )
        for code, value in answers.items():
            assert clean_value(instrument.item(code), value) == value
        assert "K1" not in answers
