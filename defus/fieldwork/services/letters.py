"""Invitation and reminder letters as one PDF for the print shop or the office printer.

One A4 page per person, laid out after DIN 5008 (form B): the address in the window of a DL/C5
envelope with the sender's return line above it, an information block with the date and a
contact on the right, fold and hole marks at the left edge. The letter invites to the survey,
says why the person was chosen, promises anonymity truthfully (the code only serves to spare
people who answered a reminder; it cannot be linked to the answers), prints the access code
large, the web address and a QR code that carries the code, and the paper option.

All pages of a PDF are one HTML document rendered in one WeasyPrint call. WeasyPrint keeps every
page's layout in memory until the PDF is written (about 1.2 MB per letter), so a large sample is
printed in parts of `letters_per_pdf()` letters in file order (`part=1, 2, …`; the setting
DEFUS_LETTERS_PER_PDF, default 2,000); the command line can still print everything at once.

The letter wording is a whole official text per language, like the questionnaire wording, so it
lives in templates (`fieldwork/letters/text_<language>.html`) rather than in gettext fragments;
the sender's details come from `wave.letter`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from defus.instrument.definition import standard_instrument

from ..models import SamplePerson, Wave
from .codes import format_code
from .sample import persons
from .waves import open_link_url

LANGUAGES: dict[str, str] = {"de": "Deutsch", "en": "English", "fr": "Français"}
KINDS = ("invitation", "reminder")
# How the sender's details are named on the wave form (keys of Wave.letter).
LETTER_FIELDS = ("sender", "department", "contact", "signature")
# Register salutations → the form of address used in the letter.
FEMALE = {"frau", "fr.", "ms", "ms.", "mrs", "mrs.", "miss", "mme", "mme.", "madame"}
MALE = {"herr", "herrn", "hr.", "mr", "mr.", "m.", "monsieur"}
SPECIMEN_CODE = "A7K9M-3XWQP"
LETTERS_PER_PDF = 2000


def letters_per_pdf() -> int:
    """Letters per PDF part (setting DEFUS_LETTERS_PER_PDF, default LETTERS_PER_PDF)."""
    return max(1, int(getattr(settings, "DEFUS_LETTERS_PER_PDF", LETTERS_PER_PDF)))


class LettersError(Exception):
    """Letters cannot be printed now; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Letter:
    address: tuple[str, ...]
    greeting: str
    code: str  # as printed: XXXXX-XXXXX
    qr_svg: str
    qr_url: str


def public_survey_url() -> str:
    """The web address printed on letters (respondents type it)."""
    return settings.DEFUS_PUBLIC_URL.rstrip("/") + "/s/"


def code_url(code: str) -> str:
    """What the QR code carries: the survey address with the code filled in."""
    return f"{public_survey_url()}?code={code}"


def qr_svg(data: str) -> str:
    """An inline SVG QR code (error correction M, 4-module quiet zone), scaled by CSS."""
    return segno.make(data, error="m", micro=False).svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None
    )


def greeting(salutation: str, first_name: str, last_name: str, language: str) -> str:
    kind = salutation.strip().casefold()
    full = f"{first_name} {last_name}".strip()
    if language == "de":
        if kind in FEMALE:
            return f"Sehr geehrte Frau {last_name},"
        if kind in MALE:
            return f"Sehr geehrter Herr {last_name},"
        return f"Guten Tag {full},"
    if language == "fr":
        if kind in FEMALE:
            return "Madame,"
        if kind in MALE:
            return "Monsieur,"
        return f"Bonjour {full},"
    if kind in FEMALE:
        return f"Dear Ms {last_name},"
    if kind in MALE:
        return f"Dear Mr {last_name},"
    return f"Dear {full},"


def address_lines(person: SamplePerson) -> tuple[str, ...]:
    """The postal address (German conventions, whatever the letter's language)."""
    kind = person.salutation.strip().casefold()
    form = "Frau " if kind in FEMALE else "Herrn " if kind in MALE else ""
    name = f"{form}{person.first_name} {person.last_name}".replace("  ", " ").strip()
    return (name, person.street, f"{person.postcode} {person.city}".strip())


def _letter(person: SamplePerson, language: str) -> Letter:
    code = person.access_code.code
    return Letter(
        address=address_lines(person),
        greeting=greeting(person.salutation, person.first_name, person.last_name, language),
        code=format_code(code),
        qr_svg=qr_svg(code_url(code)),
        qr_url=code_url(code),
    )


def render_letters_html(
    wave: Wave,
    letters: Sequence[Letter],
    *,
    kind: str,
    language: str,
    today: date | None = None,
) -> str:
    """The HTML of all letters, one page each (also useful to check the wording)."""
    if language not in LANGUAGES:
        raise LettersError(
            _("Letters are available in %(languages)s.") % {"languages": ", ".join(LANGUAGES)}
        )
    if kind not in KINDS:
        raise ValueError(kind)
    today = today or timezone.localdate()
    details = {key: str((wave.letter or {}).get(key, "")).strip() for key in LETTER_FIELDS}
    organisation = wave.organisation.name
    sender = details["sender"] or organisation
    try:
        offered = standard_instrument(wave.instrument_key, wave.instrument_version).languages
    except LookupError:
        offered = ("de",)
    with translation.override(language):
        context = {
            "wave": wave,
            "kind": kind,
            "language": language,
            "letters": letters,
            "organisation": organisation,
            "sender": sender,
            "department": [line for line in details["department"].splitlines() if line.strip()]
            or [organisation],
            "contact": [line for line in details["contact"].splitlines() if line.strip()],
            "signature": [line for line in details["signature"].splitlines() if line.strip()],
            "date": formats.date_format(today, "j. F Y" if language == "de" else "j F Y"),
            "deadline": formats.date_format(
                wave.field_end, "j. F Y" if language == "de" else "j F Y"
            ),
            "survey_url": public_survey_url(),
            "survey_address": public_survey_url().split("://", 1)[-1],
            "other_languages": [lang for lang in offered if lang != language and lang in LANGUAGES],
            "open_link": open_link_url(wave),
            "text_template": f"fieldwork/letters/text_{language}.html",
        }
        return render_to_string("fieldwork/letters/letters.html", context)


def html_to_pdf(html: str) -> bytes:
    """One WeasyPrint call; nothing is fetched from outside (only data: URLs)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=["data"])
    return bytes(HTML(string=html, url_fetcher=fetcher).write_pdf())


def letter_parts(wave: Wave) -> list[tuple[int, int, int]]:
    """(part number, first, last) positions in the sample's file order, letters_per_pdf() each."""
    size = SamplePerson.objects.filter(wave=wave).count()
    per_pdf = letters_per_pdf()
    return [
        (number, start + 1, min(start + per_pdf, size))
        for number, start in enumerate(range(0, size, per_pdf), start=1)
    ]


def _people(wave: Wave, part: int | None, *, only_unused: bool) -> list[SamplePerson]:
    query = persons(wave, only_unused=only_unused)
    if part is not None:
        per_pdf = letters_per_pdf()
        lines = (
            list(
                SamplePerson.objects.filter(wave=wave)
                .order_by("line")
                .values_list("line", flat=True)[(part - 1) * per_pdf : part * per_pdf]
            )
            if part >= 1
            else []
        )
        if not lines:
            raise LettersError(_("There is no part %(part)s.") % {"part": part})
        query = query.filter(line__gte=lines[0], line__lte=lines[-1])
    return list(query)


def _check_printable(wave: Wave) -> None:
    if wave.sample_deleted_on:
        raise LettersError(
            _(
                "The sample of this wave was deleted on %(day)s: names and addresses are gone, "
                "so no letters can be printed."
            )
            % {"day": wave.sample_deleted_on.isoformat()}
        )


def letters_pdf(
    wave: Wave, people: Iterable[SamplePerson], *, kind: str, language: str = "de"
) -> bytes:
    letters = [_letter(person, language) for person in people]
    return html_to_pdf(render_letters_html(wave, letters, kind=kind, language=language))


def invitation_letters_pdf(wave: Wave, language: str = "de", *, part: int | None = None) -> bytes:
    """Invitation letters for every person of the sample (or of one part), in file order."""
    _check_printable(wave)
    if part is not None and not SamplePerson.objects.filter(wave=wave).exists():
        raise LettersError(_("The wave has no sample yet; import it first."))
    people = _people(wave, part, only_unused=False)
    if not people:
        raise LettersError(_("The wave has no sample yet; import it first."))
    pdf = letters_pdf(wave, people, kind="invitation", language=language)
    if wave.invitations_printed_on is None:
        wave.invitations_printed_on = timezone.localdate()
        wave.save(update_fields=["invitations_printed_on"])
    return pdf


def reminder_letters_pdf(wave: Wave, language: str = "de", *, part: int | None = None) -> bytes:
    """Reminders for exactly the persons whose code is unused (in the whole sample or in one
    part); marks them reminded today."""
    _check_printable(wave)
    if not SamplePerson.objects.filter(wave=wave).exists():
        raise LettersError(_("The wave has no sample yet; import it first."))
    people = _people(wave, part, only_unused=True)
    if not people and part is not None:
        raise LettersError(
            _("Every access code in part %(part)d has been used: no reminders are needed.")
            % {"part": part}
        )
    if not people:
        raise LettersError(_("Every access code has been used: no reminders are needed."))
    pdf = letters_pdf(wave, people, kind="reminder", language=language)
    SamplePerson.objects.filter(pk__in=[p.pk for p in people]).update(
        reminded_on=timezone.localdate()
    )
    return pdf


def specimen_pdf(wave: Wave, *, kind: str = "invitation", language: str = "de") -> bytes:
    """One letter to a made-up person, to check wording and sender details before printing."""
    letter = Letter(
        address=("Frau Erika Mustermann", "Heidestraße 17", "51147 Musterstadt"),
        greeting=greeting("Frau", "Erika", "Mustermann", language),
        code=SPECIMEN_CODE,
        qr_svg=qr_svg(code_url(SPECIMEN_CODE.replace("-", ""))),
        qr_url=code_url(SPECIMEN_CODE.replace("-", "")),
    )
    html = render_letters_html(wave, [letter], kind=kind, language=language)
    return html_to_pdf(html)
