"""The sample drawn from the residents' register: import, discard before letters, delete after.

One sample per wave. Its life:

1. `import_sample(wave, data)` reads the register's CSV. Every row is checked; if any row has a
   problem nothing is imported and every problem is returned with its line. A clean file is
   imported in one transaction: each person gets one single-use access code (unique across
   all waves), whose district is the person's district.
2. Until the first invitation letters are printed (and while no code has been used),
   `discard_sample(wave)` removes persons and codes, e.g. after importing the wrong file; a
   corrected file can then be imported.
3. Letters are printed (services/letters.py); from then on the codes are in the post.
4. After fieldwork `delete_sample(wave)` deletes every name and address in one transaction.
   The access codes stay with their district and the day they were used (response rates by
   district remain), and so do the answers. Letters can no longer be printed, and no new
   sample can be imported into that wave.

Columns (header names case-insensitive; German register names accepted):
salutation (Anrede), first_name (Vorname), last_name (Nachname, Name, Familienname),
street (Straße/Strasse, Anschrift), optional house_number (Hausnummer, Hausnr; appended to the
street), postcode (PLZ, Postleitzahl), city (Ort, Wohnort, Stadt), district (Stadtteil, Bezirk,
Stadtbezirk, Ortsteil — the district *code* of this wave).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AccessCode, District, SamplePerson, Wave
from .codes import new_codes
from .csvfiles import CsvError, RowError, read_csv, write_csv

REQUIRED_COLUMNS = ("last_name", "street", "postcode", "city", "district")
OPTIONAL_COLUMNS = ("salutation", "first_name", "house_number")
SAMPLE_COLUMNS = ("salutation", "first_name", "last_name", "street", "postcode", "city", "district")
HEADER_ALIASES = {
    "anrede": "salutation",
    "title": "salutation",
    "vorname": "first_name",
    "first name": "first_name",
    "firstname": "first_name",
    "given name": "first_name",
    "nachname": "last_name",
    "name": "last_name",
    "familienname": "last_name",
    "last name": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "straße": "street",  # casefolds to "strasse"
    "str.": "street",
    "anschrift": "street",
    "adresse": "street",
    "address": "street",
    "hausnummer": "house_number",
    "hausnr": "house_number",
    "hausnr.": "house_number",
    "hnr": "house_number",
    "house number": "house_number",
    "plz": "postcode",
    "postleitzahl": "postcode",
    "zip": "postcode",
    "postal code": "postcode",
    "ort": "city",
    "wohnort": "city",
    "stadt": "city",
    "town": "city",
    "stadtteil": "district",
    "bezirk": "district",
    "stadtbezirk": "district",
    "ortsteil": "district",
    "district code": "district",
    "district_code": "district",
}
DEFAULT_POSTCODE_PATTERN = r"^\d{4,5}$"
CODE_BATCH = 500


def _max(name: str) -> int:
    return getattr(SamplePerson._meta.get_field(name), "max_length", None) or 200


class SampleError(Exception):
    """The sample cannot be changed now; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class PersonRow:
    """One checked row of the register file."""

    line: int
    salutation: str
    first_name: str
    last_name: str
    street: str
    postcode: str
    city: str
    district: District


@dataclass(frozen=True)
class SampleState:
    """What the sample of a wave is, and what may be done with it now."""

    size: int  # persons with name and address (0 after deletion)
    codes: int  # access codes of the wave (stay after deletion)
    used: int
    reminded: int
    invitations_printed_on: date | None
    deleted_on: date | None

    @property
    def exists(self) -> bool:
        return self.size > 0

    @property
    def can_import(self) -> bool:
        return self.deleted_on is None and self.codes == 0

    @property
    def can_discard(self) -> bool:
        return self.exists and self.invitations_printed_on is None and self.used == 0

    @property
    def can_print(self) -> bool:
        return self.exists and self.deleted_on is None

    @property
    def unused(self) -> int:
        return self.codes - self.used

    @property
    def can_delete(self) -> bool:
        return self.exists and self.deleted_on is None


def sample_state(wave: Wave) -> SampleState:
    codes = AccessCode.objects.filter(wave=wave)
    wave.refresh_from_db(fields=["invitations_printed_on", "sample_deleted_on"])
    return SampleState(
        size=SamplePerson.objects.filter(wave=wave).count(),
        codes=codes.count(),
        used=codes.filter(used=True).count(),
        reminded=SamplePerson.objects.filter(wave=wave, reminded_on__isnull=False).count(),
        invitations_printed_on=wave.invitations_printed_on,
        deleted_on=wave.sample_deleted_on,
    )


def import_refusal(wave: Wave) -> str | None:
    """Why no sample can be imported into the wave now (None: it can)."""
    if wave.sample_deleted_on:
        return _(
            "The sample of this wave was deleted on %(day)s; a wave cannot get a new sample. "
            "Create a new wave for a new survey."
        ) % {"day": wave.sample_deleted_on.isoformat()}
    count = AccessCode.objects.filter(wave=wave).count()
    if count:
        return _(
            "This wave already has a sample of %(count)d persons. One sample per wave: to "
            "replace it, discard it first (possible until invitation letters are printed)."
        ) % {"count": count}
    if not wave.districts.exists():
        return _("The wave has no districts yet.")
    return None


def example_csv() -> str:
    rows = [
        ["Frau", "Erika", "Mustermann", "Heidestraße 17", "51147", "Köln", "01"],
        ["Herr", "Max", "Müller", "Am Markt 3a", "51147", "Köln", "02"],
        ["", "Alex", "Schmidt", "Lindenweg 5", "51149", "Köln", "03"],
    ]
    return write_csv(SAMPLE_COLUMNS, rows)


def _postcode_pattern() -> re.Pattern[str]:
    return re.compile(getattr(settings, "DEFUS_POSTCODE_PATTERN", DEFAULT_POSTCODE_PATTERN))


def _person_key(values: dict[str, str]) -> tuple[str, ...]:
    def norm(text: str) -> str:
        text = text.casefold().replace("straße", "str").replace("strasse", "str")
        return re.sub(r"[\s.\-]+", "", text)

    return tuple(norm(values[k]) for k in ("first_name", "last_name", "street", "postcode"))


def check_sample(wave: Wave, data: bytes) -> tuple[list[PersonRow], list[RowError]]:
    """Every row of the file as field values for a SamplePerson, or every problem."""
    try:
        table = read_csv(data, REQUIRED_COLUMNS, aliases=HEADER_ALIASES)
    except CsvError as error:
        return [], [RowError(None, error.message)]
    if not table.rows:
        return [], [RowError(None, _("The file has a header but no persons."))]
    districts = {d.code: d for d in District.objects.filter(wave=wave)}
    folded = {code.casefold(): d for code, d in districts.items()}
    postcode = _postcode_pattern()
    errors: list[RowError] = list(table.overlong)
    people: list[PersonRow] = []
    seen: dict[tuple[str, ...], int] = {}
    for row in table.rows:
        values = {name: row.get(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
        if values["house_number"]:
            values["street"] = f"{values['street']} {values['house_number']}".strip()
        problems: list[str] = []
        for name, label in (
            ("last_name", _("last name")),
            ("street", _("street")),
            ("postcode", _("postcode")),
            ("city", _("city")),
            ("district", _("district")),
        ):
            if not values[name]:
                problems.append(_("%(field)s is missing") % {"field": label})
        for name, label in (
            ("salutation", _("salutation")),
            ("first_name", _("first name")),
            ("last_name", _("last name")),
            ("street", _("street")),
            ("postcode", _("postcode")),
            ("city", _("city")),
        ):
            if len(values[name]) > _max(name):
                problems.append(
                    _("%(field)s is longer than %(max)d characters")
                    % {"field": label, "max": _max(name)}
                )
        if values["postcode"] and not postcode.match(values["postcode"]):
            problems.append(
                _("postcode “%(value)s” is not a valid postcode (4 or 5 digits)")
                % {"value": values["postcode"]}
            )
        district = None
        if values["district"]:
            district = districts.get(values["district"]) or folded.get(
                values["district"].casefold()
            )
            if district is None:
                problems.append(
                    _("district “%(code)s” is not a district of this wave")
                    % {"code": values["district"]}
                )
        if not problems:
            key = _person_key(values)
            if key in seen:
                problems.append(
                    _("the same person with the same address is already in line %(line)d")
                    % {"line": seen[key]}
                )
            else:
                seen[key] = row.line
        errors.extend(RowError(row.line, p) for p in problems)
        if not problems and district is not None:
            people.append(
                PersonRow(
                    line=row.line,
                    salutation=values["salutation"],
                    first_name=values["first_name"],
                    last_name=values["last_name"],
                    street=values["street"],
                    postcode=values["postcode"],
                    city=values["city"],
                    district=district,
                )
            )
    return people, errors


def _fresh_codes(count: int) -> list[str]:
    """`count` codes not yet in the AccessCode table (across all waves)."""
    codes = new_codes(count)
    while True:
        taken: set[str] = set()
        for start in range(0, len(codes), CODE_BATCH):
            chunk = codes[start : start + CODE_BATCH]
            taken.update(AccessCode.objects.filter(code__in=chunk).values_list("code", flat=True))
        if not taken:
            return codes
        keep = [c for c in codes if c not in taken]
        codes = keep + new_codes(len(taken), existing=set(codes))


def import_sample(wave: Wave, data: bytes) -> ImportResult:
    """Import the sample from CSV bytes: all rows or none (see the module docstring)."""
    refusal = import_refusal(wave)
    if refusal:
        return ImportResult(errors=[RowError(None, refusal)])
    people, errors = check_sample(wave, data)
    if errors:
        return ImportResult(errors=errors)
    for attempt in range(3):
        try:
            with transaction.atomic():
                refusal = import_refusal(Wave.objects.select_for_update().get(pk=wave.pk))
                if refusal:
                    return ImportResult(errors=[RowError(None, refusal)])
                _create(wave, people)
            return ImportResult(created=len(people))
        except IntegrityError:  # a code taken by a concurrent import in another wave
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _create(wave: Wave, people: list[PersonRow]) -> None:
    codes = _fresh_codes(len(people))
    AccessCode.objects.bulk_create(
        [
            AccessCode(wave=wave, code=code, district=person.district)
            for code, person in zip(codes, people, strict=True)
        ],
        batch_size=CODE_BATCH,
    )
    # The wave had no codes before (see import_refusal), so these are exactly the new ones.
    by_code = dict(AccessCode.objects.filter(wave=wave).values_list("code", "pk"))
    SamplePerson.objects.bulk_create(
        [
            SamplePerson(
                wave=wave,
                access_code_id=by_code[code],
                line=person.line,
                salutation=person.salutation,
                first_name=person.first_name,
                last_name=person.last_name,
                street=person.street,
                postcode=person.postcode,
                city=person.city,
                district=person.district,
            )
            for code, person in zip(codes, people, strict=True)
        ],
        batch_size=CODE_BATCH,
    )


def discard_sample(wave: Wave) -> int:
    """Remove the sample and its codes before any letter was printed; returns the count."""
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave.pk)
        state = sample_state(wave)
        if not state.exists:
            raise SampleError(_("The wave has no sample."))
        if not state.can_discard:
            raise SampleError(
                _(
                    "The sample can no longer be discarded: invitation letters have been "
                    "printed or codes have been used. Delete it after fieldwork instead."
                )
            )
        count = SamplePerson.objects.filter(wave=wave).delete()[0]
        AccessCode.objects.filter(wave=wave).delete()
    return count


def delete_sample(wave: Wave) -> int:
    """Delete every name and address of the wave's sample; codes and answers stay.

    Returns the number of persons deleted and sets `wave.sample_deleted_on`.
    """
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        if locked.sample_deleted_on:
            raise SampleError(
                _("The sample was already deleted on %(day)s.")
                % {"day": locked.sample_deleted_on.isoformat()}
            )
        count = SamplePerson.objects.filter(wave=locked).delete()[0]
        if not count:
            raise SampleError(_("The wave has no sample."))
        locked.sample_deleted_on = timezone.localdate()
        locked.save(update_fields=["sample_deleted_on"])
    wave.sample_deleted_on = locked.sample_deleted_on
    return count


def persons(wave: Wave, *, only_unused: bool = False) -> QuerySet[SamplePerson]:
    """The wave's sample in file order (with code and district), optionally only unused codes."""
    query = SamplePerson.objects.filter(wave=wave).select_related("access_code", "district")
    if only_unused:
        query = query.filter(access_code__used=False)
    return query.order_by("line")
