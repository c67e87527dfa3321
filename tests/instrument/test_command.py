"""`defus instrument`: check, list, codebook and paper on the command line."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import SHIPPED, question

DEFUS = Path(sys.executable).with_name("defus")

pytestmark = pytest.mark.usefixtures("english")


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("instrument", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _write(tmp_path: Path, data: object, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_check_the_shipped_definition():
    out, err = _run("check", str(SHIPPED))
    assert err == ""
    assert out.strip() == (
        f"{SHIPPED}: OK – defus-monitor-2026.1: 8 modules, 25 questions, 75 items, "
        "languages de, en, fr"
    )


def test_check_prints_each_problem_with_file_and_place(tmp_path, shipped_data):
    question(shipped_data, "C1")["scale"] = "likely7"
    question(shipped_data, "K2")["show_if"] = {"item": "K1", "in": [7]}
    path = _write(tmp_path, shipped_data)
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("instrument", "check", str(path), stdout=io.StringIO(), stderr=err)
    assert info.value.returncode == 1
    assert "2 problems" in str(info.value)
    lines = err.getvalue().strip().splitlines()
    assert (
        lines[0] == f"{path}: modules[1] (COG) › questions[0] (C1) › scale: unknown scale 'likely7'"
    )
    assert lines[1].startswith(f"{path}: modules[2] (CON) › questions[1] (K2) › show_if: ")
    assert "[7]" in lines[1]


def test_check_unreadable_yaml_names_the_line(tmp_path):
    path = tmp_path / "syntax.yaml"
    path.write_text('instrument: x\nversion: "1"\ntitle: {de: Was? Wer}\nmodules: [\n')
    with pytest.raises(CommandError) as info:
        _run("check", str(path))
    message = str(info.value)
    assert info.value.returncode == 1
    assert message.startswith(f"{path}: not valid YAML at line ")
    assert "\n" not in message


def test_check_missing_file(tmp_path):
    with pytest.raises(CommandError) as info:
        _run("check", str(tmp_path / "nothing.yaml"))
    assert info.value.returncode == 1
    assert "cannot be read" in str(info.value)


def test_exit_codes_on_the_real_command_line(tmp_path, shipped_data):
    ok = subprocess.run(
        [str(DEFUS), "instrument", "check", str(SHIPPED)], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert "8 Module, 25 Fragen" in ok.stdout  # the command line speaks German by default

    del shipped_data["modules"][0]["title"]["fr"]
    broken = _write(tmp_path, shipped_data)
    bad = subprocess.run(
        [str(DEFUS), "instrument", "check", str(broken)], capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert f"{broken}: modules[0] (AFF) › title: translation missing for fr" in bad.stderr
    assert "Traceback" not in bad.stderr

    syntax = tmp_path / "syntax.yaml"
    syntax.write_text("a: [1, 2\nb: 3\n")
    unreadable = subprocess.run(
        [str(DEFUS), "instrument", "check", str(syntax)], capture_output=True, text=True
    )
    assert unreadable.returncode == 1
    assert "Zeile 2" in unreadable.stderr and "Traceback" not in unreadable.stderr
    assert len(unreadable.stderr.strip().splitlines()) == 1


def test_list_shows_the_shipped_versions():
    out, _err = _run("list")
    assert out.startswith("defus-monitor 2026.1\t")
    assert "25 questions" in out and "de/en/fr" in out


def test_codebook_csv_to_stdout_and_file(tmp_path):
    out, _err = _run("codebook", "--language", "en")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["variable"] for r in rows} >= {"A1", "A2_07", "K3", "D10"}
    a1 = [r for r in rows if r["variable"] == "A1"]
    assert a1[0]["value_label"] == "very safe"
    target = tmp_path / "codebook.csv"
    _run("codebook", "--version", "2026.1", "--language", "fr", "-o", str(target))
    assert "très en sécurité" in target.read_text(encoding="utf-8")


def test_codebook_html(tmp_path):
    target = tmp_path / "codebook.html"
    _run("codebook", "--format", "html", "--language", "de", "-o", str(target))
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and 'lang="de"' in html
    assert "A3_07" in html and "Bahnhöfen" in html


def test_codebook_unknown_version_or_language():
    with pytest.raises(CommandError, match=r"no instrument defus-monitor 1999\.1"):
        _run("codebook", "--version", "1999.1")
    with pytest.raises(CommandError, match="has no language tr"):
        _run("codebook", "--language", "tr")


def test_paper_writes_a_pdf(tmp_path):
    target = tmp_path / "questionnaire.pdf"
    _out, err = _run("paper", "--language", "en", "-o", str(target))
    assert target.read_bytes().startswith(b"%PDF")
    assert str(target) in err
