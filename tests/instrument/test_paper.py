"""The paper questionnaire: filter instructions in words, the PDF and its text."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from defus.instrument.definition import for_wave, standard_instrument
from defus.instrument.paper import (
    describe_filter,
    next_question_when_skipped,
    questionnaire_outline,
    render_paper_html,
    render_paper_pdf,
)

PDFTOTEXT = shutil.which("pdftotext")


def _pdf_text(pdf: bytes) -> str:
    if PDFTOTEXT is None:
        pytest.fail("pdftotext is missing: install Debian's poppler-utils (make test does)")
    result = subprocess.run(
        [PDFTOTEXT, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def french_pdf() -> bytes:
    instrument = for_wave(standard_instrument(), districts=[(1, "Altstadt"), (2, "Hafenviertel")])
    return render_paper_pdf(instrument, "fr", organisation_name="Ville de Musterstadt")


def test_filters_in_words():
    instrument = standard_instrument()
    v2 = next(q for q in instrument.questions if q.code == "V2")
    k2 = next(q for q in instrument.questions if q.code == "K2")
    k3 = next(q for q in instrument.questions if q.code == "K3")
    assert describe_filter(instrument, None, "en") == ""
    assert describe_filter(instrument, k2.show_if, "en") == (
        "If you answered “yes” (1) to question K1"
    )
    assert describe_filter(instrument, k3.show_if, "en") == (
        "If you ticked “avoided certain places” in question K2"
    )
    assert describe_filter(instrument, v2.show_if, "en") == (
        "If you answered “yes” (1) at least once in question V1"
    )
    mixed = {"all": [{"item": "K1", "in": [1]}, {"item": "A2_01", "in": [4, 5]}]}
    assert describe_filter(instrument, mixed, "en") == (
        "If you answered “yes” (1) to question K1 and you answered “fairly unsafe” (4) or "
        "“very unsafe” (5) for “in your neighbourhood” in question A2"
    )
    # Answer labels come from the instrument in the chosen language.
    assert "«\u00a0oui\u00a0» (1)" in describe_filter(instrument, k2.show_if, "fr")


def test_where_to_go_on_when_a_question_is_skipped():
    instrument = standard_instrument()
    assert next_question_when_skipped(instrument, "K2") == "T1"  # K3 depends on K2
    assert next_question_when_skipped(instrument, "K3") == "T1"
    assert next_question_when_skipped(instrument, "V2") == "I1"


def test_outline_marks_jumps_and_write_in():
    modules = questionnaire_outline(standard_instrument(), "en")
    questions = {q.code: q for m in modules for q in m.questions}
    k1 = questions["K1"]
    assert [(o.code, o.go_to) for o in k1.options] == [(1, None), (2, "T1")]
    assert questions["K2"].otherwise == "T1"
    assert questions["D3"].write_in
    assert questions["D2"].digits == 3
    assert [r.code for r in questions["A3"].rows][-1] == "A3_07"


def test_paper_html_has_cover_modules_and_boxes():
    html = render_paper_html(standard_instrument(), "de")
    assert '<html lang="de">' in html
    assert "Sheet number / access code" in html or "Bogennummer" in html
    for code in ("AFF", "COG", "CON", "TRA", "VIC", "IMP", "ASS", "DEM"):
        assert f'id="module-{code}"' in html
    assert "Wie alt sind Sie?" in html
    assert html.count('class="box"') > 200
    assert 'class="write-line"' in html  # the unbound district question and K3


def test_paper_rejects_a_language_the_instrument_lacks():
    with pytest.raises(ValueError, match="no language"):
        render_paper_html(standard_instrument(), "it")


def test_paper_pdf_in_french_with_the_wave_districts(french_pdf):
    assert french_pdf.startswith(b"%PDF")
    text = _pdf_text(french_pdf)
    assert "Quel âge avez-vous" in text
    assert "Dans quel quartier de la ville habitez-vous" in text
    assert "Hafenviertel" in text and "Altstadt" in text
    assert "Ville de Musterstadt" in text
    assert "K1" in text and "T1" in text
    # The standard indicator first, the thank-you last.
    assert text.index("A1") < text.index("D10")


def test_paper_pdf_in_english_has_english_questions():
    pdf = render_paper_pdf(standard_instrument(), "en", title="Our city, our safety")
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "Our city, our safety" in text
    assert "How old are you?" in text
    assert "If you answered “yes” (1) to question K1" in " ".join(text.split())
    assert "Wie alt sind Sie" not in text
