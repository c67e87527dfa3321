"""The one-page overview for the council: sections, one A4 page in the PDF (WeasyPrint),
figures as the evaluation prints them, the web page and `defus measures report/list`."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from defus.strategy.evaluation import evaluate, evaluation_table
from defus.strategy.models import Measure
from defus.strategy.overview import overview_pdf

from .support import make_measure, make_priority, page_text, two_waves

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh() -> None:
    cache.clear()


def flat(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def pdf_facts(pdf: bytes, tmp_path: Path) -> tuple[str, int]:
    """The PDF's text and its number of pages (poppler-utils)."""
    for tool in ("pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: install Debian's poppler-utils")
    path = tmp_path / "overview.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    return flat(text.stdout.decode()), pages


def typical_city(organisation: Any) -> list[Any]:
    """Four priorities with three measures each, on two waves."""
    before, _now = two_waves(organisation, per_district=20)
    priorities = [
        make_priority(
            organisation,
            before,
            problem="Women avoid the station at night",
            group_by="gender",
            group="female",
            target=60,
        ),
        make_priority(
            organisation,
            before,
            problem="Older people avoid the park",
            item="A3_07",
            group_by="age_group",
            group="75+",
            target=55,
        ),
        make_priority(
            organisation,
            before,
            problem="Worry about crime in Bahnhofsviertel",
            item="K1",
            share=[1],
            group_by="district",
            group="02",
            target=20,
        ),
        make_priority(
            organisation,
            before,
            problem="Feeling unsafe after dark",
            item="SAFETY_NIGHT",
            share=[],
            target=2.2,
            label="index",
        ),
    ]
    statuses = list(Measure.Status.values)
    for number, priority in enumerate(priorities):
        for index in range(3):
            make_measure(
                priority,
                title=f"Measure {number + 1}.{index + 1}: lighting, paths and presence",
                status=statuses[(number + index) % len(statuses)],
                start=datetime.date(2026, 1 + index, 1),
                end=datetime.date(2027, 1 + index, 1),
            )
    return priorities


def test_overview_pdf_is_one_page_with_every_section(org_a: Any, tmp_path: Path) -> None:
    priorities = typical_city(org_a)
    text, pages = pdf_facts(overview_pdf(org_a, "en"), tmp_path)
    assert pages == 1
    assert "Musterstadt" in text
    assert "Safety strategy: priorities, measures and evaluation" in text
    for heading in ("Priority", "Indicator", "Baseline", "Now", "Target", "Measures"):
        assert heading in text
    assert "4 priorities" in text and "12 measures" in text
    for priority in priorities:
        assert priority.problem in text
        figure = evaluation_table(evaluate(priority, "en"), "en")
        assert flat(figure["baseline"]["value"]) in text
        if figure["current"]["ci"] not in ("", "–"):
            assert flat(figure["current"]["ci"]) in text
    assert "Measure 4.3: lighting, paths and presence" in text
    assert "95 % confidence intervals" in text


def test_overview_in_german_and_the_web_page(
    client: Client, admin_a: Any, member_a: Any, org_a: Any, tmp_path: Path
) -> None:
    typical_city(org_a)
    text, _pages = pdf_facts(overview_pdf(org_a, "de"), tmp_path)
    assert "Sicherheitsstrategie" in text or "Prioritäten" in text
    client.force_login(member_a)
    page = page_text(client.get(f"/en/o/{org_a.slug}/strategy/overview/"))
    assert "Women avoid the station at night" in page and "overview.pdf" in page
    response = client.get(f"/en/o/{org_a.slug}/strategy/overview.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_command_writes_pdf_and_html_and_lists(org_a: Any, tmp_path: Path, capsys: Any) -> None:
    typical_city(org_a)
    target = tmp_path / "overview.pdf"
    call_command("measures", "report", org_a.slug, "-o", str(target), "--language", "en")
    text, pages = pdf_facts(target.read_bytes(), tmp_path)
    assert pages == 1 and "Older people avoid the park" in text
    html = tmp_path / "overview.html"
    call_command("measures", "report", org_a.slug, "-o", str(html), "--language", "fr")
    assert '<html lang="fr">' in html.read_text(encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("measures", "report", org_a.slug, "-o", str(tmp_path / "x.docx"))
    with pytest.raises(CommandError):
        call_command("measures", "report", "nowhere", "-o", str(target))
    call_command("measures", "list", org_a.slug, "--language", "en")
    out = capsys.readouterr().out
    assert "1. Women avoid the station at night" in out
    assert "baseline" in out and "target 60%" in out
    assert "- Measure 1.1: lighting, paths and presence" in out
