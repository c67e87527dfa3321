"""Field monitoring: response rates from codes, returns per day by mode and source."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from defus.fieldwork.models import AccessCode, Response
from defus.fieldwork.services.monitoring import field_report, format_field_report
from defus.fieldwork.services.responses import record_response
from defus.fieldwork.services.sample import delete_sample, import_sample

from .test_waves_support import make_wave, sample_csv, sample_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
DAY1 = datetime.date(2026, 3, 2)
DAY3 = datetime.date(2026, 3, 4)


@pytest.fixture
def wave(org_a):
    """30 persons, 10 per district; answers on two days, one day without any in between."""
    wave = make_wave(org_a)
    assert import_sample(wave, sample_csv(sample_rows(30)).encode()).ok
    codes = {
        code: list(AccessCode.objects.filter(wave=wave, district__code=code).order_by("pk"))
        for code in ("N1", "M2", "S3")
    }
    for access in codes["N1"][:5]:  # N1: 5 of 10 online on day 1
        record_response(wave, {}, mode="web", language="de", access_code=access, day=DAY1)
    for access in codes["M2"][:2]:  # M2: 2 on paper on day 3
        record_response(wave, {}, mode="paper", language="de", access_code=access, day=DAY3)
    record_response(wave, {}, mode="web", language="en", day=DAY3)  # open link
    record_response(wave, {}, mode="web", language="de", day=DAY3)  # open link
    return wave


def test_numbers(wave):
    report = field_report(wave)
    assert (report["sample_size"], report["codes_used"], report["response_rate"]) == (30, 7, 23.3)
    assert report["responses"] == 9
    assert report["by_mode"] == {"web": 7, "paper": 2}
    assert report["by_source"] == {"sample": 7, "open_link": 2}
    districts = {d["code"]: (d["sample"], d["used"], d["rate"]) for d in report["districts"]}
    assert districts == {"N1": (10, 5, 50.0), "M2": (10, 2, 20.0), "S3": (10, 0, 0.0)}
    days = [(d["day"], d["web"], d["paper"], d["open_link"], d["total"]) for d in report["days"]]
    assert days == [
        (DAY1, 5, 0, 0, 5),
        (datetime.date(2026, 3, 3), 0, 0, 0, 0),  # a day without returns is shown
        (DAY3, 0, 2, 2, 4),
    ]
    assert report["days"][0]["share"] == 100.0 and report["days"][2]["share"] == 80.0


def test_rates_come_from_codes_not_answers(wave):
    """Response rates use AccessCode only: changing answers' districts changes nothing."""
    Response.objects.filter(wave=wave).update(sample_district=None)
    rates = {d["code"]: d["rate"] for d in field_report(wave)["districts"]}
    assert rates["N1"] == 50.0


def test_monitoring_survives_the_deletion_of_the_sample(wave):
    before = field_report(wave)
    delete_sample(wave)
    after = field_report(wave)
    for key in ("sample_size", "codes_used", "response_rate", "districts", "days", "by_mode"):
        assert after[key] == before[key]
    assert after["persons"] == 0 and after["sample_deleted_on"] is not None


def test_empty_wave(org_a):
    report = field_report(make_wave(org_a, slug="leer"))
    assert report["response_rate"] is None and report["days"] == []
    assert all(d["rate"] is None for d in report["districts"])
    assert "Response rate by district" in format_field_report(report)


def test_text_report(wave):
    text = format_field_report(field_report(wave))
    assert "30 codes, 7 used (23.3 %)" in text
    assert "Nordstadt" in text and "50.0 %" in text
    assert "2026-03-04" in text


def test_page(client, analyst_a, wave):
    client.force_login(analyst_a)  # analysts see monitoring (wave.view)
    response = client.get(
        reverse(
            "fieldwork:wave_monitoring", kwargs={"org": wave.organisation.slug, "wave": wave.slug}
        )
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "23.3 %" in html and "50.0 %" in html
    assert html.count('class="bar-cell" aria-hidden="true"') == 3 + 3  # districts + days
    assert "<script" not in html
