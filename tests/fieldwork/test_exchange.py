"""Export of answers (CSV + codebook, web ZIP) and the all-or-nothing import."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from typing import Any

import pytest

from defus.fieldwork.models import Response, Wave
from defus.fieldwork.services.exchange import (
    META_COLUMNS,
    export_codebook_csv,
    export_responses_csv,
    import_responses,
)
from defus.fieldwork.services.responses import record_response
from tests.fieldwork.test_paper_helpers import make_wave, wave, wave_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
__all__ = ["wave"]


DAY = datetime.date(2026, 3, 15)


def store(wave: Wave, answers: dict[str, Any], **extra: Any) -> Response:
    options: dict[str, Any] = {"mode": "web", "language": "de", "day": DAY, **extra}
    return record_response(wave, answers, **options)


def export_rows(wave: Wave, **options: Any) -> tuple[list[str], list[dict[str, str]]]:
    out = io.StringIO()
    export_responses_csv(wave, out, **options)
    reader = csv.DictReader(io.StringIO(out.getvalue()))
    return list(reader.fieldnames or []), list(reader)


def header(wave: Wave) -> str:  # the export's first line
    return ",".join([*META_COLUMNS, *(item.code for item in wave.instrument.items)])


def test_one_column_per_item_with_missing_codes(wave):
    store(
        wave,
        {"X1": 1, "X2_A": 1, "X2_B": 0, "X2_C": 0, "X3": "am Bahnhof, abends"},
        sample_district=wave.districts.get(answer_code=2),
        source="sample",
    )
    store(wave, {"X1": 2, "X4": 3}, mode="paper", language="en")
    columns, rows = export_rows(wave)
    assert columns == [*META_COLUMNS, *(item.code for item in wave.instrument.items)]
    yes = next(r for r in rows if r["X1"] == "1")
    no = next(r for r in rows if r["X1"] == "2")
    assert yes["X2_A"] == "1" and yes["X2_B"] == "0"
    assert yes["X3"] == "am Bahnhof, abends"
    assert yes["X4"] == "-9"  # asked, not answered
    assert yes["sample_district"] == "2" and yes["source"] == "sample"
    assert no["X2_A"] == no["X2_B"] == no["X3"] == "-8"  # the filter skipped them
    assert no["X4"] == "3"
    assert no["sample_district"] == "" and no["source"] == "open_link"
    assert (no["mode"], no["language"], no["completed_on"]) == ("paper", "en", "2026-03-15")
    for row in rows:  # every standard item not answered is -9 (or -8)
        assert all(row[item.code] in ("-9", "-8") for item in wave.instrument.items[:3])


def test_rows_are_numbered_in_random_order(wave):
    stored = [store(wave, {"X4": n}) for n in range(40)]
    _columns, rows = export_rows(wave)
    assert [r["response_id"] for r in rows] == [str(n) for n in range(1, 41)]
    uuids = {str(r.pk) for r in stored}
    assert not any(r["response_id"] in uuids for r in rows)
    order = [int(r["X4"]) for r in rows]
    assert sorted(order) == list(range(40))
    by_pk = [r.answers["X4"] for r in sorted(stored, key=lambda r: str(r.pk))]
    assert order != list(range(40)) and order != by_pk  # neither creation nor key order
    _columns, again = export_rows(wave)
    assert [int(r["X4"]) for r in again] != order  # a fresh order every time


def test_round_trip_reproduces_the_answers(wave, org_a):
    store(wave, {"X1": 1, "X2_A": 0, "X2_B": 1, "X2_C": 0, "X3": '«Ü» "quoted"\nline 2'})
    store(wave, {"X1": 2, "X4": 99}, mode="paper", source="sample")
    store(wave, {}, language="fr", sample_district=wave.districts.get(answer_code=3))
    store(wave, {"X3": "=1+1", "X1": 1}, language="en")
    copy = make_wave(org_a, "musterstadt-copy")
    for excel in (False, True):
        out = io.StringIO()
        export_responses_csv(wave, out, excel=excel)
        data = out.getvalue().encode("utf-8")
        if excel:
            assert data.startswith(b"\xef\xbb\xbf") and b";" in data.splitlines()[0]
            assert "'=1+1" in out.getvalue()  # a spreadsheet must not run it
        Response.objects.filter(wave=copy).delete()
        result = import_responses(copy, data)
        assert result.ok, [str(e) for e in result.errors]
        assert result.created == 4

        def summary(w: Wave) -> list[tuple[Any, ...]]:
            return sorted(
                (
                    r.mode,
                    r.source,
                    r.language,
                    r.completed_on,
                    r.sample_district.answer_code if r.sample_district else None,
                    sorted(r.answers.items()),
                )
                for r in Response.objects.filter(wave=w)
            )

        assert summary(copy) == summary(wave)


def csv_text(wave: Wave, rows: list[dict[str, Any]]) -> str:
    """A file in the export format: every column, -9 where a row gives no value."""
    columns = [*META_COLUMNS, *(item.code for item in wave.instrument.items)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval="-9", lineterminator="\n")
    writer.writeheader()
    for number, row in enumerate(rows, start=1):
        writer.writerow({"response_id": number, "sample_district": "", **row})
    return out.getvalue()


ROW = {"mode": "web", "source": "sample", "language": "de", "completed_on": "2026-03-02"}


def test_one_bad_row_stores_nothing_and_says_where(wave):
    text = csv_text(
        wave,
        [
            {**ROW, "sample_district": 1, "X1": 1, "X2_A": 1, "X2_B": 0, "X2_C": 0, "X3": "Park"},
            {**ROW, "sample_district": 1, "X1": 7, "X2_A": -8, "X3": -8, "X4": 5},
            {**ROW, "mode": "paper", "X1": 2, "X2_A": -8, "X3": -8},
        ],
    )
    result = import_responses(wave, text.encode())
    assert not result.ok
    assert [str(e) for e in result.errors] == [
        "line 3, column X1: 7 is not a code of item X1 (codes: 1–2, or -9 / -8)."
    ]
    assert not Response.objects.exists()


def test_every_kind_of_problem_is_named(wave):
    text = csv_text(
        wave,
        [
            {
                "mode": "fax",
                "source": "web",
                "language": "xx",
                "completed_on": "2026-13-01",
                "sample_district": 9,
                "X1": 1,
                "X2_A": 3,
                "X4": 100,
            },
            {**ROW, "completed_on": "15.03.2026", "sample_district": 2, "X4": "abc"},
        ],
    )
    result = import_responses(wave, text.encode())
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("line 2, column mode:") for m in messages)
    assert any(m.startswith("line 2, column source:") for m in messages)
    assert any(m.startswith("line 2, column language:") for m in messages)
    assert any(m.startswith("line 2, column completed_on:") for m in messages)
    assert any(m.startswith("line 2, column sample_district:") for m in messages)
    assert any(m.startswith("line 2, column X2_A:") for m in messages)
    assert any(m.startswith("line 2, column X4:") and "at most 99" in m for m in messages)
    assert any(m.startswith("line 3, column X4:") for m in messages)
    assert not any(m.startswith("line 3, column completed_on") for m in messages)  # 15.03.2026
    assert not Response.objects.exists()


def test_unknown_columns_and_item_codes(wave):
    text = (
        "mode,source,language,completed_on,X1,NOPE_1,Bemerkung (intern)\n"
        "web,sample,de,2026-03-02,1,1,x\n"
    )
    result = import_responses(wave, text.encode())
    messages = [str(e) for e in result.errors]
    assert any("line 1, column NOPE_1: unknown item code" in m for m in messages)
    assert "line 1, column Bemerkung (intern): unknown column." in messages
    assert not Response.objects.exists()


def test_missing_columns_and_future_dates(wave):
    result = import_responses(wave, b"mode,source,X1\nweb,sample,1\n")
    assert "Missing columns: language, completed_on" in str(result.errors[0])
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    result = import_responses(
        wave, f"mode,source,language,completed_on\nweb,sample,de,{future}\n".encode()
    )
    assert str(result.errors[0]) == "line 2, column completed_on: the date lies in the future."
    assert import_responses(wave, b"").errors and not Response.objects.exists()


def test_filtered_values_are_left_out_with_a_note(wave):
    text = "mode,source,language,completed_on,X1,X3\npaper,sample,de,2026-03-02,2,Park\n"
    result = import_responses(wave, text.encode())
    assert result.ok and result.created == 1
    assert any(str(w).startswith("line 2, column X3: value left out") for w in result.warnings)
    assert Response.objects.get().answers == {"X1": 2}


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [("latin-1", ";", False), ("utf-8", ",", True), ("utf-8", ";", False), ("cp1252", ",", False)],
)
def test_latin1_bom_and_semicolon_files(wave, encoding, delimiter, bom):
    rows = [
        ["mode", "source", "language", "completed_on", "sample_district", "x1", "X3", "X4"],
        ["paper", "sample", "de", "2026-03-02", "3", "1", "Straße am Fluß; Höhe Brücke", "2"],
    ]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    text = out.getvalue()
    data = (("\ufeff" if bom else "") + text).encode(encoding)
    result = import_responses(wave, data)
    assert result.ok, [str(e) for e in result.errors]
    stored = Response.objects.get()
    assert stored.answers == {"X1": 1, "X3": "Straße am Fluß; Höhe Brücke", "X4": 2}
    assert stored.sample_district == wave.districts.get(answer_code=3)


def test_codebook_lists_columns_and_items(wave):
    out = io.StringIO()
    export_codebook_csv(wave, out, "en")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    variables = {r["variable"] for r in rows}
    assert set(META_COLUMNS) <= variables
    assert {item.code for item in wave.instrument.items} <= variables
    districts = [(r["value"], r["value_label"]) for r in rows if r["variable"] == "sample_district"]
    assert districts == [("1", "Altstadt"), ("2", "Nordpark"), ("3", "Südhafen")]
    x1 = {r["value"]: r["value_label"] for r in rows if r["variable"] == "X1"}
    assert x1["1"] == "yes" and x1["-9"] == "no answer" and x1["-8"] == "not asked (filter)"


# --- web ----------------------------------------------------------------------------------------


def test_web_export_gives_a_zip(client, wave, analyst_a):
    store(wave, {"X1": 2, "X4": 1})
    client.force_login(analyst_a)
    page = client.get(wave_url(wave, "data_export"))
    assert page.status_code == 200 and "Download ZIP" in page.content.decode()
    response = client.get(
        wave_url(wave, "data_export"), {"download": "1", "language": "fr", "excel": "1"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "musterstadt-2026-answers-" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == ["answers.csv", "codebook.csv"]
    answers = archive.read("answers.csv").decode("utf-8-sig")
    assert answers.splitlines()[0] == header(wave).replace(",", ";")
    assert len(answers.splitlines()) == 2
    codebook = archive.read("codebook.csv").decode("utf-8-sig")
    assert "oui" in codebook
    bad = client.get(wave_url(wave, "data_export"), {"download": "1", "language": "xx"})
    assert bad.status_code == 400


def test_web_import(client, wave, analyst_a):
    client.force_login(analyst_a)
    url = wave_url(wave, "data_import")
    good = io.BytesIO(b"mode;source;language;completed_on;X1\nweb;open_link;de;2026-03-02;1\n")
    good.name = "answers.csv"
    response = client.post(url, {"file": good}, follow=True)
    assert "1 answer imported." in response.content.decode()
    assert Response.objects.filter(wave=wave, source="open_link").count() == 1

    bad = io.BytesIO(b"mode,source,language,completed_on,X1\nweb,sample,de,2026-03-02,5\n")
    bad.name = "answers.csv"
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported." in html
    assert "line 2, column X1: 5 is not a code of item X1" in html
    assert Response.objects.filter(wave=wave).count() == 1

    assert client.post(url, {}).status_code == 400
    binary = io.BytesIO(b"PK\x03\x04\x00\x00binary")
    binary.name = "answers.xlsx"
    response = client.post(url, {"file": binary})
    assert response.status_code == 400
    assert "does not look like a CSV file" in response.content.decode()
