"""The weighting page: margins and diagnostics, a margins upload, trimming and the defaults;
a change that makes weighting fail is explained and not stored."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from defus.analysis.margins import DEFAULT_MARGINS, Settings, parse_margins_csv, wave_design
from defus.analysis.models import WeightingScheme
from defus.fieldwork.models import District, Wave

from .support import make_analysis_wave

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def german() -> Any:
    with translation.override("de"):
        yield


@pytest.fixture
def wave(org_a: Any) -> Wave:
    return make_analysis_wave(org_a, per_district=40)


def url(wave: Wave) -> str:
    return reverse("analysis:weighting", kwargs={"org": wave.organisation.slug, "wave": wave.slug})


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


def upload(content: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("margins.csv", content.encode("utf-8"), content_type="text/csv")


def register_totals(wave: Wave) -> tuple[dict[str, int], dict[str, int]]:
    """Adults by gender and by district code, from the districts' population figures."""
    genders: dict[str, int] = {}
    districts: dict[str, int] = {}
    for district in District.objects.filter(wave=wave):
        for gender, groups in district.population.items():
            genders[gender] = genders.get(gender, 0) + sum(groups.values())
            districts[district.code] = districts.get(district.code, 0) + sum(groups.values())
    return genders, districts


def margins_file(wave: Wave, extra: str = "") -> str:
    genders, districts = register_totals(wave)
    lines = ["variable;category;population"]
    lines += [f"gender;{gender};{total}" for gender, total in genders.items()]
    lines += [f"district;{code};{total}" for code, total in districts.items()]
    return "\n".join(lines) + "\n" + extra


def test_the_page_shows_margins_and_diagnostics(client, analyst_a, wave) -> None:
    client.force_login(analyst_a)
    page = page_text(client.get(url(wave)))
    assert 'aria-current="page">Gewichtung</a>' in page
    assert "Die Voreinstellung: Geschlecht × Altersgruppe und Stadtteil" in page
    info = wave_design(wave).diagnostics()
    assert f"<dd>{info['n']}</dd>" in page
    assert "Designeffekt (Kish)" in page
    assert f"{info['design_effect']:.3f}".replace(".", ",") in page
    assert '<th scope="row">female 18-29</th>' in page


def test_uploaded_margins_change_the_diagnostics(client, analyst_a, wave) -> None:
    before = wave_design(wave).diagnostics()
    client.force_login(analyst_a)
    response = client.post(url(wave), {"action": "margins", "margins": upload(margins_file(wave))})
    assert response.status_code == 302
    settings = Settings.for_wave(wave)
    assert [m["variable"] for m in settings.margins] == ["gender", "district"]
    after = wave_design(wave).diagnostics()
    assert after["margins"] == ["gender", "district"]
    assert after["design_effect"] != pytest.approx(before["design_effect"])
    page = page_text(client.get(url(wave)))
    assert "Die Randverteilungen aus der Datei werden jetzt verwendet." in page
    assert "Für diese Erhebungswelle festgelegte Randverteilungen." in page
    assert f"{after['design_effect']:.3f}".replace(".", ",") in page


def test_a_category_without_respondents_is_named_and_nothing_is_stored(
    client, analyst_a, wave
) -> None:
    client.force_login(analyst_a)
    genders, _districts = register_totals(wave)
    total = sum(genders.values())
    rows = f"D8;1;{total - 3000}\nD8;2;1000\nD8;3;1000\nD8;4;1000\n"
    response = client.post(
        url(wave), {"action": "margins", "margins": upload(margins_file(wave, rows))}
    )
    assert response.status_code == 400
    page = page_text(response)
    assert "Es wurde nichts geändert." in page
    assert (
        "Nicht gespeichert – mit dieser Änderung lässt sich die Stichprobe nicht gewichten" in page
    )
    assert "Randverteilung D8: keine Befragten in der Kategorie 4" in page
    assert not WeightingScheme.objects.filter(wave=wave).exists()
    assert Settings.for_wave(wave).margins == DEFAULT_MARGINS


def test_a_bad_number_names_its_line_and_keeps_the_settings(client, analyst_a, wave) -> None:
    WeightingScheme.objects.create(wave=wave, trim=4.0)
    client.force_login(analyst_a)
    content = "variable;category;population\ngender;female;33000\ngender;male;viele\n"
    response = client.post(url(wave), {"action": "margins", "margins": upload(content)})
    assert response.status_code == 400
    page = page_text(response)
    assert "Zeile 3: Bevölkerungszahl viele ist keine Zahl." in page
    assert 'aria-invalid="true"' in page
    scheme = WeightingScheme.objects.get(wave=wave)
    assert scheme.margins == [] and scheme.trim == 4.0
    response = client.post(url(wave), {"action": "margins"})
    assert response.status_code == 400
    assert "Bitte wählen Sie eine CSV-Datei." in page_text(response)


def test_trimming_is_set_checked_and_cleared(client, analyst_a, wave) -> None:
    client.force_login(analyst_a)
    assert client.post(url(wave), {"action": "trim", "trim": "3,5"}).status_code == 302
    assert Settings.for_wave(wave).trim == 3.5
    assert wave_design(wave).diagnostics()["weight_max"] <= 3.5 * 1.5
    for bad in ("1", "-2", "abc", "nan", "inf"):
        response = client.post(url(wave), {"action": "trim", "trim": bad})
        assert response.status_code == 400, bad
        assert "Bitte geben Sie eine Zahl größer als 1 ein" in page_text(response)
    assert Settings.for_wave(wave).trim == 3.5
    assert client.post(url(wave), {"action": "trim", "trim": ""}).status_code == 302
    assert Settings.for_wave(wave).trim is None


def test_back_to_the_defaults(client, analyst_a, wave) -> None:
    WeightingScheme.objects.create(wave=wave, margins=[{"variable": "district"}], trim=5.0)
    client.force_login(analyst_a)
    response = client.post(url(wave), {"action": "defaults"}, follow=True)
    assert "wird wieder nach Geschlecht × Altersgruppe und Stadtteil gewichtet" in page_text(
        response
    )
    settings = Settings.for_wave(wave)
    assert settings.margins == DEFAULT_MARGINS and settings.trim is None
    assert client.post(url(wave), {"action": "nonsense"}).status_code == 400


def test_the_margins_in_use_download_as_a_file_the_upload_reads(client, analyst_a, wave) -> None:
    client.force_login(analyst_a)
    response = client.get(url(wave) + "?download=margins")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{wave.slug}-margins.csv"'
    content = response.content
    margins = parse_margins_csv(content)
    assert [m["variable"] for m in margins] == ["gender_age", "district"]
    assert margins[1]["population"]["02"] == register_totals(wave)[1]["02"]
    before = wave_design(wave).diagnostics()
    response = client.post(
        url(wave), {"action": "margins", "margins": SimpleUploadedFile("m.csv", content)}
    )
    assert response.status_code == 302
    assert wave_design(wave).diagnostics()["design_effect"] == pytest.approx(
        before["design_effect"]
    )


def test_only_people_who_manage_analysis_reach_the_page(client, member_a, admin_b, wave) -> None:
    client.force_login(member_a)
    assert client.get(url(wave)).status_code == 403
    assert client.post(url(wave), {"action": "defaults"}).status_code == 403
    client.force_login(admin_b)
    assert client.get(url(wave)).status_code == 404
    assert not WeightingScheme.objects.exists()
