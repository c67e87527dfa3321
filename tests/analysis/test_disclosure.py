"""Disclosure control across every output: a district with 3 respondents never shows.

One wave, four districts, Südpark (04) with only 3 respondents. For each figure of a
breakdown by district, results.py hides Südpark and – since the city total is shown – a
second district too. This test reads every way figures leave the platform – the command
line, the JSON API, the dashboard (tables and the Vega-Lite data behind the charts and the
map), the Excel tables, the report as HTML and as PDF, and a comparison between groups –
and checks that none of them reveals a hidden figure.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from defus.analysis.margins import wave_design
from defus.analysis.results import estimate_item, key_indicators
from tests.conftest import PASSWORD
from tests.support import run_defus

from .support import make_analysis_wave, tables_of

pytestmark = pytest.mark.django_db(transaction=True)

DISTRICTS = {"01": "Altstadt", "02": "Bahnhofsviertel", "03": "Nordstadt", "04": "Südpark"}
SMALL = "04"
DASH = "–"


def hidden_figures(wave: Any, language: str) -> dict[str, set[str]]:
    """Label of each key figure (indicators, indices) → the districts hidden for it."""
    design = wave_design(wave)
    out: dict[str, set[str]] = {}
    with translation.override(language):
        for indicator, rows in key_indicators(design, by="district", language=language):
            out[indicator.label[language]] = {r.group for r in rows if r.by and r.suppressed}
        for index in wave.instrument.indices:
            rows = estimate_item(design, index.code, by="district", language=language)
            out[index.label[language]] = {r.group for r in rows if r.by and r.suppressed}
    return out


def check_grid(
    table: tuple[list[str], list[tuple[str, list[str]]]],
    hidden: dict[str, set[str]],
    *,
    figures_in_rows: bool,
) -> int:
    """Cells of a figures × districts table: a dash exactly where the figure is hidden."""
    headers, rows = table
    checked = 0
    for row_label, cells in rows:
        for column_label, cell in zip(headers[1:], cells, strict=False):
            figure, place = (
                (row_label, column_label) if figures_in_rows else (column_label, row_label)
            )
            code = next((c for c, name in DISTRICTS.items() if place.startswith(name)), None)
            if figure not in hidden or code is None:
                continue
            if code in hidden[figure]:
                assert cell == DASH, (figure, place, cell)
            else:
                assert cell != DASH and re.search(r"\d", cell), (figure, place, cell)
            checked += 1
    return checked


def spec_values(html: str) -> list[dict[str, Any]]:
    """The data rows and map features of every Vega-Lite spec on a page."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node and isinstance(node["properties"], dict):
                found.append(node["properties"])
            elif "estimate" in node or "name" in node or "label" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for text in re.findall(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', html, re.S):
        walk(json.loads(text))
    return found


def url(name: str, wave: Any) -> str:
    """The German page (whatever language an earlier test left active)."""
    with translation.override("de"):
        return reverse(name, kwargs={"org": wave.organisation.slug, "wave": wave.slug})


@pytest.fixture
def wave(org_a: Any) -> Any:
    cache.clear()
    return make_analysis_wave(org_a, per_district=30, small={SMALL: 3})


@pytest.fixture
def analyst(analyst_a: Any) -> Client:
    client = Client()
    assert client.login(email=analyst_a.email, password=PASSWORD)
    return client


def test_hidden_figures_are_two_per_breakdown(wave: Any) -> None:
    hidden = hidden_figures(wave, "de")
    assert hidden and all(SMALL in groups and len(groups) == 2 for groups in hidden.values())


def test_command_line_and_api_hide_the_same_cells(wave: Any, analyst: Client) -> None:
    design = wave_design(wave)
    for indicator, _rows in key_indicators(design):
        share = ",".join(map(str, indicator.share))
        result = run_defus(
            "analysis", "estimate", wave.slug, "--items", indicator.item, "--by", "district",
            "--share", share,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)
        api_url = url("analysis:estimates_api", wave)
        api = analyst.get(
            api_url, {"items": indicator.item, "by": "district", "share": share}
        ).json()
        assert api == rows
        groups = [r for r in rows if r["by"] == "district"]
        hidden = [r for r in groups if r["suppressed"]]
        assert SMALL in {r["group"] for r in hidden} and len(hidden) == 2
        for row in hidden:
            assert [row[k] for k in ("n", "estimate", "se", "ci_low", "ci_high")] == [None] * 5
        assert not rows[0]["suppressed"], "the city total stays"
    # A difference between two groups would give a hidden figure away: hidden as well.
    compare = run_defus(
        "analysis", "compare", wave.slug, "--item", "A1", "--share", "1,2", "--by", "district",
        "--groups", f"{SMALL},01",
    )  # fmt: skip
    assert json.loads(compare.stdout)["difference"] is None


def test_dashboard_tables_charts_and_map_hide_them(wave: Any, analyst: Client) -> None:
    html = analyst.get(url("analysis:dashboard", wave), {"by": "district"}).content.decode()
    hidden = hidden_figures(wave, "de")
    checked = 0
    for table in tables_of(html):
        headers, _rows = table
        if sum(name in headers for name in DISTRICTS.values()) == len(DISTRICTS):
            checked += check_grid(table, hidden, figures_in_rows=True)
    assert checked >= len(hidden) * len(DISTRICTS)
    # Every table row of the small district shows dashes only.
    for _headers, rows in tables_of(html):
        for label, cells in rows:
            if label.startswith(DISTRICTS[SMALL]):
                assert all(cell == DASH for cell in cells), (label, cells)
    # The data behind charts and the map: no number for the small district.
    small = [v for v in spec_values(html) if DISTRICTS[SMALL] in (v.get("name"), v.get("label"))]
    assert small, "the small district is drawn (grey, with a note)"
    for value in small:
        assert value.get("estimate") is None and value.get("n") is None, value
        assert not re.search(r"\d+\s*%|\d,\d\d|n = \d", str(value.get("tooltip") or "")), value


def test_excel_tables_hide_them(wave: Any, tmp_path: Path) -> None:
    target = tmp_path / "tables.xlsx"
    result = run_defus("analysis", "tables", wave.slug, "--by", "district", "-o", str(target))
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(target, read_only=True)
    design = wave_design(wave)
    second = {
        r.codes[0]
        for r in estimate_item(design, "A1", by="district")
        if r.by and r.suppressed and r.group != SMALL and r.statistic == "share"
    }
    small_rows = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            if row and row[0] == DISTRICTS[SMALL]:
                assert all(cell == DASH for cell in row[2:6]), row
                small_rows += 1
    assert small_rows > 50 and second


def test_report_html_and_pdf_hide_them(wave: Any, analyst: Client, tmp_path: Path) -> None:
    html = analyst.get(url("analysis:report", wave)).content.decode()
    hidden = hidden_figures(wave, "de")
    checked = 0
    for table in tables_of(html):
        headers, rows = table
        # Districts × key figures (a table of the answers to D3, "your district", is not a
        # breakdown: its base is everyone).
        if set(headers) & set(hidden):
            checked += check_grid(table, hidden, figures_in_rows=False)
            for label, cells in rows:
                if label.startswith(DISTRICTS[SMALL]):
                    assert all(cell == DASH for cell in cells), (label, cells)
    assert checked >= len(DISTRICTS) * 2
    target = tmp_path / "report.pdf"
    result = run_defus("analysis", "report", wave.slug, "-o", str(target))
    assert result.returncode == 0, result.stderr
    text = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    # The district chapter's table (the answers to D3, "your district", have another base).
    chapter = text[text.rindex("Kernindikatoren nach Stadtteil") :]
    chapter = chapter[: chapter.index("Unsichere Orte")]
    lines = [line for line in chapter.splitlines() if DISTRICTS[SMALL] in line]
    assert lines and any(DISTRICTS["01"] in line for line in chapter.splitlines())
    for line in lines:
        after = line.split(DISTRICTS[SMALL], 1)[1]
        assert not re.search(r"\d+\s*%|\d+,\d\d", after), line
