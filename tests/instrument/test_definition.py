"""The shipped DEFUS-Monitor definition and check_definition's problems, each naming its place."""

from __future__ import annotations

from typing import Any

import pytest

from defus.instrument.definition import (
    NO_ANSWER,
    NOT_APPLICABLE,
    WAVE_DISTRICTS,
    InstrumentError,
    check_definition,
    filter_applies,
    for_wave,
    parse_instrument,
    standard_instrument,
)

from .conftest import module, question

PLACES = ["01", "02", "03", "04", "05", "06", "07"]


def _messages(data: Any) -> list[str]:
    return [str(p) for p in check_definition(data)]


# --- the shipped questionnaire ----------------------------------------------------------------


def test_shipped_definition_has_no_problems(shipped_data):
    assert check_definition(shipped_data) == []


def test_shipped_definition_has_the_fixed_structure():
    instrument = standard_instrument("defus-monitor", "2026.1")
    assert [m.code for m in instrument.modules] == [
        "AFF", "COG", "CON", "TRA", "VIC", "IMP", "ASS", "DEM",
    ]  # fmt: skip
    questions = list(instrument.questions)
    assert 22 <= len(questions) <= 28
    assert all(m.core and m.comparable for m in instrument.modules)
    assert instrument.languages == ("de", "en", "fr")

    a1 = instrument.item("A1")
    assert a1.kind == "single" and a1.scale is not None
    assert a1.scale.substantive_codes == (1, 2, 3, 4, 5)
    assert a1.scale.special_codes == ()
    assert a1.scale.option(1).text("en") == "very safe"
    assert a1.scale.option(5).text("en") == "very unsafe"

    for grid in ("A2", "A3"):
        codes = [i.code for i in instrument.items if i.question == grid]
        assert codes == [f"{grid}_{p}" for p in PLACES]
        scale = instrument.item(f"{grid}_01").scale
        assert scale is not None and scale.codes == (1, 2, 3, 4, 5, 8)
        assert scale.option(8).special == "dont_use"
    assert "playground" in instrument.item("A2_03").label("en")

    change = instrument.item("A5").scale
    assert change is not None and change.option(9).special == "dont_know"
    likely = instrument.item("C1_01").scale
    assert likely is not None and likely.codes == (1, 2, 3, 4, 9)
    assert [i.code for i in instrument.items if i.question == "C1"] == [
        f"C1_0{n}" for n in range(1, 6)
    ]
    assert "not online" in instrument.item("C1_03").label("en")


def test_filters_and_codes_other_parts_rely_on():
    instrument = standard_instrument()
    by_code = {q.code: q for q in instrument.questions}
    assert by_code["K1"].scale is not None and by_code["K1"].scale.codes == (1, 2)
    assert by_code["K2"].kind == "multi"
    assert by_code["K2"].show_if == {"item": "K1", "in": [1]}
    assert [i.code for i in by_code["K2"].items] == [f"K2_0{n}" for n in range(1, 6)]
    assert by_code["K3"].kind == "text"
    assert by_code["K3"].show_if == {"item": "K2_03", "in": [1]}
    traffic = by_code["T1"]
    assert [i.code for i in traffic.items] == ["T1_01", "T1_02", "T1_03", "T1_04"]
    assert traffic.scale is not None and traffic.scale.option(8).special == "dont_use"
    assert "cycle" in traffic.scale.option(8).text("en")
    v1 = [i.code for i in by_code["V1"].items]
    assert by_code["V2"].show_if == {"any": [{"item": code, "in": [1]} for code in v1]}
    assert len(by_code["V2"].items) == len(v1)
    assert [i.code for i in by_code["I1"].items] == [f"I1_0{n}" for n in range(1, 7)]
    s1 = by_code["S1"].scale
    assert s1 is not None and s1.codes == (1, 2, 3, 4, 5, 9)
    assert by_code["S2"].kind == "multi"
    assert [q.code for q in instrument.module("DEM").questions] == [f"D{n}" for n in range(1, 11)]
    assert by_code["D1"].scale is not None and by_code["D1"].scale.codes == (1, 2, 3)
    age = instrument.item("D2")
    assert (age.kind, age.minimum, age.maximum) == ("number", 16, 110)
    assert by_code["D3"].scale_ref == WAVE_DISTRICTS and by_code["D3"].scale is None
    assert instrument.item("D4").maximum == 110 and instrument.item("D5").minimum == 1


def test_every_text_in_three_languages_and_harassment_said_explicitly():
    instrument = standard_instrument()
    for q in instrument.questions:
        for language in ("de", "en", "fr"):
            assert q.text.get(language, "").strip(), (q.code, language)
            for item in q.items:
                assert item.text.get(language, "").strip(), (item.code, language)
    for code in ("A1", "A2", "A3", "A4", "K1"):
        q = next(q for q in instrument.questions if q.code == code)
        assert "harassment, violence or crime" in q.text["en"], code
        assert "Belästigung, Gewalt oder Kriminalität" in q.text["de"], code
        assert "harcèlement, de la violence ou de la délinquance" in q.text["fr"], code
    # Examples of uncleanliness other than graffiti (pretest).
    assert "graffiti" not in instrument.item("I1_01").label("en").lower()
    assert "litter" in instrument.item("I1_01").label("en")


def test_missing_codes_never_collide_with_answer_codes():
    instrument = standard_instrument()
    for scale in instrument.scales.values():
        assert NO_ANSWER not in scale.codes and NOT_APPLICABLE not in scale.codes


# --- problems name their place ------------------------------------------------------------------


def test_unknown_scale_is_named(shipped_data):
    question(shipped_data, "C1")["scale"] = "likely7"
    assert _messages(shipped_data) == [
        "modules[1] (COG) › questions[0] (C1) › scale: unknown scale 'likely7'"
    ]


def test_unknown_filter_item_is_named(shipped_data):
    question(shipped_data, "K2")["show_if"] = {"item": "K9", "in": [1]}
    (message,) = _messages(shipped_data)
    assert message.startswith("modules[2] (CON) › questions[1] (K2) › show_if:")
    assert "unknown item 'K9'" in message


def test_filter_on_a_question_code_suggests_its_items(shipped_data):
    question(shipped_data, "V2")["show_if"] = {"item": "V1", "in": [1]}
    (message,) = _messages(shipped_data)
    assert "(V2) › show_if" in message and "'V1_01'" in message


def test_filter_pointing_forward_is_named(shipped_data):
    question(shipped_data, "K2")["show_if"] = {"item": "T1_01", "in": [1]}
    (message,) = _messages(shipped_data)
    assert "(K2) › show_if" in message
    assert "'T1_01', which is not asked before" in message


def test_filter_on_own_item_is_forward(shipped_data):
    question(shipped_data, "K3")["show_if"] = {"item": "K3", "in": [1]}
    assert any("not asked before" in m for m in _messages(shipped_data))


def test_filter_value_that_is_not_a_code_is_named(shipped_data):
    question(shipped_data, "K2")["show_if"] = {"item": "K1", "in": [1, 3]}
    (message,) = _messages(shipped_data)
    assert "(K2) › show_if" in message and "[3]" in message and "'K1'" in message


def test_filter_value_on_a_multi_item_must_be_0_or_1(shipped_data):
    question(shipped_data, "K3")["show_if"] = {"item": "K2_03", "in": [2]}
    (message,) = _messages(shipped_data)
    assert "(K3) › show_if" in message and "[2]" in message


def test_nested_filter_problems_are_found(shipped_data):
    question(shipped_data, "V2")["show_if"] = {
        "all": [{"item": "V1_01", "in": [1]}, {"any": [{"item": "V1_99", "in": [1]}]}]
    }
    (message,) = _messages(shipped_data)
    assert "(V2) › show_if" in message and "'V1_99'" in message


@pytest.mark.parametrize(
    ("change", "place"),
    [
        (
            lambda d: question(d, "A1")["text"].pop("fr"),
            "modules[0] (AFF) › questions[0] (A1) › text: translation missing for fr",
        ),
        (
            lambda d: question(d, "A2")["items"][2]["text"].update(en="  "),
            "modules[0] (AFF) › questions[1] (A2) › items[2] (A2_03) › text: "
            "translation missing for en",
        ),
        (
            lambda d: d["scales"]["safe5"]["options"][0]["label"].pop("de"),
            "scales › safe5 › options[0] (1) › label: translation missing for de",
        ),
        (
            lambda d: module(d, "AFF")["intro"].pop("en"),
            "modules[0] (AFF) › intro: translation missing for en",
        ),
        (
            lambda d: question(d, "D2")["unit"].pop("fr"),
            "modules[7] (DEM) › questions[1] (D2) › unit: translation missing for fr",
        ),
        (
            lambda d: question(d, "K3")["note"].pop("de"),
            "modules[2] (CON) › questions[2] (K3) › note: translation missing for de",
        ),
    ],
)
def test_missing_translations_are_named(shipped_data, change, place):
    change(shipped_data)
    assert _messages(shipped_data) == [place]


def test_duplicate_codes_are_named(shipped_data):
    question(shipped_data, "A3")["items"][0]["code"] = "A2_01"
    question(shipped_data, "A4")["code"] = "A1"
    module(shipped_data, "COG")["code"] = "AFF"
    shipped_data["scales"]["yesno"]["options"][1]["code"] = 1
    messages = _messages(shipped_data)
    assert "scales › yesno › options[1] (1): code 1 used twice in the scale" in messages
    assert (
        "modules[0] (AFF) › questions[2] (A3) › items[0] (A2_01): item code A2_01 already "
        "used at modules[0] (AFF) › questions[1] (A2) › items[0] (A2_01)"
    ) in messages
    assert "modules[0] (AFF) › questions[3] (A1): question code A1 used twice" in messages
    assert "modules[1] (AFF): module code AFF used twice" in messages


def test_schema_problems_are_named(shipped_data):
    question(shipped_data, "D1")["kind"] = "dropdown"
    del question(shipped_data, "D2")["text"]
    messages = _messages(shipped_data)
    assert any(m.startswith("modules[7] (DEM) › questions[0] (D1) › kind:") for m in messages)
    assert any(
        m.startswith("modules[7] (DEM) › questions[1] (D2):") and "'text'" in m for m in messages
    )


def test_kind_rules_are_named(shipped_data):
    question(shipped_data, "D2").update(min=50, max=20)
    del question(shipped_data, "A4")["scale"]
    question(shipped_data, "K3")["scale"] = "yesno"
    messages = _messages(shipped_data)
    assert "modules[7] (DEM) › questions[1] (D2): min is larger than max" in messages
    assert "modules[0] (AFF) › questions[3] (A4): a single question needs a scale" in messages
    assert "modules[2] (CON) › questions[2] (K3) › scale: a text question has no scale" in messages


def test_not_a_mapping():
    assert _messages(["a", "list"]) == [
        "(top level): a definition is a mapping with instrument, version, …"
    ]


def test_parse_raises_with_every_problem(shipped_data):
    question(shipped_data, "C1")["scale"] = "nope"
    question(shipped_data, "K2")["show_if"] = {"item": "K9", "in": [1]}
    with pytest.raises(InstrumentError) as info:
        parse_instrument(shipped_data)
    assert len(info.value.problems) == 2


# --- filters ------------------------------------------------------------------------------------


def test_filter_applies_simple_all_any():
    k2 = {"item": "K1", "in": [1]}
    assert filter_applies(None, {})
    assert filter_applies(k2, {"K1": 1})
    assert not filter_applies(k2, {"K1": 2})
    assert not filter_applies(k2, {})
    both = {"all": [k2, {"item": "K2_03", "in": [1]}]}
    assert filter_applies(both, {"K1": 1, "K2_03": 1})
    assert not filter_applies(both, {"K1": 1, "K2_03": 0})
    # The real V2 filter: any V1 item answered "yes".
    v2 = next(q for q in standard_instrument().questions if q.code == "V2").show_if
    assert not filter_applies(v2, {f"V1_0{n}": 2 for n in range(1, 7)})
    assert filter_applies(v2, {"V1_01": 2, "V1_05": 1})
    assert not filter_applies(v2, {})


# --- binding to a wave --------------------------------------------------------------------------


def test_for_wave_binds_districts_in_every_language():
    base = standard_instrument()
    bound = for_wave(base, districts=[(1, "Altstadt"), (2, "Nordviertel"), (3, "Am Hafen")])
    d3 = bound.item("D3")
    assert d3.scale is not None and d3.scale.codes == (1, 2, 3)
    assert d3.scale.option(3).text("fr") == "Am Hafen"
    assert d3.comparable and d3.core
    # The base is untouched and still asks for the wave's districts.
    assert base.item("D3").scale is None
    assert for_wave(base) is base


def test_for_wave_extension_modules_are_not_comparable():
    extension = {
        "scales": {"agree4": {"options": [
            {"code": n, "label": {"de": f"Stufe {n}", "en": f"level {n}", "fr": f"niveau {n}"}}
            for n in range(1, 5)
        ]}},
        "modules": [{
            "code": "XMS",
            "title": {"de": "Marktplatz", "en": "Market square", "fr": "Place du marché"},
            "questions": [{
                "code": "X1", "kind": "single", "scale": "agree4",
                "text": {"de": "Frage?", "en": "Question?", "fr": "Question ?"},
                "show_if": {"item": "K1", "in": [1]},
            }],
        }],
    }  # fmt: skip
    bound = for_wave(standard_instrument(), districts=[(1, "Mitte")], extension=extension)
    assert [m.code for m in bound.modules][-1] == "XMS"
    assert not bound.module("XMS").comparable and not bound.module("XMS").core
    assert not bound.item("X1").comparable and not bound.item("X1").core
    assert bound.item("A1").comparable and bound.module("AFF").comparable
    assert bound.item("D3").scale is not None


def test_for_wave_rejects_a_broken_extension():
    extension = {
        "modules": [{
            "code": "XMS",
            "title": {"de": "X", "en": "X", "fr": "X"},
            "questions": [{
                "code": "X1", "kind": "single", "scale": "nope",
                "text": {"de": "F", "en": "Q"},
            }],
        }],
    }  # fmt: skip
    with pytest.raises(InstrumentError) as info:
        for_wave(standard_instrument(), extension=extension)
    messages = [str(p) for p in info.value.problems]
    assert "modules[8] (XMS) › questions[0] (X1) › scale: unknown scale 'nope'" in messages
    assert "modules[8] (XMS) › questions[0] (X1) › text: translation missing for fr" in messages


def test_for_wave_with_a_single_district_still_checks_the_extension():
    bound = for_wave(standard_instrument(), districts=[(1, "Mitte")])
    d3 = bound.item("D3")
    assert d3.scale is not None and d3.scale.codes == (1,)
    extension = {
        "modules": [{
            "code": "XMS",
            "title": {"de": "X", "en": "X", "fr": "X"},
            "questions": [{
                "code": "X1", "kind": "single", "scale": "nope",
                "text": {"de": "F", "en": "Q", "fr": "Q"},
            }],
        }],
    }  # fmt: skip
    with pytest.raises(InstrumentError) as info:
        for_wave(standard_instrument(), districts=[(1, "Mitte")], extension=extension)
    assert [str(p) for p in info.value.problems] == [
        "modules[8] (XMS) › questions[0] (X1) › scale: unknown scale 'nope'"
    ]
