"""Microdata and tables exports: read back by PSPP and pyreadstat, suppression in the tables,
files reused per answer revision and made in the background, the command line."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat
import pytest
from django.core.management import call_command
from django.utils import translation

from defus.analysis.exports import (
    SUPPRESSED,
    current_exports,
    export_path,
    get_or_start_export,
    write_export,
)
from defus.analysis.margins import wave_design
from defus.analysis.models import ExportFile
from defus.analysis.results import estimate_item
from defus.analysis.scheme import change_weighting
from defus.core.background import run_in_background
from defus.fieldwork.models import AccessCode, District, Response, Wave
from defus.fieldwork.services.responses import record_response
from defus.instrument.answers import asked_items, export_value

from .support import make_analysis_wave

CHECKED = ("A1", "A2_05", "A5", "K1", "K2_01", "V2_01", "D1", "D2")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEFUS_BACKGROUND_SYNC = True
    return Path(settings.MEDIA_ROOT)


def export_wave(organisation: Any) -> Wave:
    """Demo-like answers, plus two answers that surely hold "no answer" and special codes."""
    wave = make_analysis_wave(organisation, per_district=40, open_link=6)
    district = District.objects.get(wave=wave, code="02")
    code = AccessCode.objects.filter(wave=wave, district=district, used=False).first()
    assert code is not None
    record_response(
        wave,
        {"A2_05": 8, "A5": 9, "D1": 1, "D2": 47},  # A1 left out: −9
        mode="paper",
        language="de",
        access_code=code,
    )
    record_response(wave, {"A1": 2, "A2_05": 8, "D2": 30}, mode="web", language="fr")
    wave.refresh_from_db()
    return wave


def counts_from_answers(wave: Wave, code: str) -> Counter[int]:
    """What the export must hold for one item, straight from the stored answers."""
    instrument = wave.instrument
    item = instrument.item(code)
    counts: Counter[int] = Counter()
    for answers in Response.objects.filter(wave=wave).values_list("answers", flat=True):
        asked = asked_items(instrument, answers).get(code, True)
        counts[int(export_value(item, answers, asked))] += 1
    return counts


def pspp() -> str:
    executable = shutil.which("pspp")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("PSPP is needed to read the SPSS export back (Debian package pspp)")
        pytest.skip("PSPP is not installed (Debian package pspp; make system-packages)")
    return executable


def run_pspp(tmp_path: Path, syntax: str) -> dict[str, list[list[str]]]:
    """Run a PSPP syntax file; its output tables by title, as CSV rows."""
    script = tmp_path / "read.sps"
    script.write_text(syntax, encoding="utf-8")
    output = tmp_path / "out.csv"
    result = subprocess.run(
        [pspp(), "-O", "format=csv", "-o", str(output), str(script)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    tables: dict[str, list[list[str]]] = {}
    title = ""
    for row in csv.reader(io.StringIO(output.read_text(encoding="utf-8"))):
        if row and row[0].startswith("Table: "):
            title = row[0].removeprefix("Table: ")
            tables.setdefault(title, [])
        elif row and title:
            tables[title].append(row)
        else:
            title = ""
    return tables


@pytest.mark.django_db
def test_pspp_reads_the_sav_with_our_counts_labels_and_missing_values(org_a, tmp_path) -> None:
    wave = export_wave(org_a)
    path = tmp_path / "wave.sav"
    write_export(wave, "sav", path, language="de")
    tables = run_pspp(
        tmp_path,
        f"GET FILE='{path}'.\n"
        "SET TVARS=NAMES TNUMBERS=VALUES.\n"
        f"FREQUENCIES VARIABLES={' '.join(CHECKED)} /STATISTICS=NONE.\n"
        "DISPLAY DICTIONARY /VARIABLES=A1 A2_05 source.\n",
    )
    for code in CHECKED:
        rows = tables[code]
        frequencies: Counter[int] = Counter()
        missing: set[int] = set()
        section = ""
        for row in rows[1:]:  # after the header
            section = row[0] or section
            if section == "Total":
                continue
            value = int(float(row[1]))
            frequencies[value] += int(row[2])
            if section == "Missing":
                missing.add(value)
        expected = counts_from_answers(wave, code)
        assert frequencies == expected, code
        # Only −9 and −8 are missing; "don't know" (9) and "don't go there" (8) are answers.
        assert missing == {v for v in expected if v < 0}, code
    assert counts_from_answers(wave, "A1")[-9] >= 1
    assert counts_from_answers(wave, "A2_05")[8] >= 2
    assert counts_from_answers(wave, "V2_01")[-8] >= 1
    labels: dict[str, dict[str, str]] = {}
    variable = ""
    for row in tables["Value Labels"][1:]:
        if len(row) < 3:  # the footnote
            continue
        variable = row[0] or variable
        labels.setdefault(variable, {})[row[1]] = row[2]
    a1 = wave.instrument.item("A1").scale
    assert a1 is not None
    assert labels["A1"]["1"] == a1.options[0].label["de"] == "sehr sicher"
    assert labels["A1"]["-9[a]"] == "keine Angabe"  # [a]: a user-missing value
    assert labels["A1"]["-8[a]"] == "nicht gefragt (Filter)"
    assert labels["A2_05"]["8"] == "bin ich nicht / nutze ich nicht"  # an answer, not missing
    assert labels["source"] == {
        "1": "Zufallsstichprobe",
        "2": "offener Link (keine Zufallsstichprobe)",
    }
    variables = {row[0]: row for row in tables["Variables"][1:]}
    assert variables["A1"][2].startswith("Wie sicher vor Belästigung")
    assert variables["A1"][-1] == "-9; -8"
    assert variables["source"][-1] == ""


@pytest.mark.django_db
def test_sav_columns_weights_and_no_identifying_details(org_a, tmp_path) -> None:
    wave = export_wave(org_a)
    path = tmp_path / "wave.sav"
    write_export(wave, "sav", path, language="de")
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert len(frame) == Response.objects.filter(wave=wave).count()
    assert "completed_on" not in frame.columns
    assert sorted(frame["row_number"].astype(int)) == list(range(1, len(frame) + 1))
    assert not any(str(pk) in path.read_bytes().decode("latin-1") for pk in wave.responses.all())
    open_link = frame["source"] == 2
    assert open_link.sum() == 7
    assert (frame.loc[open_link, "weight"] == 0).all()
    assert frame.loc[open_link, "district"].isna().all()
    sample = frame.loc[~open_link]
    assert sample["weight"].mean() == pytest.approx(1.0)
    population = sum(
        sum(sum(groups.values()) for groups in d.population.values())
        for d in District.objects.filter(wave=wave)
    )
    assert frame["weight_pop"].sum() == pytest.approx(population)
    assert meta.variable_value_labels["source"][1.0] == "Zufallsstichprobe"
    assert meta.variable_value_labels["district"][2.0] == "Bahnhofsviertel"
    assert frame["K3"].dtype != float  # open answers stay text


@pytest.mark.django_db
def test_rows_come_in_a_new_random_order_each_time(org_a, tmp_path) -> None:
    wave = export_wave(org_a)
    orders = []
    for number in (1, 2):
        path = tmp_path / f"wave{number}.csv.zip"
        write_export(wave, "csv", path, language="de")
        with zipfile.ZipFile(path) as archive:
            rows = list(csv.DictReader(io.StringIO(archive.read("data.csv").decode("utf-8"))))
            assert "codebook.csv" in archive.namelist()
        orders.append([(row["A1"], row["D2"], row["weight"]) for row in rows])
    assert sorted(orders[0]) == sorted(orders[1])
    assert orders[0] != orders[1]


@pytest.mark.django_db
def test_pyreadstat_reads_the_dta_with_value_labels_and_extended_missing(org_a, tmp_path) -> None:
    wave = export_wave(org_a)
    path = tmp_path / "wave.dta"
    write_export(wave, "dta", path, language="en")
    frame, meta = pyreadstat.read_dta(str(path), user_missing=True)
    labels = meta.variable_value_labels["A1"]
    assert labels[1] == "very safe"
    assert labels["a"] == "no answer" and labels["b"] == "not asked (filter)"
    assert meta.missing_user_values["A1"] == ["a"]  # the missing values that occur
    assert Counter(frame["A1"])["a"] == counts_from_answers(wave, "A1")[-9]
    assert Counter(frame["A2_05"])[8] == counts_from_answers(wave, "A2_05")[8]
    assert all(len(label or "") <= 80 for label in meta.column_labels)
    assert meta.column_names_to_labels["A2_05"].endswith("large parks")
    plain, _meta = pyreadstat.read_dta(str(path))
    assert plain["A1"].isna().sum() == counts_from_answers(wave, "A1")[-9]


@pytest.mark.django_db
def test_excel_microdata_keeps_text_answers_as_text(org_a, tmp_path) -> None:
    wave = make_analysis_wave(org_a, per_district=10)
    record_response(wave, {"K1": 1, "K3": '=HYPERLINK("x")'}, mode="web", language="de")
    path = tmp_path / "wave.xlsx"
    with translation.override("fr"):  # the interface's language does not name the sheets
        write_export(wave, "xlsx", path, language="de")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Daten", "Codebuch", "Hinweise"]
    data = book["Daten"]
    header = [cell.value for cell in data[1]]
    column = header.index("K3")
    texts = [row[column].value for row in data.iter_rows(min_row=2)]
    assert '=HYPERLINK("x")' in texts
    cell = next(row[column] for row in data.iter_rows(min_row=2) if row[column].value)
    assert cell.data_type == "s"


def sheet_rows(path: Path, title: str) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path)[title].iter_rows(values_only=True))


@pytest.mark.django_db
def test_tables_show_suppressed_cells_as_a_dash(org_a, tmp_path) -> None:
    wave = make_analysis_wave(org_a, per_district=30, small={"04": 3})
    path = tmp_path / "tables.xlsx"
    write_export(wave, "tables", path, language="de", by="district")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "AFF Ihr Sicherheitsgefühl"
    assert "Methoden" in book.sheetnames
    rows = sheet_rows(path, "AFF Ihr Sicherheitsgefühl")
    assert str(rows[1][0]).startswith("Basis: die Zufallsstichprobe, auf die Bevölkerung gewichtet")
    small = [row for row in rows if row[0] == "Südpark"]
    assert small, "the small district's rows are in the table"
    for row in small:
        assert list(row[2:6]) == [SUPPRESSED] * 4
    # Secondary suppression: one more district of each table row is hidden too.
    first_answer = [row for row in rows[:40] if row[1] == "sehr sicher (%)"]
    assert sum(row[2] == SUPPRESSED for row in first_answer) == 2
    overall = next(row for row in rows if row[0] == "alle" and row[1] == "sehr sicher (%)")
    expected = estimate_item(wave_design(wave), "A1")[0]
    assert overall[2] == pytest.approx(100 * expected.estimate) and overall[5] == expected.n
    # Shares' confidence limits as the dashboard prints them: within 0–100 %.
    limits = [v for row in rows if str(row[1]).endswith("(%)") for v in row[3:5]]
    numbers = [v for v in limits if isinstance(v, float)]
    assert numbers and min(numbers) >= 0 and max(numbers) <= 100
    methods = {row[0]: row[1] for row in sheet_rows(path, "Methoden") if row and row[0]}
    assert methods["Befragte in der gewichteten Basis"] == 93
    assert methods["Designeffekt (Kish)"] > 1


@pytest.mark.django_db
def test_a_file_is_reused_until_new_answers_arrive(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=12)
    first = get_or_start_export(wave, "sav", "de")
    assert first.status == ExportFile.Status.READY
    path = export_path(first)
    assert path is not None
    made = path.stat().st_mtime_ns
    again = get_or_start_export(wave, "sav", "de")
    assert again.pk == first.pk and export_path(again) == path
    assert path.stat().st_mtime_ns == made
    assert ExportFile.objects.filter(wave=wave).count() == 1
    record_response(wave, {"A1": 1}, mode="web", language="de")
    newer = get_or_start_export(wave, "sav", "de")
    assert newer.pk != first.pk and newer.revision == first.revision + 1
    assert newer.status == ExportFile.Status.READY
    assert not path.exists()  # the earlier revision's file is gone
    assert list(ExportFile.objects.filter(wave=wave)) == [newer]
    tables = get_or_start_export(wave, "tables", "de", by="gender")
    assert tables.settings_key.endswith(":by=gender")
    assert {e.pk for e in current_exports(wave)} == {newer.pk, tables.pk}
    # Another weighting: the files made with the earlier one are no longer offered, and go
    # when the new one is ready; tables with another breakdown are files of their own.
    by_district = get_or_start_export(wave, "tables", "de", by="district")
    change_weighting(wave, trim=4.0)
    assert current_exports(wave) == []
    trimmed = get_or_start_export(wave, "tables", "de", by="gender")
    assert set(ExportFile.objects.filter(wave=wave)) == {newer, trimmed}
    assert by_district.pk != trimmed.pk


@pytest.mark.django_db
def test_a_failure_is_recorded_in_the_users_language_and_retried(org_a) -> None:
    wave = make_analysis_wave(org_a, per_district=8)
    wave.districts.filter(code="02").update(population={})
    failed = get_or_start_export(wave, "dta", "de", ui_language="fr")
    assert failed.status == ExportFile.Status.FAILED
    assert "02" in failed.error and "Le fichier n’a pas pu être créé" in failed.error
    wave.districts.filter(code="02").update(population={"female": {"18-29": 900}})
    retried = get_or_start_export(wave, "dta", "de")
    assert retried.pk == failed.pk and retried.status == ExportFile.Status.READY


@pytest.mark.django_db(transaction=True)
def test_the_file_is_made_in_the_worker_thread(org_a, settings) -> None:
    settings.DEFUS_BACKGROUND_SYNC = False
    wave = make_analysis_wave(org_a, per_district=10)
    export = get_or_start_export(wave, "xlsx", "de")
    assert export.status in (ExportFile.Status.PENDING, ExportFile.Status.READY)
    # The worker runs one job after the other: when this one has run, the export has too.
    run_in_background(lambda: None).result(timeout=300)
    export.refresh_from_db()
    assert export.status == ExportFile.Status.READY, export.error
    path = export_path(export)
    assert path is not None and path.suffix == ".xlsx"


@pytest.mark.django_db
def test_command_line_writes_microdata_and_tables(org_a, tmp_path) -> None:
    wave = make_analysis_wave(org_a, per_district=10)
    target = tmp_path / "out.dta"
    out = io.StringIO()
    call_command("analysis", "export", wave.slug, "--format", "dta", "-o", str(target), stdout=out)
    assert str(target) in out.getvalue()
    frame, _meta = pyreadstat.read_dta(str(target))
    assert len(frame) == 40
    tables = tmp_path / "tables.xlsx"
    call_command(
        "analysis", "tables", wave.slug, "--by", "district", "-o", str(tables), "--language", "en"
    )
    assert "Methods" in openpyxl.load_workbook(tables).sheetnames
    assert not list(Path(tmp_path / "media").glob("**/*.dta"))  # nothing recorded or kept


@pytest.mark.django_db
def test_pspp_reads_the_demo_waves_sav_with_our_counts(tmp_path) -> None:
    from io import StringIO

    from django.core.management import call_command

    call_command("demo", stdout=StringIO())
    wave = Wave.objects.get(slug="musterstadt-2026")
    path = tmp_path / "musterstadt-2026.sav"
    write_export(wave, "sav", path, language="de")
    checked = ("A1", "A3_07", "K1", "V1_05", "D1", "D3")
    tables = run_pspp(
        tmp_path,
        f"GET FILE='{path}'.\nSET TVARS=NAMES TNUMBERS=VALUES.\n"
        f"FREQUENCIES VARIABLES={' '.join(checked)} source /STATISTICS=NONE.\n"
        "DISPLAY DICTIONARY /VARIABLES=A1 D3.\n",
    )
    for code in checked:
        frequencies: Counter[int] = Counter()
        section = ""
        for row in tables[code][1:]:
            section = row[0] or section
            if section != "Total":
                frequencies[int(float(row[1]))] += int(row[2])
        assert frequencies == counts_from_answers(wave, code), code
    sources: Counter[int] = Counter()
    for row in tables["source"][1:]:
        if (row[0] or "") != "Total" and row[1]:
            sources[int(float(row[1]))] += int(row[2])
    assert sources == {1: 800, 2: 60}
    labels: dict[str, dict[str, str]] = {}
    variable = ""
    for row in tables["Value Labels"][1:]:
        if len(row) >= 3:
            variable = row[0] or variable
            labels.setdefault(variable, {})[row[1]] = row[2]
    assert labels["A1"]["2"] == "eher sicher"
    assert labels["D3"]["2"] == "Bahnhofsviertel"  # the wave's districts as answers
