"""A wave's own modules: checked against the standard questionnaire, marked not comparable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from defus.fieldwork.services.responses import record_response
from defus.fieldwork.services.waves import WaveSetupError, parse_extension, set_extension
from tests.support import run_defus

from .test_waves_support import make_wave

pytestmark = pytest.mark.django_db

OWN_MODULE = """
modules:
  - code: OWN
    title: {de: Unser Bahnhofsvorplatz, en: Our station square, fr: Notre parvis de gare}
    questions:
      - code: OWN1
        kind: single
        scale: safe5
        text:
          de: Wie sicher fühlen Sie sich abends auf dem neuen Bahnhofsvorplatz?
          en: How safe do you feel on the new station square in the evening?
          fr: Vous sentez-vous en sécurité le soir sur le nouveau parvis de la gare ?
"""


def test_own_modules_join_the_questionnaire_as_not_comparable(org_a: Any):
    wave = make_wave(org_a)
    set_extension(wave, OWN_MODULE.encode())
    wave.refresh_from_db()
    instrument = wave.instrument
    assert instrument.modules[-1].code == "OWN"
    assert not instrument.item("OWN1").comparable
    assert instrument.item("A1").comparable
    assert instrument.item("OWN1").scale is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("modules: [\n  - code: X\n", "line"),
        ("- just a list", "modules"),
        (OWN_MODULE.replace("code: OWN1", "code: A1"), "A1"),
        (OWN_MODULE.replace("scale: safe5", "scale: nosuch"), "nosuch"),
        (OWN_MODULE.replace("fr: Notre parvis de gare", "it: Piazza"), "fr"),
    ],
)
def test_broken_own_modules_name_the_problem(org_a: Any, text: str, expected: str, english: None):
    wave = make_wave(org_a)
    extension, problems = parse_extension(text.encode(), wave)
    assert extension == {}
    assert problems and any(expected in p for p in problems), problems


def test_own_modules_cannot_change_once_answers_exist(org_a: Any, english: None):
    wave = make_wave(org_a)
    record_response(wave, {"A1": 1}, mode="web", language="de", source="sample")
    with pytest.raises(WaveSetupError) as error:
        set_extension(wave, OWN_MODULE.encode())
    assert "answers" in str(error.value.errors["extension"][0])


def test_upload_on_the_wave_form(client: Any, admin_a: Any, org_a: Any):
    wave = make_wave(org_a)
    client.force_login(admin_a)
    url = f"/en/o/{org_a.slug}/waves/{wave.slug}/"
    form = client.get(url + "edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and not k.endswith("_file")}
    data["field_start"], data["field_end"] = str(wave.field_start), str(wave.field_end)
    data["extension_file"] = SimpleUploadedFile("own.yaml", OWN_MODULE.encode())
    for key in ("mode_web", "mode_paper", "mode_open_link"):
        if not data.get(key):
            data.pop(key, None)
    response = client.post(url + "edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    wave.refresh_from_db()
    assert wave.extension["modules"][0]["code"] == "OWN"
    assert "OWN" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_command_sets_and_reports_problems(org_a: Any, tmp_path: Path):
    wave = make_wave(org_a)
    bad = tmp_path / "bad.yaml"
    bad.write_text(OWN_MODULE.replace("scale: safe5", "scale: nosuch"))
    result = run_defus("wave", "extension", wave.slug, str(bad))
    assert result.returncode == 1
    assert "nosuch" in result.stderr
    good = tmp_path / "own.yaml"
    good.write_text(OWN_MODULE)
    result = run_defus("wave", "extension", wave.slug, str(good))
    assert result.returncode == 0, result.stderr
    assert "OWN" in result.stdout
    wave.refresh_from_db()
    assert wave.extension["modules"][0]["code"] == "OWN"
