"""Recorded crime: CSV import all or nothing, errors naming line and column in the user's
language, re-imports replacing their cells; the upload page and the command do the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from defus.strategy.crime import crime_tables, import_crime
from defus.strategy.models import CrimeFigure
from tests.strategy.support import page_text

pytestmark = pytest.mark.django_db

GOOD = (
    "district;year;category;count\n"
    "01;2024;Körperverletzung;120\n"
    "01;2025;Körperverletzung;98\n"
    "02;2025;Diebstahl;1.234\n"
)


def cells(organisation: Any) -> dict[tuple[int, str, str], int]:
    return {
        (f.year, f.district, f.category): f.count
        for f in CrimeFigure.objects.filter(organisation=organisation)
    }


def test_semicolon_with_bom_and_comma_files_import(org_a: Any) -> None:
    result = import_crime(org_a, b"\xef\xbb\xbf" + GOOD.encode())
    assert result.ok and (result.created, result.replaced) == (3, 0)
    assert cells(org_a)[(2025, "02", "Diebstahl")] == 1234
    comma = "District,Year,Category,Count\r\n03,2025,Raub,7\r\n"
    assert import_crime(org_a, comma.encode()).ok
    assert cells(org_a)[(2025, "03", "Raub")] == 7


def test_reimport_replaces_the_same_cells_only(org_a: Any, org_b: Any) -> None:
    import_crime(org_a, GOOD.encode())
    import_crime(org_b, GOOD.encode())
    again = "district;year;category;count\n01;2025;Körperverletzung;101\n04;2025;Raub;3\n"
    result = import_crime(org_a, again.encode())
    assert (result.created, result.replaced) == (1, 1)
    assert cells(org_a)[(2025, "01", "Körperverletzung")] == 101
    assert cells(org_a)[(2024, "01", "Körperverletzung")] == 120
    assert cells(org_b)[(2025, "01", "Körperverletzung")] == 98  # another city untouched
    tables = crime_tables(org_a)
    assert [t.district for t in tables] == ["01", "02", "04"]
    assert tables[0].years == [2024, 2025]
    assert tables[0].rows[0]["cells"] == [120, 101]


def test_errors_name_line_and_column_and_import_nothing(org_a: Any) -> None:
    text = (
        "district;year;category;count\n"
        "01;2024;Raub;5\n"
        "01;20x4;Raub;5\n"
        "02;2024;;-3\n"
        "01;2024;Raub;6\n"
    )
    with translation.override("en"):
        result = import_crime(org_a, text.encode())
        problems = [str(p) for p in result.problems]
    assert not result.ok
    assert problems == [
        "line 3, column year: “20x4” is not a year (e.g. 2024)",
        "line 4, column category: the offence category is missing",
        "line 4, column count: “-3” is not a whole number ≥ 0",
        "line 5, column category: district 01, 2024, Raub is already in line 2",
    ]
    assert CrimeFigure.objects.count() == 0
    with translation.override("de"):
        german = [str(p) for p in import_crime(org_a, text.encode()).problems]
    assert german[0].startswith("Zeile 3, Spalte year:")


def test_missing_column_and_not_a_csv(org_a: Any) -> None:
    with translation.override("en"):
        missing = import_crime(org_a, b"district;year;count\n01;2024;3\n")
        assert "Missing columns: category" in str(missing.problems[0])
        binary = import_crime(org_a, b"PK\x03\x04\x00\x00binary")
        assert not binary.ok
        empty = import_crime(org_a, b"district;year;category;count\n")
        assert "no data rows" in str(empty.problems[0])


def test_upload_page(client: Client, admin_a: Any, member_a: Any, org_a: Any) -> None:
    client.force_login(admin_a)
    url = f"/en/o/{org_a.slug}/strategy/crime/import/"
    bad = b"district;year;category;count\n01;2024;Raub;many\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, {"file": SimpleUploadedFile("crime.csv", bad)})
    assert response.status_code == 400
    assert "line 2, column count: “many” is not a whole number ≥ 0" in page_text(response)
    assert CrimeFigure.objects.count() == 0
    response = client.post(url, {"file": SimpleUploadedFile("crime.csv", GOOD.encode())})
    assert response.status_code == 302
    page = page_text(client.get(f"/en/o/{org_a.slug}/strategy/crime/"))
    assert "3 figures imported (3 new, 0 replaced)." in page
    assert "Körperverletzung" in page and "District 01" in page
    latest = CrimeFigure.objects.get(year=2025, district="01")
    assert f"?crime={latest.pk}" in page
    # "Make a finding" from a row: the text names the figure and the year before.
    form = client.get(f"/en/o/{org_a.slug}/strategy/findings/new/?crime={latest.pk}")
    assert "district 01, 2025, Körperverletzung: 98 cases (2024: 120)" in page_text(form)
    # Without a file: a message, not an error page.
    assert client.post(url, {}).status_code == 400
    # A member sees the tables but cannot import.
    client.force_login(member_a)
    assert client.get(f"/en/o/{org_a.slug}/strategy/crime/").status_code == 200
    assert client.post(url, {"file": SimpleUploadedFile("c.csv", GOOD.encode())}).status_code == 403


def test_command_imports_with_the_same_validation(org_a: Any, tmp_path: Path) -> None:
    good = tmp_path / "crime.csv"
    good.write_text(GOOD, encoding="utf-8-sig")
    call_command("measures", "import-crime", org_a.slug, str(good))
    assert len(cells(org_a)) == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("district;year;category;count\n01;1800;Raub;1\n", encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("measures", "import-crime", org_a.slug, str(bad))
    assert "line 2, column year" in str(error.value)
    with pytest.raises(CommandError):
        call_command("measures", "import-crime", "nowhere", str(good))
