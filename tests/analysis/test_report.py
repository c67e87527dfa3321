"""The wave report: chapters, figures equal to results.py, charts and maps in the PDF, the PDF
kept until new answers arrive, languages, suppression, comparison, errors and the command."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from defus.analysis import charts, formatting
from defus.analysis.margins import wave_design
from defus.analysis.report import (
    build_report,
    inline_svg,
    previous_wave,
    render_report_html,
    report_pdf_path,
)
from defus.analysis.results import key_indicators
from defus.demo.synthetic import Respondent, synthetic_answers
from defus.fieldwork.models import AccessCode, District, Response, Wave
from defus.fieldwork.services.responses import record_response
from defus.organisations.models import User
from tests.conftest import make_person

from .support import make_analysis_wave, tables_of

pytestmark = pytest.mark.django_db

DEMO_WAVE = "musterstadt-2026"


@pytest.fixture(autouse=True)
def fresh(settings: Any, tmp_path: Path) -> None:
    """PDFs in a folder of this test; no cached answers of another test's wave."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEFUS_BACKGROUND_SYNC = True  # the PDF is made within the request
    cache.clear()


def flat(text: str) -> str:
    """Whitespace (line breaks, no-break spaces) as single spaces, as a reader sees it."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install Debian's poppler-utils (make test does)")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def page_pixels(pdf: bytes, page: int, tmp_path: Path) -> list[tuple[int, int, int]]:
    """The RGB pixels of one page at 40 dpi (pdftoppm)."""
    from PIL import Image

    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", str(page), "-l", str(page), str(path),
         str(tmp_path / "page")],
        check=True,
    )  # fmt: skip
    image = Image.open(next(tmp_path.glob("page-*.png"))).convert("RGB")
    return [tuple(p) for p in np.asarray(image).reshape(-1, 3).tolist()]


def near(pixel: tuple[int, int, int], colour: str, tolerance: int = 12) -> bool:
    target = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, target, strict=True))


def test_demo_report_pdf_has_every_chapter_the_figures_and_drawn_charts(
    client: Any, tmp_path: Path
) -> None:
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    wave = Wave.objects.get(slug=DEMO_WAVE)
    client.force_login(User.objects.get(email="analyst@musterstadt.example"))
    url = f"/en/o/{wave.organisation.slug}/analysis/{wave.slug}/report.pdf"

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    text = flat(pdf_text(pdf, tmp_path))

    # Chapters: summary, one per module of the questionnaire, districts, places, methods.
    headings = ["1 Summary"]
    number = 2
    for module in wave.instrument.modules:
        headings.append(f"{number} {module.title['en']}")
        number += 1
    headings += [f"{number} Districts", f"{number + 1} Unsafe places"]
    if previous_wave(wave) is not None:  # the demo has an earlier wave of Musterstadt
        headings.append(f"{number + 2} Comparison with the previous wave")
        number += 1
    headings.append(f"{number + 2} Methods")
    for heading in headings:
        assert text.count(heading) >= 2, heading  # in the contents and as the chapter

    # The key indicators as results.py has them, written as the dashboard writes them.
    design = wave_design(wave)
    for indicator, rows in key_indicators(design, language="en"):
        overall = rows[0]
        share = formatting.format_share(overall.estimate, "en")
        ci = formatting.format_ci(overall.ci_low, overall.ci_high, "en")
        assert share == charts.format_estimate(overall, "en")
        assert ci == charts.format_ci(overall, "en")
        assert flat(f"{share} ({ci}) {indicator.label['en']}") in text

    # … and as the dashboard shows them: the same figure and interval in its summary table.
    dashboard = client.get(f"/en/o/{wave.organisation.slug}/analysis/{wave.slug}/")
    summary = dict(  # the first such table: the random sample (the open link's comes later)
        next(
            rows
            for headers, rows in tables_of(dashboard.content.decode())
            if headers and headers[0] == "Key indicator"
        )
    )
    for indicator, rows in key_indicators(design, language="en"):
        cells = summary[indicator.label["en"]]
        assert cells[0] == charts.format_estimate(rows[0], "en") and cells[0] in text
        assert cells[1] == charts.format_ci(rows[0], "en") and cells[1] in text

    # Charts and maps are vector drawings: their axis titles and legends are text in the PDF,
    # and the bars are drawn in the charts' colour on the summary page.
    assert "share of answers" in text
    assert "share (95 % confidence interval)" in text
    assert any(near(p, charts.BAR) for p in page_pixels(pdf, 3, tmp_path))

    # Kept until new answers arrive: the second request sends the same file.
    path = report_pdf_path(wave, "en")
    made = path.stat().st_mtime_ns
    again = client.get(url)
    assert b"".join(again.streaming_content) == pdf
    assert path.stat().st_mtime_ns == made
    code = AccessCode.objects.filter(wave=wave, used=False).first()
    assert code is not None
    record_response(wave, {"A1": 2}, mode="web", language="en", access_code=code)
    assert report_pdf_path(wave, "en") != path


def test_html_report_in_french_has_french_headings(client: Any, org_a: Any) -> None:
    wave = make_analysis_wave(org_a, per_district=25)
    client.force_login(make_person("member@musterstadt.example", org_a, "member"))
    response = client.get(f"/fr/o/{org_a.slug}/analysis/{wave.slug}/report/")
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("1 Synthèse", "Votre sentiment de sécurité", "Quartiers", "Méthodes"):
        assert heading in html, heading
    assert "Summary" not in html and "Methods" not in html
    assert 'lang="fr"' in html and "<svg" in html
    assert f"/fr/o/{org_a.slug}/analysis/{wave.slug}/report.pdf" in html


def test_small_districts_are_suppressed_with_a_second_one(org_a: Any) -> None:
    wave = make_analysis_wave(org_a, per_district=30, small={"04": 3})
    report = build_report(wave, "de")
    overview = report.districts
    assert overview is not None
    rows = {row.code: row for row in overview.rows}
    assert all(cell.suppressed and cell.value == "–" for cell in rows["04"].cells)
    for column in range(len(overview.indicators)):
        hidden = [row.code for row in overview.rows if row.cells[column].suppressed]
        assert "04" in hidden and len(hidden) >= 2  # secondary suppression
    html = render_report_html(report)
    assert "weniger als 5 Befragten" in html


def test_comparison_with_the_previous_wave_of_the_same_instrument(org_a: Any) -> None:
    import datetime

    before = make_analysis_wave(
        org_a, slug="befragung-2024", seed=3, field_start=datetime.date(2024, 3, 1)
    )
    now = make_analysis_wave(org_a, slug="befragung-2026", seed=5)
    report = build_report(now, "en")
    comparison = report.comparison
    assert comparison is not None and comparison.title == before.title
    indicators = key_indicators(wave_design(now), language="en")
    assert [row["label"] for row in comparison.rows] == [
        ind.label["en"] for ind, _rows in indicators
    ]
    earlier = key_indicators(wave_design(before), language="en")
    first, rows = indicators[0]
    assert comparison.rows[0]["now"] == formatting.format_estimate(rows[0], "en")
    previous_rows = next(r for ind, r in earlier if ind.code == first.code)
    assert comparison.rows[0]["before"] == formatting.format_estimate(previous_rows[0], "en")
    assert comparison.chart is not None
    assert build_report(before, "en").comparison is None  # nothing earlier


def test_a_wave_that_cannot_be_weighted_gets_a_clear_message(client: Any, org_a: Any) -> None:
    wave = make_analysis_wave(org_a, per_district=10)
    District.objects.filter(wave=wave, code="02").update(population={})
    client.force_login(make_person("analyst@musterstadt.example", org_a, "analyst"))
    for suffix in ("report/", "report.pdf"):
        response = client.get(f"/en/o/{org_a.slug}/analysis/{wave.slug}/{suffix}")
        assert response.status_code == 409
        assert "cannot be weighted" in response.content.decode()
        assert "02" in response.content.decode()


def test_report_command_writes_html_and_refuses_other_files(
    org_a: Any, tmp_path: Path, english: None
) -> None:
    wave = make_analysis_wave(org_a, per_district=20)
    output = tmp_path / "bericht.html"
    call_command("analysis", "report", wave.slug, "-o", str(output), "--language", "fr")
    html = output.read_text(encoding="utf-8")
    assert "Méthodes" in html and "<svg" in html
    with pytest.raises(CommandError, match=r"\.pdf or \.html"):
        call_command("analysis", "report", wave.slug, "-o", str(tmp_path / "bericht.docx"))


def test_open_link_answers_are_counted_but_not_in_the_figures(org_a: Any) -> None:
    wave = make_analysis_wave(org_a, per_district=20, open_link=7)
    report = build_report(wave, "en")
    assert report.methods.open_link == "7"
    n_sample = Response.objects.filter(wave=wave, source=Response.Source.SAMPLE).count()
    assert report.indicators[0].cell.n != ""  # a figure, from the sample only
    design = wave_design(wave)
    assert design.diagnostics()["n"] == n_sample


def test_places_are_ranked_from_results(org_a: Any) -> None:
    import random

    wave = make_analysis_wave(org_a, per_district=20)
    rng = random.Random(1)
    district = District.objects.get(wave=wave, code="01")
    for index in range(6):
        code = AccessCode.objects.create(wave=wave, code=f"PLACE{index:05d}", district=district)
        answers = synthetic_answers(
            wave.instrument, Respondent(gender="male", age=30, district=1), rng
        )
        answers.update({"K1": 1, "K3": "am Hauptbahnhof nachts"})
        record_response(wave, answers, mode="web", language="de", access_code=code)
    report = build_report(wave, "en")
    first = report.places[0]
    assert first.name == "Hauptbahnhof" and first.rank == 1 and not first.suppressed
    assert report.top_places[0].name == "Hauptbahnhof"


def test_chart_svg_is_prepared_for_inlining() -> None:
    """Legend gradients in user space (WeasyPrint paints only those), ids unique per chart,
    Vega's unnamed mark roles removed (the figure's text alternative names the chart)."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40"><defs>'
        '<linearGradient id="gradient_1" x1="0" x2="1" y1="0" y2="0"><stop offset="0"/>'
        '</linearGradient></defs><g role="graphics-symbol" aria-roledescription="legend">'
        '<path d="M0,0h240v16h-240Z" fill="url(#gradient_1)"/></g></svg>'
    )
    out = inline_svg(svg, "c7-")
    assert '<linearGradient id="c7-gradient_1" x1="0" x2="240" y1="0" y2="0"' in out
    assert 'gradientUnits="userSpaceOnUse"' in out and 'fill="url(#c7-gradient_1)"' in out
    assert "role=" not in out and 'aria-hidden="true"' in out


@pytest.mark.django_db(transaction=True)  # the worker thread reads the wave on its own connection
def test_pdf_is_made_in_the_background_and_then_served(
    client: Any, org_a: Any, settings: Any
) -> None:
    import time

    settings.DEFUS_BACKGROUND_SYNC = False
    wave = make_analysis_wave(org_a, per_district=20)
    client.force_login(make_person("analyst@musterstadt.example", org_a, "analyst"))
    url = f"/en/o/{org_a.slug}/analysis/{wave.slug}/report.pdf"
    first = client.get(url)
    assert first.status_code == 202
    assert "being prepared" in first.content.decode()
    assert f'href="{url}"' in first.content.decode()
    for _attempt in range(240):  # the worker thread writes the file; poll for it
        response = client.get(url)
        if response.status_code == 200:
            break
        assert response.status_code == 202
        time.sleep(0.5)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
