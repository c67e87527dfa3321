"""Stamped letters (the letter laid out once, the personal parts stamped on) look like letters
laid out in full by WeasyPrint: the same words in the same places, page by page."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape

import pytest
from PIL import Image, ImageChops

from defus.fieldwork.models import AccessCode, SamplePerson
from defus.fieldwork.services import letters, pdfstamp
from defus.fieldwork.services.codes import format_code
from defus.fieldwork.services.letters import invitation_letters_pdf, reminder_letters_pdf
from defus.fieldwork.services.sample import import_sample

from .test_waves_support import make_wave, pdf_pages, pdf_text, sample_csv

pytestmark = pytest.mark.django_db

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
ROWS = [
    ["Frau", "Jürgen-Françoise", "Weißmüller-Tavernier", "Straße des 17. Juni 135", "51147"],
    ["Herr", "Zoë", "Lefèvre", "Rue de la Paix 7", "51149"],
    ["", "Ökkeş", "Çelik", "Königsallee 1", "40212"],
]


def people_csv(rows: list[list[str]]) -> bytes:
    return sample_csv([[*row, "Musterstadt", "N1"] for row in rows]).encode()


@pytest.fixture
def wave(org_a, settings):
    settings.DEFUS_PUBLIC_URL = "https://umfrage.musterstadt.example"
    wave = make_wave(org_a)
    wave.letter = {
        "sender": "Stadt Musterstadt · Amt für Statistik · 51100 Musterstadt",
        "contact": "Telefon 0221 123-4567",
        "signature": "Dr. Maria Beispiel\nOberbürgermeisterin",
    }
    wave.save()
    assert import_sample(wave, people_csv(ROWS)).ok
    return wave


def words(pdf: bytes, tmp_path, page: int) -> list[tuple[str, tuple[float, ...]]]:
    """(word, (x1, y1, x2, y2)) on one page, via poppler's pdftotext -bbox."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return [
        (unescape(m[5]), tuple(float(v) for v in m.groups()[:4]))
        for m in WORD.finditer(result.stdout.decode())
    ]


def pixels(pdf: bytes, tmp_path, page: int, name: str) -> Image.Image:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    prefix = tmp_path / name
    command = ["pdftoppm", "-png", "-r", "50", "-f", str(page), "-l", str(page), "-singlefile"]
    subprocess.run(
        [*command, str(path), str(prefix)],
        check=True,
        timeout=60,
    )
    return Image.open(f"{prefix}.png").convert("L")


def reference_pdf(wave, kind: str, language: str) -> bytes:
    """The same letters laid out in full by WeasyPrint (the slow way, as before)."""
    people = SamplePerson.objects.filter(wave=wave).select_related("access_code").order_by("line")
    html = letters.render_letters_html(
        wave, [letters._letter(p, language) for p in people], kind=kind, language=language
    )
    return letters.html_to_pdf(html)


@pytest.mark.parametrize(
    ("kind", "language", "web"),
    [("invitation", "de", True), ("reminder", "fr", True), ("invitation", "en", False)],
)
def test_stamped_letters_look_like_letters_laid_out_in_full(
    org_a, wave, tmp_path, kind, language, web
):
    if not web:
        wave.mode_web = False
        wave.save()
    make = letters.reminder_letters_pdf if kind == "reminder" else invitation_letters_pdf
    stamped = make(wave, language)
    reference = reference_pdf(wave, kind, language)
    assert pdf_pages(stamped, tmp_path) == pdf_pages(reference, tmp_path) == len(ROWS)
    for page in range(1, len(ROWS) + 1):
        # Every word – letter text and personal parts – in the same place, to a tenth of a mm.
        ours, theirs = words(stamped, tmp_path, page), words(reference, tmp_path, page)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        for (word, box), (_, expected) in zip(ours, theirs, strict=True):
            assert box == pytest.approx(expected, abs=0.3), word
        # And the page looks the same (this includes the QR code, module for module).
        a = pixels(stamped, tmp_path, page, "stamped")
        b = pixels(reference, tmp_path, page, "reference")
        different = ImageChops.difference(a, b).point(lambda v: 255 if v > 100 else 0)
        assert different.histogram()[255] < 150


def test_the_personal_parts_are_where_the_design_puts_them(wave, tmp_path):
    pdf = invitation_letters_pdf(wave)
    person = SamplePerson.objects.filter(wave=wave).order_by("line").first()
    boxes: dict[str, tuple[float, ...]] = {}
    for word, box in words(pdf, tmp_path, 1):
        boxes.setdefault(word, box)  # the first occurrence: "Frau" of the address
    mm = 72 / 25.4
    # The address 5 mm inside the DIN 5008 window (20/45 mm, 85 × 45 mm), 10.5 pt lines.
    frau, street = boxes["Frau"], boxes["Straße"]
    assert frau[0] == pytest.approx(25 * mm, abs=0.1)
    assert 62.7 * mm < frau[1] < frau[3] < street[1] < 90 * mm
    assert street[3] - frau[3] == pytest.approx(10.5 * 1.3, abs=0.1)  # line-height 1.3
    assert boxes["geehrte"][0] > boxes["Sehr"][2]
    code = boxes[format_code(person.access_code.code)]
    assert code[3] - code[1] > 20  # the large 20 pt code
    assert 25 * mm < code[0] < 60 * mm


def test_one_pdf_for_the_whole_sample(wave, tmp_path):
    assert letters.letters_per_pdf() == 20000
    assert letters.letter_parts(wave) == [(1, 1, len(ROWS))]
    text = pdf_text(invitation_letters_pdf(wave), tmp_path)
    for code in SamplePerson.objects.filter(wave=wave).values_list("access_code__code", flat=True):
        assert text.count(format_code(code)) == 1


def test_french_letters_close_in_each_persons_form_of_address(wave, tmp_path):
    pages = pdf_text(invitation_letters_pdf(wave, "fr"), tmp_path).split("\f")
    assert "Madame," in pages[0] and "agréer, Madame, l’expression" in pages[0]
    assert "Monsieur," in pages[1] and "agréer, Monsieur, l’expression" in pages[1]
    assert "Bonjour Ökkeş Çelik," in pages[2]
    assert "agréer, Madame, Monsieur, l’expression" in pages[2]


def test_umlauts_accents_and_eszett_can_be_searched_and_copied(wave, tmp_path):
    text = pdf_text(invitation_letters_pdf(wave), tmp_path)
    assert "Frau Jürgen-Françoise Weißmüller-Tavernier" in text
    assert "Sehr geehrte Frau Weißmüller-Tavernier," in text
    assert "Herrn Zoë Lefèvre" in text and "Königsallee 1" in text
    assert "Guten Tag Ökkeş Çelik," in text


def test_a_long_address_line_is_set_smaller_to_fit_the_window(org_a, settings, tmp_path):
    wave = make_wave(org_a, slug="lang")
    street = "Straße der Ersten Europäischen Bürgerinnen und Bürger 1234"
    assert import_sample(wave, people_csv([["Frau", "Anna", "Muster", street, "51147"]])).ok
    pdf = invitation_letters_pdf(wave)
    page = words(pdf, tmp_path, 1)
    top = next(box[1] for word, box in page if word == "Straße")
    line = [box for _, box in page if box[1] == top]
    assert len(line) == len(street.split())  # nothing cut off
    window_text_right = (20 + 5 + 75) * 72 / 25.4
    assert max(box[2] for box in line) <= window_text_right + 0.1
    height = line[0][3] - line[0][1]
    normal = next(box for word, box in page if word == "51147")
    assert height < normal[3] - normal[1]  # smaller than the 10.5 pt of the other lines


def test_text_that_needs_shaping_is_laid_out_in_full(org_a, tmp_path):
    wave = make_wave(org_a, slug="schrift")
    rows = [
        ["Herr", "محمد", "Haddad", "Am Markt 1", "51147"],
        ["Frau", "Anna", "Muster", "Weg 2", "51147"],
    ]
    assert import_sample(wave, people_csv(rows)).ok
    fonts = letters._fonts()
    assert fonts is not None
    assert not pdfstamp.stampable("Herrn محمد Haddad", fonts)
    assert pdfstamp.stampable("Frau Anna Muster, Straße, Zoë, Ødegård, Παπαδόπουλος", fonts)
    pdf = invitation_letters_pdf(wave)
    assert pdf_pages(pdf, tmp_path) == 2
    text = pdf_text(pdf, tmp_path)
    assert "محمد" in text and "Haddad" in text and "Frau Anna Muster" in text
    for code in SamplePerson.objects.filter(wave=wave).values_list("access_code__code", flat=True):
        assert format_code(code) in text


def test_reminders_hold_exactly_the_unused_codes(wave, tmp_path):
    persons = list(SamplePerson.objects.filter(wave=wave).select_related("access_code"))
    used = persons[1].access_code
    AccessCode.objects.filter(pk=used.pk).update(used=True)
    text = pdf_text(reminder_letters_pdf(wave), tmp_path)
    found = set(re.findall(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b", text))
    expected = {format_code(p.access_code.code) for p in persons if p.access_code_id != used.pk}
    assert found == expected
