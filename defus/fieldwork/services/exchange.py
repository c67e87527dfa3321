"""Answers in and out as CSV: the export for analysis (with its codebook) and bulk import.

The export has one row per Response and these columns:

    response_id      1..n, numbered in a random order (never the stored id: exports must not
                     reveal the order in which answers were stored)
    mode             web | paper
    source           sample | open_link
    language         the questionnaire language (de, en, fr, …)
    completed_on     the day (YYYY-MM-DD)
    sample_district  the answer code of the sampling district, or empty
    <item codes>     one column per item in questionnaire order: the answer code, 1/0 for
                     multiple choice, the number, or the text; -9 (NO_ANSWER) when a question
                     was asked but not answered, -8 (NOT_APPLICABLE) when a filter skipped it

The import reads the same format (response_id is ignored; -9 and -8 mean missing) and is all
or nothing: every problem is reported as "line N, column X: reason" and nothing is stored
unless the whole file is clean. Each row becomes a Response through `record_response`, the
one way answers are stored, with no access code.

With `excel=True` the files are written for spreadsheet programs: UTF-8 with a byte order
mark, semicolons, and text answers that a spreadsheet would run as a formula (=, +, -, @)
prefixed with an apostrophe; the import removes that apostrophe again.
"""

from __future__ import annotations

import csv
import io
import random
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, TextIO

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from defus.instrument.answers import AnswerError, asked_items, clean_value, export_value
from defus.instrument.codebook import CODEBOOK_COLUMNS, codebook_rows
from defus.instrument.definition import NO_ANSWER, NOT_APPLICABLE, Item

from ..models import District, Response, Wave
from .csvfiles import CsvError, read_csv
from .paper import drop_not_asked, value_hint
from .responses import record_response

META_COLUMNS = ["response_id", "mode", "source", "language", "completed_on", "sample_district"]
REQUIRED_COLUMNS = ["mode", "source", "language", "completed_on"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000
MAX_REPORTED = 500  # problems listed for one import; the rest are counted
_CODE_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


# --- export -----------------------------------------------------------------------------------


def _writer(out: TextIO, excel: bool) -> Any:
    if excel:
        out.write("\ufeff")
        return csv.writer(out, delimiter=";", lineterminator="\r\n")
    return csv.writer(out, lineterminator="\n")


def _protect(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def shuffled_response_ids(wave: Wave) -> list[Any]:
    """The wave's Response ids in a fresh random order (the export's row order)."""
    ids = list(Response.objects.filter(wave=wave).values_list("pk", flat=True))
    random.SystemRandom().shuffle(ids)
    return ids


def _responses_in(ids: list[Any]) -> Iterator[Response]:
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found = Response.objects.select_related("sample_district").in_bulk(chunk)
        for pk in chunk:
            if pk in found:
                yield found[pk]


def export_responses_csv(
    wave: Wave, out: TextIO, *, language: str = "de", excel: bool = False
) -> int:
    """Write every Response of the wave to `out` (see the module docstring); return the count.

    The cells hold codes, so the file is the same in every language; `language` is accepted
    for symmetry with `export_codebook_csv`, which carries the labels.
    """
    instrument = wave.instrument
    items = instrument.items
    writer = _writer(out, excel)
    writer.writerow([*META_COLUMNS, *(item.code for item in items)])
    count = 0
    for count, response in enumerate(_responses_in(shuffled_response_ids(wave)), start=1):
        answers = response.answers or {}
        asked = asked_items(instrument, answers)
        values: list[Any] = [
            export_value(item, answers, asked.get(item.code, True)) for item in items
        ]
        if excel:
            values = [_protect(v) for v in values]
        district = response.sample_district
        writer.writerow(
            [
                count,
                response.mode,
                response.source,
                response.language,
                response.completed_on.isoformat(),
                district.answer_code if district is not None else "",
                *values,
            ]
        )
    return count


def _meta_codebook_rows(wave: Wave, language: str) -> list[dict[str, Any]]:
    """Codebook rows for the columns before the items, labelled in `language`."""
    rows: list[dict[str, Any]] = []

    def add(variable: str, kind: str, label: str, values: list[tuple[Any, str]]) -> None:
        base = {
            "variable": variable,
            "module": "",
            "question": "",
            "kind": kind,
            "label": label,
            "comparable": "yes",
        }
        for value, value_label in values or [("", "")]:
            rows.append(
                {**base, "value": value, "value_label": value_label, "value_type": "substantive"}
            )

    with translation.override(language):
        add(
            "response_id",
            "number",
            _("Row number (in random order; not an identifier of the answer)"),
            [],
        )
        add(
            "mode", "single", _("How the questionnaire was answered"), list(_choices(Response.Mode))
        )
        add(
            "source", "single", _("Where the respondent came from"), list(_choices(Response.Source))
        )
        add(
            "language",
            "single",
            _("Language of the questionnaire"),
            [(lang, lang) for lang in wave.instrument.languages],
        )
        add("completed_on", "date", _("Day the questionnaire was completed (YYYY-MM-DD)"), [])
        add(
            "sample_district",
            "single",
            _("District of the sample stratum (empty: not from the sample or not known)"),
            [(d.answer_code, d.name) for d in wave.districts.order_by("answer_code")],
        )
    return rows


def _choices(choices: Any) -> list[tuple[Any, str]]:
    return [(value, str(label)) for value, label in choices.choices]


def export_codebook_csv(
    wave: Wave, out: TextIO, language: str = "de", *, excel: bool = False
) -> int:
    """Write the codebook of the export (columns and items with their values); return rows."""
    if language not in wave.instrument.languages:
        language = wave.instrument.languages[0]
    rows = _meta_codebook_rows(wave, language) + codebook_rows(wave.instrument, language)
    writer = _writer(out, excel)
    writer.writerow(CODEBOOK_COLUMNS)
    for row in rows:
        writer.writerow([row.get(column, "") for column in CODEBOOK_COLUMNS])
    return len(rows)


def export_zip(wave: Wave, *, language: str = "de", excel: bool = False) -> IO[bytes]:
    """A ZIP with answers.csv and codebook.csv, as a binary file positioned at its start."""
    spooled = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(spooled, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, write in (
            ("answers.csv", export_responses_csv),
            ("codebook.csv", export_codebook_csv),
        ):
            with (
                archive.open(name, "w") as raw,
                io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
            ):
                write(wave, text, language=language, excel=excel)
    spooled.seek(0)
    return spooled


# --- import -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.column is None:
            return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}
        return _("line %(line)d, column %(column)s: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportResult:
    created: int = 0
    rows: int = 0
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)
    more_errors: int = 0  # problems beyond MAX_REPORTED, counted only
    more_warnings: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.more_errors

    def error(self, line: int | None, column: str | None, message: str) -> None:
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(ImportProblem(line, column, message))
        else:
            self.more_errors += 1

    def warn(self, line: int | None, column: str | None, message: str) -> None:
        if len(self.warnings) < MAX_REPORTED:
            self.warnings.append(ImportProblem(line, column, message))
        else:
            self.more_warnings += 1


@dataclass
class _Row:
    answers: dict[str, int | str]
    mode: str
    source: str
    language: str
    day: date
    district: District | None


def _parse_day(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _item_error(item: Item, raw: str, exc: AnswerError) -> str:
    if item.kind == "single":
        return _("%(value)s is not a code of item %(item)s (codes: %(codes)s, or -9 / -8).") % {
            "value": raw,
            "item": item.code,
            "codes": value_hint(item),
        }
    return f"{raw}: {exc}"


def _unprotect(item: Item, raw: str) -> str:
    if item.kind == "text" and raw.startswith("'") and raw[1:].startswith(FORMULA_START):
        return raw[1:]
    return raw


def import_responses(wave: Wave, data: bytes) -> ImportResult:
    """Store every row of an export-format CSV as a Response, or nothing if any row is wrong."""
    result = ImportResult()
    instrument = wave.instrument
    # Header names are compared case-insensitively; item columns keep the item's own code.
    aliases = {item.code: item.code for item in instrument.items}
    try:
        table = read_csv(data, REQUIRED_COLUMNS, aliases=aliases)
    except CsvError as error:
        result.error(None, None, error.message)
        return result
    for problem in table.overlong:
        result.error(problem.line, None, problem.message)

    items: list[Item] = []
    for name in table.columns:
        written = table.headers.get(name, name)
        if name in META_COLUMNS:
            continue
        item = instrument.item_index.get(name)
        if item is not None:
            items.append(item)
        elif _CODE_LIKE.match(written):
            result.error(
                1,
                written,
                _(
                    "unknown item code: %(item)s is not an item of this wave's questionnaire "
                    "(%(ident)s)."
                )
                % {"item": written, "ident": instrument.ident},
            )
        else:
            result.error(1, written, _("unknown column."))
    missing_items = [i.code for i in instrument.items if i not in items]
    if missing_items and items:
        result.warn(
            None,
            None,
            _("These items have no column and are stored as unanswered: %(items)s")
            % {"items": ", ".join(missing_items)},
        )
    if not result.ok:
        return result

    districts = {d.answer_code: d for d in wave.districts.all()}
    today = timezone.localdate()
    rows: list[_Row] = []
    for row in table.rows:
        result.rows += 1
        line = row.line

        def column(name: str, _row: Any = row) -> str:
            return str(_row.get(name, ""))

        mode = column("mode").lower()
        if mode not in Response.Mode.values:
            result.error(
                line, "mode", _("%(value)r is not web or paper.") % {"value": column("mode")}
            )
        source = column("source").lower()
        if source not in Response.Source.values:
            result.error(
                line,
                "source",
                _("%(value)r is not sample or open_link.") % {"value": column("source")},
            )
        language = column("language").lower()
        if language not in instrument.languages:
            result.error(
                line,
                "language",
                _("%(value)r is not a language of the questionnaire (%(languages)s).")
                % {"value": column("language"), "languages": ", ".join(instrument.languages)},
            )
        day = _parse_day(column("completed_on"))
        if day is None:
            result.error(
                line,
                "completed_on",
                _("%(value)r is not a date (YYYY-MM-DD).") % {"value": column("completed_on")},
            )
        elif day > today:
            result.error(line, "completed_on", _("the date lies in the future."))
        district = None
        raw_district = column("sample_district")
        if raw_district not in ("", str(NO_ANSWER), str(NOT_APPLICABLE)):
            try:
                district = districts[int(raw_district)]
            except (ValueError, KeyError):
                result.error(
                    line,
                    "sample_district",
                    _("%(value)r is not the code of a district of this wave.")
                    % {"value": raw_district},
                )
        answers: dict[str, int | str] = {}
        for item in items:
            raw = _unprotect(item, row.get(item.code))
            try:
                value = clean_value(item, raw)
            except AnswerError as exc:
                result.error(line, item.code, _item_error(item, raw, exc))
                continue
            if value is not None:
                answers[item.code] = value
        kept, dropped = drop_not_asked(instrument, answers)
        for code in dropped:
            result.warn(
                line,
                code,
                _("value left out: the question's filter does not apply (-8 expected)."),
            )
        if result.ok and day is not None:
            rows.append(_Row(kept, mode, source, language, day, district))
    if not result.rows:
        result.error(None, None, _("The file has no rows with answers."))
    if not result.ok:
        return result
    with transaction.atomic():
        for parsed in rows:
            record_response(
                wave,
                parsed.answers,
                mode=parsed.mode,
                language=parsed.language,
                sample_district=parsed.district,
                source=parsed.source,
                day=parsed.day,
            )
    result.created = len(rows)
    return result
