"""The shared CSV reader: encodings, delimiters, line numbers, limits, garbage."""

from __future__ import annotations

import codecs

import pytest

from defus.fieldwork.services.csvfiles import (
    CsvError,
    RowError,
    detect_delimiter,
    read_csv,
    read_upload,
)

pytestmark = pytest.mark.usefixtures("english")


TEXT = "code;name\nN1;Nördliche Vorstadt\nS2;Süd\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("cp1252"),
        TEXT.encode("latin-1"),
        TEXT.encode("utf-16"),  # Excel's "Unicode text" has a BOM
        TEXT.replace(";", ",").encode("utf-8"),
        TEXT.replace(";", "\t").encode("utf-8"),
        TEXT.replace("\n", "\r\n").encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "cp1252", "latin1", "utf16", "comma", "tab", "crlf"],
)
def test_every_common_export_reads_the_same(data):
    table = read_csv(data, ["code", "name"])
    assert [(row.line, row["code"], row["name"]) for row in table] == [
        (2, "N1", "Nördliche Vorstadt"),
        (3, "S2", "Süd"),
    ]


def test_encoding_and_delimiter_are_reported():
    table = read_csv(TEXT.encode("cp1252"), ["code"])
    assert (table.encoding, table.delimiter) == ("Windows-1252", ";")
    assert read_csv(codecs.BOM_UTF8 + b"a,b\n1,2\n").encoding == "UTF-8"


def test_whitespace_blank_lines_and_excel_empty_rows_are_tolerated():
    data = b" Code ; NAME \n\n N1 ;  Nord  \n;;\n\nS2;Sued\n\n\n"
    table = read_csv(data, ["code", "name"])
    assert [(r.line, r["code"], r["name"]) for r in table] == [(3, "N1", "Nord"), (6, "S2", "Sued")]


def test_line_numbers_follow_quoted_line_breaks():
    data = b'code,name\nN1,"two\nlines"\nS2,plain\n'
    table = read_csv(data, ["code", "name"])
    assert [(r.line, r["name"]) for r in table] == [(2, "two\nlines"), (4, "plain")]


def test_aliases_map_german_headers_and_duplicates_are_refused():
    table = read_csv("PLZ;Ort\n12345;Köln\n".encode(), ["postcode"], aliases={"plz": "postcode"})
    assert table.rows[0]["postcode"] == "12345"
    assert table.headers["postcode"] == "PLZ"
    assert table.rows[0]["ort"] == "Köln"  # not aliased: kept under its own (folded) name
    with pytest.raises(CsvError, match="mean the same"):
        read_csv(b"Name;Nachname\nA;B\n", aliases={"name": "last_name", "nachname": "last_name"})


def test_missing_columns_are_named():
    with pytest.raises(CsvError) as error:
        read_csv(b"code;title\nN1;x\n", ["code", "name"])
    assert "name" in error.value.message
    assert "title" in error.value.message  # the header found is shown


def test_rows_longer_than_the_header_are_reported_with_their_line():
    table = read_csv(b"a,b\n1,2\n1,2,3\n", ["a"])
    assert [str(e) for e in table.overlong] == [
        "line 3: the row has 3 cells but the header has 2 columns"
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 10,  # an .xlsx file
        bytes(range(1, 32)) * 200,
    ],
)
def test_binary_garbage_gives_a_message_not_an_exception(data):
    with pytest.raises(CsvError, match="does not look like a CSV file"):
        read_csv(data, ["code"])


def test_empty_file_and_header_only():
    with pytest.raises(CsvError, match="empty"):
        read_csv(b"  \n\n")
    assert len(read_csv(b"code,name\n", ["code"])) == 0


def test_size_and_row_limits():
    with pytest.raises(CsvError, match="larger than"):
        read_csv(b"a\n" + b"1\n" * 100, max_bytes=50)
    with pytest.raises(CsvError, match="more than 3 data rows"):
        read_csv(b"a\n1\n2\n3\n4\n", max_rows=3)
    assert len(read_csv(b"a\n1\n2\n3\n", max_rows=3)) == 3


def test_a_huge_field_is_a_message():
    with pytest.raises(CsvError, match="line 2"):
        read_csv(b'a,b\n1,"' + b"x" * 200_000 + b'"\n')


def test_read_upload_stops_at_the_limit(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 101)
    with path.open("rb") as handle, pytest.raises(CsvError, match="larger than"):
        read_upload(handle, max_bytes=100)
    with path.open("rb") as handle:
        assert len(read_upload(handle, max_bytes=101)) == 101


def test_delimiter_detection_ignores_quoted_delimiters():
    assert detect_delimiter('"a;b",c,d') == ","
    assert detect_delimiter("a;b;c") == ";"
    assert detect_delimiter("single") == ","


def test_row_error_text():
    assert str(RowError(17, "district 'X9' is unknown")) == "line 17: district 'X9' is unknown"
    assert str(RowError(None, "whole file")) == "whole file"
