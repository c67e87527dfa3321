"""The results dashboard and its JSON API: figures equal to results.py, in three languages,
htmx fragments, caching until new answers, comparisons only where allowed, permissions."""

from __future__ import annotations

import datetime
import io
import json
import random
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from defus.analysis import charts
from defus.analysis.dashboard import Dashboard, previous_wave
from defus.analysis.margins import wave_design
from defus.analysis.results import (
    JSON_KEYS,
    base_statement,
    estimate_item,
    key_indicators,
    wave_difference,
)
from defus.demo.synthetic import Respondent, synthetic_answers
from defus.fieldwork.models import AccessCode, District, Wave
from defus.fieldwork.services.responses import record_response
from defus.organisations.models import Organisation
from tests.conftest import make_person

from .support import make_analysis_wave

pytestmark = pytest.mark.django_db

PREFIX = {"de": "", "en": "/en", "fr": "/fr"}


def dashboard_url(wave: Wave, language: str = "de", query: str = "") -> str:
    return f"{PREFIX[language]}/o/{wave.organisation.slug}/analysis/{wave.slug}/{query}"


def api_url(wave: Wave, query: str, language: str = "en") -> str:
    return (
        f"{PREFIX[language]}/o/{wave.organisation.slug}/analysis/{wave.slug}/estimates.json?{query}"
    )


@pytest.fixture
def wave(org_a: Any) -> Wave:
    return make_analysis_wave(org_a, per_district=60, open_link=8)


@pytest.fixture
def admin(client: Client, admin_a: Any) -> Client:
    client.force_login(admin_a)
    return client


@pytest.mark.parametrize("language", ["de", "en", "fr"])
def test_dashboard_shows_the_key_indicators_of_results_py(admin: Client, wave: Wave, language):
    response = admin.get(dashboard_url(wave, language))
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override(language):
        design = wave_design(wave)
        statement = base_statement(design)
        indicators = key_indicators(design, language=language)
        assert escape(statement) in html
        for indicator, rows in indicators:
            overall = rows[0]
            assert overall.by is None and not overall.suppressed
            label = escape(indicator.label[language])
            estimate = charts.format_estimate(overall, language)
            ci = charts.format_ci(overall, language)
            row = f'<th scope="row">{label}</th><td class="num">{estimate}</td>'
            assert row + f'<td class="num">{ci}</td><td class="num">{overall.n}</td>' in html
    heading = {"de": "Ergebnisse: ", "en": "Results: ", "fr": "Résultats\u00a0: "}[language]
    assert f"<h1>{heading}{wave.title}</h1>" in html
    # Every question module, the indices with alpha, the unsafe places, the open link apart.
    assert 'id="module-AFF"' in html and 'id="module-DEM"' in html
    assert "Cronbach" in html
    assert "Hauptbahnhof" in html
    assert 'id="open-link-heading"' in html


def test_charts_on_the_page_carry_no_suppressed_number(admin: Client, org_a: Any) -> None:
    wave = make_analysis_wave(org_a, per_district=40, small={"04": 3}, slug="klein-2026")
    response = admin.get(dashboard_url(wave, "en", "?by=district&map=SAFE_CITY"))
    html = response.content.decode()
    design = wave_design(wave)
    rows = estimate_item(design, "A4", by="district", share=[1, 2])
    hidden = [r for r in rows if r.suppressed]
    assert len(hidden) == 2  # the small district and the one that would give it away
    for row in hidden:
        assert repr(row.estimate) not in html
        assert json.dumps(row.estimate) not in html
    assert "fewer than 5 respondents" in html
    assert "not shown: based on fewer than 5 respondents" in html


def test_htmx_request_returns_only_the_fragment(admin: Client, wave: Wave) -> None:
    query = "?part=breakdown&by=gender&figure=SAFE_CITY"
    fragment = admin.get(dashboard_url(wave, "en", query), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "<html" not in text and "<h1>" not in text and 'id="by"' not in text
    assert "by gender" in text and "women" in text
    assert 'data-chart="chart-breakdown-spec"' in text
    assert "HX-Request" in fragment["Vary"]
    # The same URL without htmx (no JavaScript: a normal GET form) is the whole page.
    page = admin.get(dashboard_url(wave, "en", query))
    assert "<html" in page.content.decode()
    assert '<option value="gender" selected>' in page.content.decode()
    map_fragment = admin.get(
        dashboard_url(wave, "en", "?part=map&map=AVOIDANCE"), HTTP_HX_REQUEST="true"
    )
    assert "<html" not in map_fragment.content.decode()
    assert "Map shown: changed what they do" in map_fragment.content.decode()


def test_unknown_filter_values_fall_back_to_the_defaults(admin: Client, wave: Wave) -> None:
    response = admin.get(dashboard_url(wave, "en", "?by=<script>&figure=nope&map=%00&part=x"))
    assert response.status_code == 200
    assert '<option value="district" selected>' in response.content.decode()
    assert "<script>&" not in response.content.decode()


def test_dashboard_is_cached_until_new_answers_arrive(
    admin: Client, wave: Wave, django_assert_max_num_queries: Any
) -> None:
    admin.get(dashboard_url(wave, "en"))
    with django_assert_max_num_queries(21):  # 20 + the header's notifications link
        again = admin.get(dashboard_url(wave, "en"))
    dashboard = Dashboard(wave, "en")
    filters = dashboard.filters({})
    html = dashboard.section("summary", filters)
    assert html in again.content.decode()
    before = wave_design(wave).diagnostics()["n"]
    district = District.objects.get(wave=wave, code="03")
    code = AccessCode.objects.create(wave=wave, code="LATEANSWER1", district=district)
    respondent = Respondent(gender="male", age=50, district=3)
    answers = synthetic_answers(wave.instrument, respondent, random.Random(1))
    record_response(wave, answers, mode="web", language="de", access_code=code)
    fresh = admin.get(dashboard_url(wave, "en")).content.decode()
    assert f"<dd>{before + 1}</dd>" in fresh


def test_wave_without_answers_shows_an_empty_state(admin: Client, org_a: Any) -> None:
    wave = make_analysis_wave(org_a, per_district=0, slug="leer-2026")
    response = admin.get(dashboard_url(wave, "en"))
    assert response.status_code == 200
    assert "There are no answers in this wave yet" in response.content.decode()


def test_weighting_problem_is_explained_not_a_server_error(admin: Client, wave: Wave) -> None:
    District.objects.filter(wave=wave, code="02").update(population={})
    response = admin.get(dashboard_url(wave, "en"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The random sample cannot be weighted" in html
    assert "No population figures for district(s) 02" in html
    # The open-link answers are still shown, apart and labelled.
    assert 'id="open-link-heading"' in html
    api = admin.get(api_url(wave, "items=A1"))
    assert api.status_code == 400 and "02" in api.json()["error"]


def test_previous_wave_is_compared_on_figures_asked_in_both(admin: Client, org_a: Any) -> None:
    before = make_analysis_wave(
        org_a, slug="alt-2024", per_district=30, seed=3, field_start=datetime.date(2024, 3, 1)
    )
    now = make_analysis_wave(org_a, slug="neu-2026", per_district=30, seed=4)
    assert previous_wave(now) == before and previous_wave(before) is None
    html = admin.get(dashboard_url(now, "en")).content.decode()
    assert "Compared with the previous wave" in html and escape(f"“{before.title}”") in html
    now_row = estimate_item(wave_design(now), "A4", share=[1, 2])[0]
    before_row = estimate_item(wave_design(before), "A4", share=[1, 2])[0]
    difference = wave_difference(now_row, before_row)
    assert charts.format_p(difference["p_value"], "en") in html
    text = charts.format_difference(difference["difference"], "share", "en")
    assert escape(text) in html
    older = admin.get(dashboard_url(before, "en")).content.decode()
    assert "There is no earlier wave of this questionnaire with answers." in older


def test_other_cities_only_when_both_agreed(admin: Client, org_a: Any, org_b: Any) -> None:
    wave = make_analysis_wave(org_a, slug="muster-2026", per_district=30)
    other = make_analysis_wave(org_b, slug="beispiel-2026", per_district=30, seed=11)
    org_b.compare_results = True
    org_b.save()
    html = admin.get(dashboard_url(wave, "en")).content.decode()
    assert "Beispielburg" not in html and other.title not in html
    assert "Take part in the comparison of cities" in html

    # The admin switches the comparison on (POST with CSRF on the page).
    response = admin.post(dashboard_url(wave, "en") + "compare/", {"compare_results": "1"})
    assert response.status_code == 302
    assert Organisation.objects.get(pk=org_a.pk).compare_results
    html = admin.get(dashboard_url(wave, "en")).content.decode()
    assert f"Beispielburg ({other.title})" in html
    theirs = estimate_item(wave_design(other), "A1", share=[1, 2])[0]
    assert charts.format_ci(theirs, "en") in html

    # A city that withdraws disappears at once, though nothing new was answered.
    org_b.compare_results = False
    org_b.save()
    html = admin.get(dashboard_url(wave, "en")).content.decode()
    assert "Beispielburg" not in html


def test_only_people_managers_switch_the_comparison(client: Client, org_a: Any, wave) -> None:
    analyst = make_person("analyst2@musterstadt.example", org_a, "analyst")
    client.force_login(analyst)
    page = client.get(dashboard_url(wave, "en")).content.decode()
    assert "Take part in the comparison of cities" not in page
    assert "An administrator of your organisation can switch this on here." in page
    response = client.post(dashboard_url(wave, "en") + "compare/", {"compare_results": "1"})
    assert response.status_code == 403
    assert not Organisation.objects.get(pk=org_a.pk).compare_results


def test_member_sees_results_but_not_the_wave_back_office(client: Client, org_a, wave) -> None:
    member = make_person("member2@musterstadt.example", org_a, "member")
    client.force_login(member)
    html = client.get(dashboard_url(wave, "en")).content.decode()
    assert "Key indicators" in html
    assert "/waves/" not in html  # no links to pages the member may not open


def test_other_city_and_anonymous_get_nothing(client: Client, wave: Wave, admin_b: Any) -> None:
    anonymous = client.get(dashboard_url(wave, "en"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(admin_b)
    for url in (dashboard_url(wave, "en"), api_url(wave, "items=A1")):
        response = client.get(url)
        assert response.status_code == 404
        assert wave.title.encode() not in response.content
    assert client.post(dashboard_url(wave, "en") + "compare/").status_code == 404


def test_wave_pages_link_to_the_results(admin: Client, wave: Wave) -> None:
    html = admin.get(f"/en/o/{wave.organisation.slug}/waves/{wave.slug}/").content.decode()
    link = f'href="/en/o/{wave.organisation.slug}/analysis/{wave.slug}/"'
    assert html.count(link) == 2  # the wave's navigation and the overview


# --- JSON API ----------------------------------------------------------------------------------


def command_json(*args: str) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("analysis", "estimate", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_api_returns_exactly_what_the_command_returns(admin: Client, wave: Wave) -> None:
    query = "items=A1,A4&by=district&share=1,2"
    response = admin.get(api_url(wave, query))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    rows = response.json()
    assert isinstance(rows, list) and rows
    assert all(list(row) == list(JSON_KEYS) for row in rows)
    expected = command_json(wave.slug, "--items", "A1,A4", "--by", "district", "--share", "1,2")
    assert rows == expected
    header = response["X-Defus-Base"]
    assert header.isascii()
    assert unquote(header).startswith("Base: the random sample, weighted")


def test_api_open_link_and_unweighted_bases(admin: Client, wave: Wave) -> None:
    open_link = admin.get(api_url(wave, "items=K1&share=1&base=open_link"))
    assert open_link.json() == command_json(
        wave.slug, "--items", "K1", "--share", "1", "--base", "open_link"
    )
    assert "open link" in unquote(open_link["X-Defus-Base"])
    unweighted = admin.get(api_url(wave, "items=A2_05&unweighted=1"))
    assert unweighted.json() == command_json(wave.slug, "--items", "A2_05", "--unweighted")


@pytest.mark.parametrize(
    ("query", "english", "german"),
    [
        ("", "Name the items", "Nennen Sie die Items"),
        ("items=ZZ9", "ZZ9", "ZZ9"),
        ("items=A1&share=x", "share takes answer codes", "share"),
        ("items=A1&share=7", "7", "7"),
        ("items=A1&base=all", "base is either sample or open_link", "open_link"),
        ("items=A1&by=K3", "K3", "K3"),
        ("items=K3", "K3", "K3"),
        ("items=A1&unweighted=yes", "unweighted is 1 or 0", "unweighted"),
    ],
)
def test_api_bad_requests_are_400_in_the_users_language(
    admin: Client, wave: Wave, query: str, english: str, german: str
) -> None:
    response = admin.get(api_url(wave, query, "en"))
    assert response.status_code == 400
    assert list(response.json()) == ["error"] and english in response.json()["error"]
    response = admin.get(api_url(wave, query, "de"))
    assert response.status_code == 400 and german in response.json()["error"]
