"""The walk report: stops, scores, issues and photos on the page; the PDF's chapters; the
comparison of a repeat walk with the first; another city's walk stays out of reach; the page
passes axe (WCAG 2.2 AA) in a real Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from defus.walks.comparison import compare_walks, mean_score
from defus.walks.models import Stop
from defus.walks.report import build_walk_report, report_pdf_path
from tests.conftest import PASSWORD, make_person
from tests.support import check_axe

from .report_support import make_walk, simple_wave


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEFUS_BACKGROUND_SYNC = True
    cache.clear()
    return Path(settings.MEDIA_ROOT)


def report_url(walk: Any, name: str = "walks:report") -> str:
    return reverse(name, kwargs={"org": walk.organisation.slug, "walk": walk.pk})


@pytest.mark.django_db
def test_report_page_shows_stops_scores_issues_and_photos(
    client: Any, member_a: Any, org_a: Any, media: Path, english: None
) -> None:
    _wave, district = simple_wave(org_a)
    walk = make_walk(district)
    client.force_login(member_a)
    response = client.get(report_url(walk))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Bahnhofsvorplatz", "Unterführung Nord", "Parkplatz Ost", "Kleiner Platz"):
        assert name in html
    # participants as counts, facilitators, time of day
    assert "Frau Beispiel (Ordnungsamt)" in html and "women" in html and ">13<" in html
    # a stop's compact checklist: 12 criteria with 0–3 or "not assessed", and its mean
    assert html.count('class="checklist"') == 4
    assert "not assessed" in html
    stop = walk.stops.get(position=2)
    assert f"{mean_score(stop):.1f}" in html  # 0.36… → "0.4"? printed with one decimal
    # issues, most severe first
    high, medium, low = (
        html.index("Unterführung stockdunkel"),
        html.index("Hecke verdeckt"),
        html.index("Glasscherben"),
    )
    assert high < medium < low
    assert "Tiefbauamt" in html and "Leuchten ersetzen" in html
    # the photo through the permission-checked photo view, with its text alternative
    photo = stop.photos.get()
    src = reverse("walks:photo", kwargs={"org": org_a.slug, "photo": photo.pk})
    assert f'src="{src}"' in html and 'alt="Dunkle Unterführung"' in html
    assert client.get(src).status_code == 200
    # the route map's spec for vega-embed, with the district as its base
    assert 'id="route-spec"' in html and '"geoshape"' in html


@pytest.mark.django_db
def test_report_pdf_has_the_chapters_and_the_photo(
    client: Any, member_a: Any, org_a: Any, media: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install Debian's poppler-utils")
    _wave, district = simple_wave(org_a)
    walk = make_walk(district)
    client.force_login(member_a)
    response = client.get(report_url(walk, "walks:report_pdf"), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    target = media / "walk.pdf"
    target.write_bytes(b"".join(response.streaming_content))
    text = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    for chapter in ("1 Der Spaziergang", "2 Route", "3 Stationen", "4 Probleme"):
        assert chapter in text, chapter
    assert "Unterführung Nord" in text and "Tiefbauamt" in text and "nicht bewertet" in text
    images = subprocess.run(
        ["pdfimages", "-list", str(target)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"\bjpeg\b|\bimage\b", images), images  # the stop's photo is embedded
    # kept and reused until the walk changes
    path = report_pdf_path(walk, "de")
    assert path.is_file()
    Stop.objects.filter(walk=walk, position=1).update(notes="Neue Notiz")
    assert report_pdf_path(walk, "de") != path


@pytest.mark.django_db
def test_repeat_walk_is_compared_stop_by_stop(
    client: Any, member_a: Any, org_a: Any, media: Path, english: None
) -> None:
    _wave, district = simple_wave(org_a)
    first = make_walk(district, photos=False)
    # The repeat walks the route the other way round, its points a few metres off; the
    # fourth stop has no coordinates this time and is matched by its position.
    route = [
        ("Kleiner Platz", None, None),
        ("Parkplatz Ost", 49.91202, 8.45403),
        ("Unterführung Nord", 49.90805, 8.44898),
        ("Bahnhofsvorplatz", 49.90498, 8.44502),
    ]
    scores = [
        [1] * 12,
        [2, 3, 2, 1, 1, 1, 2, 2, 2, 3, 1, None],
        [3, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, None],  # new lighting: 0 → 3
        [1, 2, 1, 2, 1, 0, 2, 3, 1, 2, None, 1],
    ]
    repeat = make_walk(
        district,
        title="Wiederholung mit Jugendlichen",
        repeat_of=first,
        route=route,
        scores=scores,
        time_of_day="dusk",
        photos=False,
        issues=False,
    )
    pairs = compare_walks(first, repeat)
    matched = {
        p.repeat.name: (p.first.name if p.first else None, p.matched_by) for p in pairs if p.repeat
    }
    assert matched["Unterführung Nord"] == ("Unterführung Nord", "distance")
    assert matched["Bahnhofsvorplatz"] == ("Bahnhofsvorplatz", "distance")
    # position 1 of the repeat has no coordinates: the first walk's stop 1 is taken by
    # distance already, so it stays unmatched rather than being paired with another place
    assert matched["Kleiner Platz"] == (None, "")
    underpass = next(p for p in pairs if p.repeat and p.repeat.name == "Unterführung Nord")
    lighting = underpass.criteria[0]
    assert (lighting.key, lighting.first, lighting.repeat, lighting.change) == ("lighting", 0, 3, 3)
    signage = underpass.criteria[11]
    assert (signage.first, signage.repeat, signage.change) == (None, None, None)
    assert underpass.distance is not None and underpass.distance < 10
    assert underpass.first_feeling == 1 and underpass.repeat_feeling == 3
    assert underpass.feeling_change == 2
    assert underpass.mean_change == pytest.approx(
        mean_score(underpass.repeat) - mean_score(underpass.first)
    )
    # the first walk's stop 4 was not matched by the repeat: listed, not lost
    assert any(p.first and p.first.name == "Kleiner Platz" and p.repeat is None for p in pairs)

    report = build_walk_report(repeat, "en")
    assert report.comparison is not None
    table = report.comparison.tables[0]
    assert table.stops == ["2. Parkplatz Ost", "3. Unterführung Nord", "4. Bahnhofsvorplatz"]
    cell = table.rows[0].cells[1]  # lighting at the underpass
    assert (cell.first, cell.repeat, cell.change, cell.direction) == ("0", "3", "+3", "up")
    client.force_login(member_a)
    html = client.get(report_url(repeat)).content.decode()
    assert "Comparison with the first walk" in html and "0 → 3" in html
    assert "Kleiner Platz" in html.split("Stops of the first walk not visited again")[1]


@pytest.mark.django_db
def test_planned_walk_without_stops_or_boundary_still_reports(
    client: Any, member_a: Any, org_a: Any, media: Path, english: None
) -> None:
    _wave, district = simple_wave(org_a)
    district.boundary = None
    district.save()
    walk = make_walk(district, route=[], photos=False, issues=False)
    client.force_login(member_a)
    html = client.get(report_url(walk)).content.decode()
    assert "The walk has no stops yet." in html and "No map" in html
    assert client.get(report_url(walk, "walks:report_pdf")).status_code == 200


@pytest.mark.django_db
def test_another_citys_walk_report_is_not_found(
    client: Any, org_a: Any, admin_b: Any, org_b: Any, media: Path
) -> None:
    _wave, district = simple_wave(org_a)
    walk = make_walk(district, photos=False)
    client.force_login(admin_b)
    for name in ("walks:report", "walks:report_pdf"):
        assert client.get(report_url(walk, name)).status_code == 404
        url = reverse(name, kwargs={"org": org_b.slug, "walk": walk.pk})
        assert client.get(url).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_report_page_is_accessible(
    page: Any, live_server: Any, org_a: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    _wave, district = simple_wave(org_a)
    first = make_walk(district, photos=False)
    walk = make_walk(district, title="Wiederholung", repeat_of=first)
    make_person("member@musterstadt.example", org_a, "member")
    page.goto(live_server.url + "/en/accounts/login/")
    page.fill("input[name=login]", "member@musterstadt.example")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    for language in ("", "/fr"):
        page.goto(f"{live_server.url}{language}/o/{org_a.slug}/walks/{walk.pk}/report/")
        page.wait_for_selector("[data-chart][data-ready] svg")
        assert page.locator("img[alt='Dunkle Unterführung']").count() == 1
        assert page.evaluate("document.querySelector('.photo img').naturalWidth") > 0
        check_axe(page, f"walk-report{language or '/de'}")
