"""The unsafe-places map: survey places (never a hidden share), walk stops and issues as
switchable layers, its GeoJSON, tiles when configured, another city's map out of reach, and
axe (WCAG 2.2 AA) on the page in a real Chromium."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from defus.analysis.margins import wave_design
from defus.analysis.results import minimum_cell, unsafe_places
from defus.fieldwork.models import District
from defus.walks.placesmap import build_map, place_shares
from tests.analysis.support import make_analysis_wave
from tests.conftest import PASSWORD, make_person
from tests.support import check_axe

from .report_support import make_walk

SUPPRESSED_PLACE = "Stadtpark"  # named by very few respondents in make_analysis_wave


def map_url(wave: Any, name: str = "walks:map") -> str:
    return reverse(name, kwargs={"org": wave.organisation.slug, "wave": wave.slug})


@pytest.fixture
def mapped_wave(org_a: Any, settings: Any) -> Any:
    """Many name the station, few the park: the minimum is set just above the park's count."""
    wave = make_analysis_wave(org_a, per_district=30)
    make_walk(District.objects.get(wave=wave, code="02"))
    counts, _uncoded = unsafe_places(wave_design(wave), list(wave.places.all()), minimum=0)
    mentions = {p.name: p.mentions for p in counts}
    assert 0 < mentions[SUPPRESSED_PLACE] < mentions["Hauptbahnhof"]
    settings.DEFUS_MIN_CELL = mentions[SUPPRESSED_PLACE] + 1
    return wave


def no_hidden_share(features: list[dict[str, Any]]) -> None:
    for feature in features:
        properties = feature["properties"]
        if properties.get("suppressed"):
            assert properties["share"] is None and properties["mentions"] is None, properties


@pytest.mark.django_db
def test_geojson_has_the_layers_and_never_a_hidden_share(
    client: Any, member_a: Any, mapped_wave: Any, english: None
) -> None:
    client.force_login(member_a)
    response = client.get(map_url(mapped_wave, "walks:map_geojson"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    layers = {f["properties"]["layer"] for f in data["features"]}
    assert layers == {"district", "survey_place", "walk_stop", "issue"}
    places = {
        f["properties"]["name"]: f
        for f in data["features"]
        if f["properties"]["layer"] == "survey_place"
    }
    station = places["Hauptbahnhof"]["properties"]
    assert station["suppressed"] is False and 0 < station["share"] < 1
    assert station["mentions"] >= minimum_cell()
    park = places[SUPPRESSED_PLACE]["properties"]
    assert park["suppressed"] is True and park["share"] is None and park["mentions"] is None
    # places without coordinates sit at their district's centre
    assert places["Hauptbahnhof"]["geometry"]["type"] == "Point"
    assert station["located"] == "district"
    no_hidden_share(data["features"])
    stops = [f for f in data["features"] if f["properties"]["layer"] == "walk_stop"]
    assert len(stops) == 4
    assert {f["properties"]["score"] for f in stops} >= {None}
    issues = [f for f in data["features"] if f["properties"]["layer"] == "issue"]
    assert {f["properties"]["department"] for f in issues} == {
        "Abfallwirtschaft",
        "Tiefbauamt",
        "Grünflächenamt",
    }
    # every group: the same rule
    for group in ("gender:female", "gender:male", "age_group:18-29", "age_group:65+"):
        response = client.get(map_url(mapped_wave, "walks:map_geojson") + f"?group={group}")
        no_hidden_share(json.loads(response.content)["features"])


@pytest.mark.django_db
def test_group_shares_keep_disclosure_control(mapped_wave: Any) -> None:
    design = wave_design(mapped_wave)
    places = list(mapped_wave.places.all())
    for by, group in (("gender", "female"), ("gender", "male"), ("age_group", "18-29")):
        shares = {p.code: p for p in place_shares(design, places, by=by, group=group)}
        park = shares["STP"]  # fewer in each group than in all: hidden everywhere
        assert park.suppressed and park.share is None and park.mentions == 0
        station = shares["HBF"]
        if not station.suppressed:
            assert station.mentions >= minimum_cell() and station.share is not None


@pytest.mark.django_db
def test_map_page_layers_and_table(
    client: Any, member_a: Any, mapped_wave: Any, english: None, settings: Any
) -> None:
    client.force_login(member_a)
    html = client.get(map_url(mapped_wave)).content.decode()
    for text in ("Hauptbahnhof", SUPPRESSED_PLACE, "Unterführung Nord", "Tiefbauamt"):
        assert text in html
    spec = json.loads(
        re.search(
            r'<script id="map-spec" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    # the chart's data: the hidden place only with its note, no number
    hidden = [
        v
        for layer in spec["layer"]
        for v in layer.get("data", {}).get("values", [])
        if SUPPRESSED_PLACE in str(v)
    ]
    assert hidden and all("share" not in v for v in hidden)
    assert not any(
        layer["mark"]["type"] == "image"
        for layer in spec["layer"]
        if isinstance(layer["mark"], dict)
    )
    # only the stops: the form without JavaScript
    html = client.get(map_url(mapped_wave) + "?shown=1&layer=stops").content.decode()
    assert "Unterführung Nord" in html and "Hauptbahnhof" not in html and "Tiefbauamt" not in html
    data = json.loads(
        client.get(map_url(mapped_wave, "walks:map_geojson") + "?shown=1&layer=stops").content
    )
    assert {f["properties"]["layer"] for f in data["features"]} == {"district", "walk_stop"}
    # tiles under the layers when a tile server is configured
    settings.DEFUS_MAP_TILE_URL = "https://tile.example/{z}/{x}/{y}.png"
    settings.DEFUS_MAP_TILE_ATTRIBUTION = "© Beispiel-Kartendienst"
    places_map = build_map(mapped_wave, "en")
    tiles = places_map.spec()["layer"][0]
    assert tiles["mark"]["type"] == "image"
    urls = [t["url"] for t in tiles["data"]["values"]]
    assert urls and all(re.fullmatch(r"https://tile\.example/\d+/\d+/\d+\.png", u) for u in urls)
    assert "© Beispiel-Kartendienst" in client.get(map_url(mapped_wave)).content.decode()


@pytest.mark.django_db
def test_another_citys_map_is_not_found(
    client: Any, mapped_wave: Any, admin_b: Any, org_b: Any
) -> None:
    client.force_login(admin_b)
    for name in ("walks:map", "walks:map_geojson"):
        assert client.get(map_url(mapped_wave, name)).status_code == 404
        url = reverse(name, kwargs={"org": org_b.slug, "wave": mapped_wave.slug})
        assert client.get(url).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_page_is_accessible(page: Any, live_server: Any, org_a: Any) -> None:
    wave = make_analysis_wave(org_a, per_district=20)
    make_walk(District.objects.get(wave=wave, code="02"), photos=False)
    make_person("member@musterstadt.example", org_a, "member")
    page.goto(live_server.url + "/en/accounts/login/")
    page.fill("input[name=login]", "member@musterstadt.example")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    for language in ("", "/fr"):
        page.goto(f"{live_server.url}{language}/o/{org_a.slug}/walks/map/{wave.slug}/")
        page.wait_for_selector("[data-chart][data-ready] svg")
        check_axe(page, f"walk-map{language or '/de'}")
    # the layer form works by keyboard and reloads the page
    page.locator("input[name=layer][value=places]").focus()
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.locator("form.map-layers button").press("Enter")
    assert "layer=stops" in page.url and "layer=places" not in page.url
