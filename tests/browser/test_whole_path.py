"""The whole DEFUS-Monitor path in a real Chromium, as the people involved click through it.

An admin creates a wave, imports a sample with one bad row (refused with its line, nothing
stored), fixes it, starts fieldwork and downloads the letters; a resident takes a code from
that PDF, answers in English with one save-and-resume from another browser, completes; the
code is refused afterwards; the export holds the answers; and the stored answer carries no
code, IP or time of day.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.forms.models import model_to_dict

from defus.fieldwork.models import AccessCode, Response, SamplePerson, Wave
from defus.fieldwork.services.codes import ALPHABET
from tests.conftest import PASSWORD, make_person
from tests.fieldwork.test_waves_support import districts_csv, pdf_text, sample_csv, sample_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE_IN_LETTER = re.compile(rf"\b([{ALPHABET}]{{5}}-[{ALPHABET}]{{5}})\b")
PHONE = {"width": 390, "height": 844}


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/en/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def enter_code(chromium: Any, base: str, code: str) -> tuple[Any, Any]:
    """A fresh browser (its own cookies) on a phone, typing the code from the letter."""
    context = chromium.new_context(locale="de-DE", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(base + "/s/")
    page.fill("input[name=code]", code.lower().replace("-", " "))  # as people type it
    with page.expect_navigation():
        page.press("input[name=code]", "Enter")
    return context, page


def click_action(page: Any, action: str) -> None:
    with page.expect_navigation():
        page.locator(f"main button[name=action][value={action}]").first.click()


def test_admin_to_respondent_to_export(chromium: Any, live_server: Any, org_a: Any, tmp_path: Path):
    base = live_server.url
    make_person("admin@musterstadt.example", org_a, "admin")
    admin_context = chromium.new_context(locale="en-GB", accept_downloads=True)
    admin = admin_context.new_page()
    admin.set_default_timeout(20000)
    log_in(admin, base, "admin@musterstadt.example")

    # --- the admin creates a wave and starts fieldwork ----------------------------------
    today = datetime.date.today()
    (tmp_path / "districts.csv").write_text(districts_csv())
    admin.goto(f"{base}/en/o/{org_a.slug}/waves/new/")
    admin.get_by_label("Title").fill("Sicherheit in Musterstadt 2026")
    admin.get_by_label("Short name").fill("musterstadt-2026")
    admin.get_by_label("Start of fieldwork").fill(str(today - datetime.timedelta(days=1)))
    admin.get_by_label("End of fieldwork").fill(str(today + datetime.timedelta(days=30)))
    admin.get_by_label("Districts (CSV)").set_input_files(str(tmp_path / "districts.csv"))
    with admin.expect_navigation():
        admin.get_by_role("button", name="Create wave").click()
    wave = Wave.objects.get(slug="musterstadt-2026")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Start fieldwork").click()
    wave.refresh_from_db()
    assert wave.status == Wave.Status.FIELD

    # --- a 50-row sample with one bad row: reported by line, nothing imported ------------
    rows = sample_rows(50)
    rows[22][6] = "Z7"  # line 24 of the file (the header is line 1)
    (tmp_path / "sample-bad.csv").write_text(sample_csv(rows))
    admin.get_by_role("link", name="Sample", exact=True).click()
    upload = admin.get_by_label("Sample from the residents' register")
    upload.set_input_files(str(tmp_path / "sample-bad.csv"))
    with admin.expect_navigation():
        admin.get_by_role("button", name="Check and import").click()
    assert "line 24" in admin.content() and "Z7" in admin.content()
    assert not SamplePerson.objects.filter(wave=wave).exists()
    assert not AccessCode.objects.filter(wave=wave).exists()

    rows[22][6] = sample_rows(50)[22][6]
    (tmp_path / "sample.csv").write_text(sample_csv(rows))
    admin.get_by_label("Sample from the residents' register").set_input_files(
        str(tmp_path / "sample.csv")
    )
    with admin.expect_navigation():
        admin.get_by_role("button", name="Check and import").click()
    assert SamplePerson.objects.filter(wave=wave).count() == 50

    # --- the letters PDF, and a code taken from it ---------------------------------------
    admin.goto(f"{base}/en/o/{org_a.slug}/waves/{wave.slug}/letters/")
    with admin.expect_download() as download:
        admin.get_by_role("button", name="Download invitation letters (PDF)").click()
    letters = Path(download.value.path()).read_bytes()
    codes_in_letters = set(CODE_IN_LETTER.findall(pdf_text(letters, tmp_path)))
    assert len(codes_in_letters) == 50
    code = sorted(codes_in_letters)[0]

    # --- a resident answers in English, saves, resumes elsewhere, completes ---------------
    context, page = enter_code(chromium, base, code)
    assert page.url.endswith("/s/welcome/")
    with page.expect_navigation():
        page.locator("button[name=language][value=en]").first.click()
    assert page.locator("html").get_attribute("lang") == "en"
    click_action(page, "start")
    first_module = wave.instrument.modules[0]
    assert first_module.questions[0].label("en") in page.content()
    page.check("input[name=A1][value='2']")
    click_action(page, "next")
    assert "/s/page/2/" in page.url
    page.locator("button[name=action][value=save]").click()
    page.wait_for_url("**/s/saved/**")
    context.close()

    context, page = enter_code(chromium, base, code)  # another browser, the same code
    assert "/s/page/2/" in page.url  # straight back to where the answers were saved
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("main button[name=action][value=back]").first.click()
    page.wait_for_url("**/s/page/1/**")
    assert page.is_checked("input[name=A1][value='2']")
    while "/s/review/" not in page.url:
        click_action(page, "next")
    click_action(page, "submit")
    assert "/s/done/" in page.url
    context.close()

    # --- the code cannot be used again ----------------------------------------------------
    context, page = enter_code(chromium, base, code)
    assert "/s/page/" not in page.url and "/s/welcome/" not in page.url
    assert page.locator("input[name=A1]").count() == 0
    context.close()
    used = AccessCode.objects.get(code=code.replace("-", ""))
    assert used.used  # that it was used; not when, not how

    # --- the export holds the answers -------------------------------------------------------
    admin.goto(f"{base}/en/o/{org_a.slug}/waves/{wave.slug}/answers/export/")
    with admin.expect_download() as download:
        admin.get_by_role("button", name="Download ZIP").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        names = archive.namelist()
        answers_name = next(n for n in names if n.endswith(".csv") and "codebook" not in n)
        exported = list(csv.DictReader(io.StringIO(archive.read(answers_name).decode("utf-8-sig"))))
    assert len(exported) == 1
    assert exported[0]["A1"] == "2"
    assert exported[0]["language"] == "en"

    # --- the stored answer is anonymous ------------------------------------------------------
    response = Response.objects.get(wave=wave)
    assert response.answers["A1"] == 2
    stored = {field.name for field in Response._meta.concrete_fields}
    assert stored == {
        "id",
        "wave",
        "instrument_version",
        "mode",
        "source",
        "language",
        "completed_on",
        "sample_district",
        "answers",
    }
    assert type(response.completed_on) is datetime.date  # a day, never a time
    everything = json.dumps(model_to_dict(response), default=str) + json.dumps(response.answers)
    assert code.replace("-", "") not in everything and code not in everything
    assert "127.0.0.1" not in everything
    assert not re.search(r"\d{2}:\d{2}", everything)
    admin_context.close()
