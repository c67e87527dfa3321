"""Invitation and reminder letters: the PDF holds the right people and codes, in three languages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from defus.fieldwork.models import AccessCode, SamplePerson
from defus.fieldwork.services import letters
from defus.fieldwork.services.codes import format_code
from defus.fieldwork.services.letters import (
    LettersError,
    code_url,
    invitation_letters_pdf,
    qr_svg,
    reminder_letters_pdf,
)
from defus.fieldwork.services.sample import delete_sample, import_sample

from .test_waves_support import make_wave, pdf_pages, pdf_text, sample_csv, sample_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def wave(org_a, settings):
    settings.DEFUS_PUBLIC_URL = "https://umfrage.musterstadt.example"
    wave = make_wave(org_a)
    wave.letter = {
        "sender": "Stadt Musterstadt · Amt für Statistik · 51100 Musterstadt",
        "contact": "Telefon 0221 123-4567\nbefragung@musterstadt.example",
        "signature": "Dr. Maria Beispiel\nOberbürgermeisterin",
    }
    wave.save()
    assert import_sample(wave, sample_csv(sample_rows(6)).encode()).ok
    return wave


def codes_of(wave, **filters):
    return [
        format_code(c)
        for c in AccessCode.objects.filter(wave=wave, **filters).values_list("code", flat=True)
    ]


def test_invitations_hold_every_code_address_and_the_german_text(wave, tmp_path):
    pdf = invitation_letters_pdf(wave)
    assert pdf.startswith(b"%PDF")
    assert pdf_pages(pdf, tmp_path) == 6
    text = pdf_text(pdf, tmp_path)
    for code in codes_of(wave):
        assert code in text
    assert text.count("Einladung zur Bürgerbefragung") == 6
    assert "Sehr geehrte Frau Müller," in text
    assert "Sehr geehrter Herr Schmidt," in text
    assert "Guten Tag Alex Schneider," in text  # no salutation in the register: neutral
    assert "Herrn Max Schmidt" in text and "Lindenweg 2" in text and "51147 Musterstadt" in text
    assert "umfrage.musterstadt.example/s/" in text
    assert "anonym" in text and "nicht zugeordnet" in text  # the anonymity promise
    assert "Papier" in text  # the paper option
    assert "Oberbürgermeisterin" in text and "0221 123-4567" in text
    assert "15. April 2026" in text  # the deadline, in German
    wave.refresh_from_db()
    assert wave.invitations_printed_on == timezone.localdate()


def test_the_qr_code_carries_the_survey_address_with_the_code(wave):
    person = SamplePerson.objects.filter(wave=wave).select_related("access_code").first()
    code = person.access_code.code
    assert code_url(code) == f"https://umfrage.musterstadt.example/s/?code={code}"
    letter = letters._letter(person, "de")
    assert letter.qr_svg == qr_svg(code_url(code))
    assert letter.qr_svg.startswith("<svg") and 'class="qr"' in letter.qr_svg
    html = letters.render_letters_html(wave, [letter], kind="invitation", language="de")
    assert letter.qr_svg in html  # inline, no external image


def test_reminders_only_for_unused_codes(wave, tmp_path):
    used = list(AccessCode.objects.filter(wave=wave).order_by("pk")[:2])
    AccessCode.objects.filter(pk__in=[c.pk for c in used]).update(used=True)
    pdf = reminder_letters_pdf(wave)
    assert pdf_pages(pdf, tmp_path) == 4
    text = pdf_text(pdf, tmp_path)
    for code in codes_of(wave, used=False):
        assert code in text
    for code in used:
        assert format_code(code.code) not in text
    assert text.count("Erinnerung: Bürgerbefragung") == 4
    reminded = SamplePerson.objects.filter(wave=wave, reminded_on=timezone.localdate())
    assert sorted(p.access_code_id for p in reminded) == sorted(
        AccessCode.objects.filter(wave=wave, used=False).values_list("pk", flat=True)
    )
    AccessCode.objects.filter(wave=wave).update(used=True)
    with pytest.raises(LettersError, match="no reminders"):
        reminder_letters_pdf(wave)


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("en", ["Invitation to the residents’ survey", "Dear Ms Müller,", "15 April 2026"]),
        ("fr", ["Invitation à l’enquête", "Madame,", "15 avril 2026", "anonymes"]),
    ],
)
def test_english_and_french_letters(wave, tmp_path, language, phrases):
    text = pdf_text(invitation_letters_pdf(wave, language), tmp_path)
    for phrase in phrases:
        assert phrase in text


def test_no_letters_after_the_sample_is_deleted(wave):
    delete_sample(wave)
    with pytest.raises(LettersError, match="deleted"):
        invitation_letters_pdf(wave)
    with pytest.raises(LettersError, match="deleted"):
        reminder_letters_pdf(wave)


def test_no_letters_without_a_sample(org_a):
    empty = make_wave(org_a, slug="leer")
    with pytest.raises(LettersError, match="no sample"):
        invitation_letters_pdf(empty)
    with pytest.raises(LettersError):
        invitation_letters_pdf(empty, "xx")


def test_large_samples_are_printed_in_parts(wave, settings, tmp_path):
    settings.DEFUS_LETTERS_PER_PDF = 4
    assert letters.letter_parts(wave) == [(1, 1, 4), (2, 5, 6)]
    second = pdf_text(invitation_letters_pdf(wave, part=2), tmp_path)
    persons = list(SamplePerson.objects.filter(wave=wave).order_by("line"))
    assert format_code(persons[4].access_code.code) in second
    assert format_code(persons[0].access_code.code) not in second
    with pytest.raises(LettersError, match="no part 3"):
        invitation_letters_pdf(wave, part=3)
    with pytest.raises(LettersError):
        invitation_letters_pdf(wave, part=0)


# --- pages ------------------------------------------------------------------------------------


def url(name, wave):
    return reverse(f"fieldwork:{name}", kwargs={"org": wave.organisation.slug, "wave": wave.slug})


def test_download_views(client, admin_a, wave, tmp_path):
    client.force_login(admin_a)
    page = client.get(url("wave_letters", wave)).content.decode()
    assert "Download invitation letters (PDF)" in page
    assert 'for="invitation_language"' in page and 'for="reminder_language"' in page
    response = client.post(url("wave_letters_invitations", wave), {"language": "de"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert pdf_pages(response.content, tmp_path) == 6
    response = client.post(url("wave_letters_reminders", wave), {"language": "fr"})
    assert response["Content-Type"] == "application/pdf"
    assert "Rappel" in pdf_text(response.content, tmp_path)
    bad = client.post(url("wave_letters_invitations", wave), {"language": "xx"})
    assert bad.status_code == 400
    specimen = client.get(url("wave_letters", wave), {"specimen": "1", "language": "en"})
    assert specimen["Content-Type"] == "application/pdf"
    assert "Erika Mustermann" in pdf_text(specimen.content, tmp_path)


def test_download_after_deletion_explains(client, admin_a, wave):
    client.force_login(admin_a)
    delete_sample(wave)
    response = client.post(url("wave_letters_invitations", wave), {"language": "de"}, follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert "no letters can be printed" in response.content.decode()
