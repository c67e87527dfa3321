"""Reading the CSV files people bring from their own systems — one reader for every import.

Districts, places, the sample from the residents' register and answers from other tools all
arrive as CSV written by Excel, LibreOffice, register software or scripts. `read_csv` accepts
what those produce and turns everything else into one clear `CsvError` message:

- encodings: UTF-8 (with or without the byte order mark Excel writes), UTF-16 with BOM (Excel's
  "Unicode text"), otherwise Windows-1252 (a superset of Latin-1 for text; German Excel's
  default "CSV (Trennzeichen-getrennt)") and, for bytes even cp1252 leaves undefined, Latin-1;
- delimiters: comma, semicolon (German Excel) or tab, detected from the header line;
- quoted fields with delimiters or line breaks inside, as the csv module reads them;
- whitespace around header names and values is stripped, text is normalised to Unicode NFC
  (so "Müller" typed on a Mac and on Windows compare equal), blank lines and rows of empty
  cells (Excel's trailing ";;;;") are skipped;
- limits: `MAX_BYTES` (20 MB) and `MAX_ROWS` (200,000 data rows); files over them are refused
  with a message, before anything is imported;
- binary files (a spreadsheet saved as .xlsx, a PDF, an image) are refused with a message.

Header names are compared case-insensitively. An importer may pass `aliases` that map other
spellings (for example the German "PLZ") to its own column names; two headers meaning the
same column are an error. Every data row keeps its line number in the file (the line where
the record starts, counting the header as line 1), so importers can report "line 17: …".

Usage::

    try:
        table = read_csv(data, ["code", "name"], aliases={"bezeichnung": "name"})
    except CsvError as error:
        show(error.message)
    for row in table.rows:
        row.line, row["code"], row.get("kind")

Row problems found by an importer are collected as `RowError(line, message)`; `str()` of it
gives the translated "line 17: …" text.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
DELIMITERS = (";", ",", "\t")
# Characters that never occur in a text file; finding them means the file is not CSV.
_BINARY_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r", "\f"}


class CsvError(Exception):
    """The file cannot be read as a table; `message` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class RowError:
    """A problem with one line of an imported file (`line` None: the file as a whole)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class CsvRow:
    """One data row: its line in the file and its values by (canonical) column name."""

    line: int
    values: Mapping[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def get(self, column: str, default: str = "") -> str:
        return self.values.get(column, default)


@dataclass
class CsvTable:
    """The rows of a CSV file with what was detected about it."""

    columns: list[str]  # canonical names, in file order
    rows: list[CsvRow]
    encoding: str
    delimiter: str
    headers: dict[str, str] = field(default_factory=dict)  # canonical name → header as written
    # Data rows with more cells than the header has columns; importers report them.
    overlong: list[RowError] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[CsvRow]:
        return iter(self.rows)


def read_upload(upload: Any, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of an uploaded file (Django UploadedFile or any binary file object).

    Reads at most `max_bytes` + 1 bytes, so a huge upload is refused without reading it all.
    """
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise CsvError(_too_large(max_bytes))
    return bytes(data)


def _too_large(max_bytes: int) -> str:
    return _("The file is larger than %(size)s MB. Please split it or remove unused columns.") % {
        "size": f"{max_bytes / (1024 * 1024):g}"
    }


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a text file; raise CsvError for binary content."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _check_text(data.decode("utf-16"), "UTF-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise CsvError(_not_text()) from error
    if b"\x00" in data[:65536]:
        raise CsvError(_not_text())
    try:
        text, encoding = data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "Latin-1"
    return _check_text(text, encoding), encoding


def _not_text() -> str:
    return _(
        "This does not look like a CSV file. In Excel or LibreOffice, save the sheet as "
        "“CSV (comma or semicolon separated)” and upload that file."
    )


def _check_text(text: str, encoding: str) -> str:
    sample = text[:65536]
    if sample and sum(ch in _BINARY_CONTROL for ch in sample) > max(2, len(sample) // 1000):
        raise CsvError(_not_text())
    return text


def detect_delimiter(header_line: str) -> str:
    """The delimiter of a CSV file from its header line: the most frequent of ; , and tab."""
    counts = {delimiter: _count_outside_quotes(header_line, delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", value.replace("\ufeff", "")).strip()


def header_key(name: str) -> str:
    """How header names are compared: stripped, NFC, case-folded, inner spaces collapsed."""
    return " ".join(_clean(name).casefold().split())


def read_csv(
    data: bytes,
    required_columns: Sequence[str] = (),
    *,
    aliases: Mapping[str, str] | None = None,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> CsvTable:
    """Read a CSV file into rows of stripped strings keyed by canonical column name.

    `required_columns` are canonical names (lower case) that must be in the header.
    `aliases` maps other header spellings (compared with `header_key`) to canonical names.
    Columns that are neither required nor aliased keep their `header_key` as name.
    Raises CsvError for anything that makes the file unusable as a whole: too large, too many
    rows, not text, no header, a required column missing, two columns with the same meaning.
    """
    if len(data) > max_bytes:
        raise CsvError(_too_large(max_bytes))
    text, encoding = decode(data)
    if not text.strip():
        raise CsvError(_("The file is empty."))
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = detect_delimiter(first_line)
    alias_map = {header_key(k): v for k, v in (aliases or {}).items()}
    alias_map.update({header_key(c): c for c in required_columns})

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    columns: list[str] = []
    headers: dict[str, str] = {}
    rows: list[CsvRow] = []
    overlong: list[RowError] = []
    previous_end = 0
    try:
        for record in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            cells = [_clean(cell) for cell in record]
            if not any(cells):
                continue
            if not columns:
                columns = _header(cells, alias_map, headers)
                continue
            if len(rows) >= max_rows:
                raise CsvError(
                    _("The file has more than %(count)s data rows; please split it.")
                    % {"count": f"{max_rows:,}"}
                )
            if len(cells) > len(columns) and any(cells[len(columns) :]):
                overlong.append(
                    RowError(
                        line,
                        ngettext(
                            "the row has %(cells)d cells but the header has %(count)d column",
                            "the row has %(cells)d cells but the header has %(count)d columns",
                            len(columns),
                        )
                        % {"cells": len(cells), "count": len(columns)},
                    )
                )
            values = {
                name: (cells[i] if i < len(cells) else "") for i, name in enumerate(columns) if name
            }
            rows.append(CsvRow(line, values))
    except csv.Error as error:
        raise CsvError(
            _("line %(line)d: the file cannot be read as CSV (%(reason)s).")
            % {"line": previous_end + 1, "reason": str(error)}
        ) from error

    missing = [c for c in required_columns if c not in headers]
    if missing:
        raise CsvError(
            _(
                "Missing columns: %(missing)s. The first line of the file must name the "
                "columns; found: %(found)s."
            )
            % {
                "missing": ", ".join(missing),
                "found": ", ".join(headers.values()) or "–",
            }
        )
    return CsvTable(
        columns=[c for c in columns if c],
        rows=rows,
        encoding=encoding,
        delimiter=delimiter,
        headers=headers,
        overlong=overlong,
    )


def _header(cells: list[str], alias_map: Mapping[str, str], headers: dict[str, str]) -> list[str]:
    columns: list[str] = []
    for cell in cells:
        if not cell:
            columns.append("")  # an unnamed column (e.g. Excel's trailing ";") is ignored
            continue
        key = header_key(cell)
        name = alias_map.get(key, key)
        if name in headers and header_key(headers[name]) == key:
            raise CsvError(_("The column “%(name)s” appears twice.") % {"name": cell})
        if name in headers:
            raise CsvError(
                _("The columns “%(first)s” and “%(second)s” mean the same; keep only one of them.")
                % {"first": headers[name], "second": cell}
            )
        headers[name] = cell
        columns.append(name)
    return columns


def write_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A small CSV text (comma-separated, UTF-8) — used for the example files."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
