"""The codebook: every variable, its values, and the missing codes."""

from __future__ import annotations

import csv
import io

from defus.instrument.codebook import (
    CODEBOOK_COLUMNS,
    codebook_csv,
    codebook_rows,
    codebook_variables,
    filter_expression,
    render_codebook_html,
)
from defus.instrument.definition import NO_ANSWER, NOT_APPLICABLE, for_wave, standard_instrument


def test_every_item_with_its_values_and_missing_codes():
    instrument = standard_instrument()
    rows = codebook_rows(instrument, "en")
    by_variable: dict[str, list[dict]] = {}
    for row in rows:
        by_variable.setdefault(row["variable"], []).append(row)
    assert list(by_variable) == [item.code for item in instrument.items]
    for item in instrument.items:
        values = {r["value"]: r for r in by_variable[item.code]}
        assert values[NO_ANSWER]["value_type"] == "missing", item.code
        assert values[NOT_APPLICABLE]["value_type"] == "missing", item.code
        if item.kind == "single" and item.scale is not None:
            for option in item.scale.options:
                assert values[option.code]["value_type"] == (option.special or "substantive")
    assert {r["value"]: r["value_type"] for r in by_variable["A2_03"]}[8] == "dont_use"
    assert {r["value"]: r["value_type"] for r in by_variable["S1_01"]}[9] == "dont_know"
    assert [r["value"] for r in by_variable["K2_01"]] == [1, 0, NO_ANSWER, NOT_APPLICABLE]
    assert by_variable["D2"][0]["value"] == "16..110"


def test_csv_has_the_columns_and_one_language():
    text = codebook_csv(standard_instrument(), "fr")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == CODEBOOK_COLUMNS
    rows = list(reader)
    assert any(r["value_label"] == "sans réponse" for r in rows)
    assert any("Quel âge avez-vous" in r["label"] for r in rows)


def test_unknown_language_falls_back_instead_of_failing():
    rows = codebook_rows(standard_instrument(), "it")
    assert any(r["value_label"] == "ticked" for r in rows)


def test_filter_expression():
    assert filter_expression(None) == ""
    assert filter_expression({"item": "K1", "in": [1]}) == "K1 = 1"
    assert filter_expression({"item": "K1", "in": [1, 2]}) == "K1 in {1, 2}"
    assert (
        filter_expression({"any": [{"item": "V1_01", "in": [1]}, {"item": "V1_02", "in": [1]}]})
        == "(V1_01 = 1) or (V1_02 = 1)"
    )


def test_variables_grouped_with_filter():
    variables = {v["variable"]: v for v in codebook_variables(standard_instrument(), "de")}
    assert variables["K3"]["asked_if"] == "K2_03 = 1"
    assert variables["A1"]["asked_if"] == ""
    assert [v["value"] for v in variables["D1"]["values"]][:3] == [1, 2, 3]


def test_html_codebook_lists_every_variable_and_bound_districts():
    instrument = for_wave(standard_instrument(), districts=[(1, "Altstadt"), (2, "Hafen")])
    html = render_codebook_html(instrument, "en")
    assert html.startswith("<!doctype html>") and '<html lang="en">' in html
    for item in instrument.items:
        assert f'id="var-{item.code}"' in html, item.code
    assert "Altstadt" in html
    assert "How old are you?" in html
    assert str(NO_ANSWER) in html and str(NOT_APPLICABLE) in html
