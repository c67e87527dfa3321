"""`defus wave` and `defus sample` on the command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from defus.fieldwork.models import AccessCode, SamplePerson, Wave

from .test_waves_support import (
    districts_csv,
    geojson,
    make_wave,
    pdf_pages,
    pdf_text,
    places_csv,
    sample_csv,
    sample_rows,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_wave_create_list_status_report(org_a, org_b, tmp_path):
    (tmp_path / "d.csv").write_bytes(districts_csv(delimiter=";").encode("cp1252"))
    (tmp_path / "b.geojson").write_bytes(geojson(["N1", "M2", "S3", "ZZ"]))
    (tmp_path / "p.csv").write_text(places_csv())
    out, err = run(
        "wave", "create", "--org", "musterstadt", "--slug", "ms-2026", "--title", "MS 2026",
        "--start", "2026-03-01", "--end", "2026-04-15", "--districts", str(tmp_path / "d.csv"),
        "--geojson", str(tmp_path / "b.geojson"), "--places", str(tmp_path / "p.csv"),
        "--version", "2026.1", "--open-link",
    )  # fmt: skip
    assert "Created ms-2026 with 3 districts and 2 places." in out
    assert "ZZ" in err  # the unmatched feature is reported
    wave = Wave.objects.get(slug="ms-2026")
    assert wave.mode_open_link and f"/s/o/{wave.open_link_token}/" in out
    assert wave.districts.filter(boundary__isnull=False).count() == 3
    make_wave(org_b, slug="bb-2026")

    out, _err = run("wave", "list", "--org", "musterstadt")
    assert "ms-2026" in out and "bb-2026" not in out
    assert "bb-2026" in run("wave", "list")[0]

    out, _err = run("wave", "status", "ms-2026", "field")
    assert "In the field" in out
    with pytest.raises(CommandError, match="cannot go from"):
        run("wave", "status", "bb-2026", "closed")  # still in preparation

    out, _err = run("wave", "report", "ms-2026")
    assert "Response rate by district" in out and "Nordstadt" in out
    data = json.loads(run("wave", "report", "ms-2026", "--json")[0])
    assert data["sample_size"] == 0 and len(data["districts"]) == 3


def test_wave_create_problems(org_a, tmp_path):
    (tmp_path / "d.csv").write_text("code,name\nN1,Nord\n")
    with pytest.raises(CommandError, match="not created"):
        run(
            "wave", "create", "--org", "musterstadt", "--slug", "x", "--title", "X",
            "--start", "2026-03-01", "--end", "2026-04-15", "--districts", str(tmp_path / "d.csv"),
        )  # fmt: skip
    with pytest.raises(CommandError, match="not a date"):
        run(
            "wave", "create", "--org", "musterstadt", "--slug", "x", "--title", "X",
            "--start", "1.3.2026", "--end", "2026-04-15", "--districts", str(tmp_path / "d.csv"),
        )  # fmt: skip
    with pytest.raises(CommandError, match="no organisation"):
        run("wave", "list", "--org", "nowhere")
    with pytest.raises(CommandError, match="Cannot read"):
        run(
            "wave", "create", "--org", "musterstadt", "--slug", "x", "--title", "X",
            "--start", "2026-03-01", "--end", "2026-04-15", "--districts", str(tmp_path / "no.csv"),
        )  # fmt: skip
    assert not Wave.objects.exists()


def test_sample_import_letters_delete(org_a, tmp_path, capsys):
    wave = make_wave(org_a)
    rows = sample_rows(50)
    rows[15][6] = "X9"
    (tmp_path / "bad.csv").write_text(sample_csv(rows))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 problem; nothing was imported"):
        call_command(
            "sample", "import", wave.slug, str(tmp_path / "bad.csv"), stdout=out, stderr=err
        )
    assert "line 17: district “X9” is not a district of this wave" in err.getvalue()
    assert not SamplePerson.objects.exists()

    (tmp_path / "good.csv").write_text(sample_csv(sample_rows(5)))
    out, _err = run("sample", "import", wave.slug, str(tmp_path / "good.csv"))
    assert "5 persons imported" in out

    pdf_path = tmp_path / "letters.pdf"
    out, _err = run("sample", "letters", wave.slug, "-o", str(pdf_path), "--language", "en")
    assert "Wrote" in out
    assert pdf_pages(pdf_path.read_bytes(), tmp_path) == 5
    AccessCode.objects.filter(pk=AccessCode.objects.filter(wave=wave).first().pk).update(used=True)
    run("sample", "letters", wave.slug, "-o", str(pdf_path), "--reminders")
    assert pdf_pages(pdf_path.read_bytes(), tmp_path) == 4
    assert "Erinnerung" in pdf_text(pdf_path.read_bytes(), tmp_path)

    with pytest.raises(CommandError, match="--yes"):
        run("sample", "delete", wave.slug)
    out, _err = run("sample", "delete", wave.slug, "--yes")
    assert "Names and addresses of 5 persons were deleted" in out
    assert AccessCode.objects.filter(wave=wave).count() == 5
    with pytest.raises(CommandError, match="deleted"):
        run("sample", "letters", wave.slug, "-o", str(pdf_path))
    with pytest.raises(CommandError, match="no wave"):
        run("sample", "import", "nowhere", str(tmp_path / "good.csv"))


def test_sample_discard(org_a, tmp_path):
    wave = make_wave(org_a)
    (tmp_path / "good.csv").write_text(sample_csv(sample_rows(3)))
    run("sample", "import", wave.slug, str(tmp_path / "good.csv"))
    out, _err = run("sample", "discard", wave.slug, "--yes")
    assert "3 persons" in out and not AccessCode.objects.exists()


def test_commands_are_listed_in_defus_help():
    result = subprocess.run(
        [sys.executable, "-m", "defus.cli", "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert any(line.strip().startswith("wave ") and "Survey waves" in line for line in lines)
    assert any(line.strip().startswith("sample ") and "sample of a wave" in line for line in lines)
