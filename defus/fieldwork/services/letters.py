"""Invitation and reminder letters as one PDF for the print shop or the office printer.

One A4 page per person, laid out after DIN 5008 (form B): the address in the window of a DL/C5
envelope with the sender's return line above it, an information block with the date and a
contact on the right, fold and hole marks at the left edge. The letter invites to the survey,
says why the person was chosen, promises anonymity truthfully (the code only serves to spare
people who answered a reminder; it cannot be linked to the answers), prints the access code
large, the web address and a QR code that carries the code, and the paper option.

The letter is laid out by WeasyPrint once per PDF (once per form of address in French, whose
closing formula follows it), with empty slots where the personal parts go: the address, the
salutation line, the access code and the QR code. These are then stamped onto a copy of that
page for each person (services/pdfstamp.py) in the same fonts, so a whole sample is one PDF:
about 5 ms and 2 kB of memory per letter instead of 90 ms and 1 MB when every letter was laid
out. `render_letters_html` + `html_to_pdf` still lay out complete letters (the reference the
tests compare the stamped letters with). Samples larger than `letters_per_pdf()` (setting
DEFUS_LETTERS_PER_PDF, default 20,000) are printed in parts in file order (`part=1, 2, …`).

The letter wording is a whole official text per language, like the questionnaire wording, so it
lives in templates (`fieldwork/letters/text_<language>.html`) rather than in gettext fragments;
the sender's details come from `wave.letter`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from defus.instrument.definition import standard_instrument

from ..models import SamplePerson, Wave
from . import pdfstamp
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
LETTERS_PER_PDF = 20000
MM = 72 / 25.4  # points per millimetre


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
    form: str = ""  # "female", "male" or "" (neutral): the French closing follows it


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


def form_of_address(salutation: str) -> str:
    kind = salutation.strip().casefold()
    return "female" if kind in FEMALE else "male" if kind in MALE else ""


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
        form=form_of_address(person.salutation),
    )


# --- slots for the personal parts (see services/pdfstamp.py) --------------------------------

ADDRESS_SLOTS = ("stamp-address-1", "stamp-address-2", "stamp-address-3")


def _slot(slot_id: str) -> SafeString:
    return mark_safe(f'<span class="stamp" id="{slot_id}"></span>')


def _template_letter(form: str) -> Letter:
    """A letter whose personal parts are empty slots (the page every letter is stamped on)."""
    return Letter(
        address=tuple(_slot(slot) for slot in ADDRESS_SLOTS),
        greeting=_slot("stamp-greeting"),
        code=_slot("stamp-code"),
        qr_svg=mark_safe('<div class="qr" id="stamp-qr"></div>'),
        qr_url="",
        form=form,
    )


def _slots(wave: Wave) -> dict[str, pdfstamp.Slot]:
    """How each slot is filled, after the CSS of letters.html (sizes in points)."""
    address = pdfstamp.TextSlot("sans", 10.5, max_width=75 * MM, min_size=7)
    slots: dict[str, pdfstamp.Slot] = dict.fromkeys(ADDRESS_SLOTS, address)
    slots["stamp-greeting"] = pdfstamp.TextSlot("sans", 10, max_width=165 * MM)
    if wave.mode_web:
        slots["stamp-code"] = pdfstamp.TextSlot(
            "mono-bold", 20, max_width=110 * MM, letter_spacing=1.5
        )
        slots["stamp-qr"] = pdfstamp.QrSlot(error="m")
    else:  # the code inline in the text; its slot reserves 11 characters
        slots["stamp-code"] = pdfstamp.TextSlot("mono-bold", 10)
    return slots


def _values(letter: Letter, code: str, wave: Wave) -> dict[str, str]:
    values = dict(zip(ADDRESS_SLOTS, letter.address, strict=False))
    values["stamp-greeting"] = letter.greeting
    values["stamp-code"] = letter.code
    if wave.mode_web:
        values["stamp-qr"] = code_url(code)
    return values


@cache
def _fonts() -> pdfstamp.FontFiles | None:
    try:
        return pdfstamp.find_fonts()
    except pdfstamp.FontsMissing:
        return None


def render_letters_html(
    wave: Wave,
    letters: Sequence[Letter],
    *,
    kind: str,
    language: str,
    today: date | None = None,
) -> str:
    """The HTML of all letters, one page each (also useful to check the wording). With the
    letters of `_template_letter` it is the page that personal parts are stamped on."""
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
            "font_faces": mark_safe(fonts.css()) if (fonts := _fonts()) else "",
        }
        return render_to_string("fieldwork/letters/letters.html", context)


def html_to_pdf(html: str) -> bytes:
    """Complete letters in one WeasyPrint call (slow: the reference for the stamped letters);
    nothing is fetched from outside (only data: URLs and the letter fonts)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fonts = _fonts()
    fetcher = fonts.fetcher() if fonts else URLFetcher(allowed_protocols=["data"])
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


@dataclass(frozen=True)
class Addressee:
    """Who a letter goes to: all that is personal on it."""

    code: str  # unformatted
    salutation: str
    first_name: str
    last_name: str
    address: tuple[str, ...]

    @classmethod
    def of(cls, person: SamplePerson) -> Addressee:
        return cls(
            code=person.access_code.code,
            salutation=person.salutation,
            first_name=person.first_name,
            last_name=person.last_name,
            address=address_lines(person),
        )


def letters_pdf(
    wave: Wave, people: Iterable[SamplePerson], *, kind: str, language: str = "de"
) -> bytes:
    """One page per person, in the given order: the letter laid out once, the personal parts
    stamped on (see the module docstring)."""
    return stamped_letters_pdf(
        wave, [Addressee.of(person) for person in people], kind=kind, language=language
    )


def stamped_letters_pdf(
    wave: Wave, addressees: Sequence[Addressee], *, kind: str, language: str
) -> bytes:
    """One page per addressee, in order. A letter whose name or address needs what only
    WeasyPrint does (right-to-left scripts, combining marks, fonts beyond ours; see
    `pdfstamp.stampable`) is laid out in full instead; that is rare and slow (90 ms)."""
    fonts = _fonts()
    if fonts is None:
        raise LettersError(
            _(
                "No fonts for the letters are installed on the server "
                "(Debian: fonts-liberation or fonts-dejavu-core)."
            )
        )
    # French closes with "Madame"/"Monsieur"/"Madame, Monsieur": one page per form used.
    if language == "fr":
        forms = sorted({form_of_address(a.salutation) for a in addressees})
    else:
        forms = [""]
    template = {form: index for index, form in enumerate(forms)}
    pages: list[pdfstamp.StampedPage] = []
    laid_out: list[Letter] = []  # letters with text that only WeasyPrint can set right
    for addressee in addressees:
        letter = Letter(
            address=addressee.address,
            greeting=greeting(
                addressee.salutation, addressee.first_name, addressee.last_name, language
            ),
            code=format_code(addressee.code),
            qr_svg="",
            qr_url="",
            form=form_of_address(addressee.salutation),
        )
        if all(pdfstamp.stampable(text, fonts) for text in (*letter.address, letter.greeting)):
            form = letter.form if language == "fr" else ""
            pages.append(
                pdfstamp.StampedPage(template[form], _values(letter, addressee.code, wave))
            )
        else:
            url = code_url(addressee.code)
            laid_out.append(replace(letter, qr_svg=qr_svg(url), qr_url=url))
            pages.append(pdfstamp.StampedPage(len(forms) + len(laid_out) - 1, {}))
    templates = [_template_letter(form) for form in forms]
    html = render_letters_html(wave, templates + laid_out, kind=kind, language=language)
    return pdfstamp.stamped_pdf(html, pages, _slots(wave), fonts)


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
    """One letter to a made-up person, made exactly as the real ones, to check wording and
    sender details before printing."""
    specimen = Addressee(
        code=SPECIMEN_CODE.replace("-", ""),
        salutation="Frau",
        first_name="Erika",
        last_name="Mustermann",
        address=("Frau Erika Mustermann", "Heidestraße 17", "51147 Musterstadt"),
    )
    return stamped_letters_pdf(wave, [specimen], kind=kind, language=language)
