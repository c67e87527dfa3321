"""`defus survey`: export files, import with exit codes, double-entry differences."""

from __future__ import annotations

import csv
import datetime
import io
import subprocess

import pytest
from django.core.management import CommandError, call_command

from defus.fieldwork.models import PaperEntry, Response
from defus.fieldwork.services.exchange import META_COLUMNS
from defus.fieldwork.services.responses import record_response
from tests.fieldwork.test_paper_helpers import make_wave, wave
from tests.support import run_defus

__all__ = ["wave"]

pytestmark = pytest.mark.usefixtures("english")


GOOD = "mode,source,language,completed_on,X1,X4\npaper,sample,de,2026-03-02,2,7\n"
BAD = (
    "mode,source,language,completed_on,X1,X4\n"
    "paper,sample,de,2026-03-02,2,7\n"
    "web,sample,de,2026-03-02,3,7\n"
    "web,nowhere,de,2026-03-02,1,7\n"
)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("survey", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_export_writes_answers_and_codebook(wave, tmp_path):
    for n in range(3):
        record_response(wave, {"X1": 2, "X4": n}, mode="web", language="de")
    target = tmp_path / "answers.csv"
    out, _err = run("export", wave.slug, "--format", "csv", "-o", str(target))
    assert "3 questionnaires written" in out
    rows = list(csv.reader(target.open(encoding="utf-8", newline="")))
    assert rows[0] == [*META_COLUMNS, *(i.code for i in wave.instrument.items)]
    assert len(rows) == 4
    codebook = tmp_path / "answers.codebook.csv"
    assert codebook.exists()
    assert ",ja," in codebook.read_text(encoding="utf-8")  # German labels by default
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.django_db
def test_export_for_excel_in_english_with_a_named_codebook(wave, tmp_path):
    record_response(wave, {"X1": 1}, mode="web", language="de")
    target, book = tmp_path / "a.csv", tmp_path / "book.csv"
    run("export", wave.slug, "-o", str(target), "--codebook", str(book), "--language", "en")
    run("export", wave.slug, "-o", str(target), "--excel")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.splitlines()[0].count(b";") > 5
    assert ",yes," in book.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_export_to_standard_output(wave):
    record_response(wave, {"X1": 1}, mode="web", language="de")
    out, err = run("export", wave.slug, "-o", "-")
    assert out.splitlines()[0].startswith("response_id,mode,")
    assert len(out.splitlines()) == 2
    assert "1 questionnaire written" in err


@pytest.mark.django_db
def test_export_refuses_unknown_waves_and_languages(wave, tmp_path):
    with pytest.raises(CommandError, match="no survey wave"):
        run("export", "nowhere-2026", "-o", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="no language it"):
        run("export", wave.slug, "-o", str(tmp_path / "x.csv"), "--language", "it")


@pytest.mark.django_db
def test_import_prints_errors_by_line_and_stores_nothing(wave, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("survey", "import-responses", wave.slug, str(path), stderr=err)
    assert failure.value.returncode == 1
    assert "Nothing imported: 2 problems." in str(failure.value)
    lines = err.getvalue().splitlines()
    assert any(line.startswith("line 3, column X1:") for line in lines)
    assert any(line.startswith("line 4, column source:") for line in lines)
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_import_stores_a_good_file(wave, tmp_path):
    path = tmp_path / "good.csv"
    path.write_text(GOOD, encoding="utf-8")
    out, _err = run("import-responses", wave.slug, str(path))
    assert out.strip() == f"1 questionnaire imported into {wave.slug}."
    assert Response.objects.get(wave=wave).answers == {"X1": 2, "X4": 7}
    with pytest.raises(CommandError, match="Cannot read"):
        run("import-responses", wave.slug, str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_paper_diff_lists_differences(wave):
    out, _err = run("paper-diff", wave.slug)
    assert "No open paper sheets" in out
    PaperEntry.objects.create(wave=wave, sheet="12", round=1, answers={"X1": 1, "X4": 3})
    PaperEntry.objects.create(wave=wave, sheet="12", round=2, answers={"X1": 2, "X4": 3})
    PaperEntry.objects.create(wave=wave, sheet="2", round=1, answers={"X1": 1})
    out, _err = run("paper-diff", wave.slug)
    assert out.splitlines() == [
        "sheet 12: 1 difference",
        "  X1: entry 1 = 1, entry 2 = 2",
        "waiting for a second entry: 2",
    ]


# --- the real command line: exit status and --help ----------------------------------------------


def defus(*args: str) -> subprocess.CompletedProcess[str]:
    return run_defus(*args, timeout=120)


@pytest.mark.django_db(transaction=True)
def test_exit_status_of_the_command_line(org_a, tmp_path):
    wave = make_wave(org_a)
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")

    failed = defus("survey", "import-responses", wave.slug, str(bad))
    assert failed.returncode == 1, failed.stderr
    assert "Zeile 3, Spalte X1:" in failed.stderr  # the command line speaks German by default
    assert not Response.objects.exists()

    done = defus("survey", "import-responses", wave.slug, str(good))
    assert done.returncode == 0, done.stderr
    assert Response.objects.filter(wave=wave).count() == 1

    target = tmp_path / "out.csv"
    exported = defus("survey", "export", wave.slug, "--format", "csv", "-o", str(target))
    assert exported.returncode == 0, exported.stderr
    assert target.exists() and (tmp_path / "out.codebook.csv").exists()

    assert defus("survey", "export", "no-such-wave", "-o", str(target)).returncode == 1
    assert defus("survey", "frobnicate", wave.slug).returncode != 0


def test_the_command_is_listed_with_one_line_of_help() -> None:
    listing = defus("--help")
    assert listing.returncode == 0
    line = next(x for x in listing.stdout.splitlines() if x.strip().startswith("survey "))
    assert "export" in line and "import" in line


@pytest.mark.django_db
def test_export_and_import_of_a_day(wave, tmp_path):
    """The day survives the round trip through the command line."""
    record_response(wave, {"X1": 1}, mode="paper", language="fr", day=datetime.date(2026, 3, 9))
    target = tmp_path / "day.csv"
    run("export", wave.slug, "-o", str(target))
    copy = make_wave(wave.organisation, "musterstadt-copy")
    run("import-responses", copy.slug, str(target))
    stored = Response.objects.get(wave=copy)
    assert (stored.completed_on, stored.language, stored.mode) == (
        datetime.date(2026, 3, 9),
        "fr",
        "paper",
    )
