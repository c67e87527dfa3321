"""The sample: import all-or-nothing with errors by line, codes, discard, delete after fieldwork."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from defus.fieldwork.models import AccessCode, Response, SamplePerson, Wave
from defus.fieldwork.services.codes import ALPHABET, CODE_LENGTH
from defus.fieldwork.services.monitoring import field_report
from defus.fieldwork.services.responses import record_response
from defus.fieldwork.services.sample import (
    SampleError,
    delete_sample,
    discard_sample,
    import_sample,
    sample_state,
)

from .test_waves_support import make_wave, sample_csv, sample_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def wave(org_a):
    return make_wave(org_a)


def test_one_bad_row_names_line_and_reason_and_imports_nothing(wave):
    rows = sample_rows(50)
    rows[15][6] = "X9"  # line 17 of the file (the header is line 1)
    result = import_sample(wave, sample_csv(rows).encode())
    assert not result.ok and result.created == 0
    assert [str(e) for e in result.errors] == [
        "line 17: district “X9” is not a district of this wave"
    ]
    assert not SamplePerson.objects.exists() and not AccessCode.objects.exists()


def test_fixed_file_gives_fifty_persons_with_distinct_codes(wave):
    result = import_sample(wave, sample_csv(sample_rows(50)).encode())
    assert result.ok and result.created == 50
    persons = list(SamplePerson.objects.filter(wave=wave).select_related("access_code", "district"))
    assert len(persons) == 50
    codes = [p.access_code.code for p in persons]
    assert len(set(codes)) == 50
    assert all(len(c) == CODE_LENGTH == 10 and set(c) <= set(ALPHABET) for c in codes)
    assert all(p.access_code.district_id == p.district_id for p in persons)
    assert all(p.access_code.wave_id == wave.pk and not p.access_code.used for p in persons)
    first = persons[0]
    assert (first.line, first.salutation, first.first_name, first.last_name) == (
        2,
        "Frau",
        "Erika",
        "Müller",
    )
    assert (first.street, first.postcode, first.city, first.district.code) == (
        "Lindenweg 1",
        "51147",
        "Musterstadt",
        "N1",
    )


def test_every_kind_of_problem_is_listed(wave):
    rows = sample_rows(8)
    rows[0][2] = ""  # line 2: no last name
    rows[1][4] = "5114"  # fine: 4 digits (Austria, Switzerland)
    rows[2][4] = "51A47"  # line 4
    rows[3][6] = ""  # line 5: no district
    rows[4][3] = "x" * 201  # line 6: too long
    rows[5] = list(rows[6])  # lines 7 and 8: the same person twice
    rows[5][3] = rows[5][3].replace("weg", "Weg")  # … even written differently
    result = import_sample(wave, sample_csv(rows).encode())
    messages = [str(e) for e in result.errors]
    assert messages == [
        "line 2: last name is missing",
        "line 4: postcode “51A47” is not a valid postcode (4 or 5 digits)",
        "line 5: district is missing",
        "line 6: street is longer than 200 characters",
        "line 8: the same person with the same address is already in line 7",
    ]


def test_german_register_headers_semicolons_and_latin1(wave):
    header = "Anrede;Vorname;Name;Straße;Hausnummer;PLZ;Ort;Stadtteil"
    rows = [["Herr", "Jürgen", "Weiß", "Kölner Straße", "12a", "51147", "Musterstadt", "m2"]]
    data = sample_csv(rows, header=header, delimiter=";").encode("cp1252")
    result = import_sample(wave, data)
    assert result.ok, result.errors
    person = SamplePerson.objects.get()
    assert (person.first_name, person.last_name, person.street, person.district.code) == (
        "Jürgen",
        "Weiß",
        "Kölner Straße 12a",
        "M2",
    )


def test_file_level_problems(wave):
    result = import_sample(wave, b"Vorname,Nachname\nA,B\n")
    assert "Missing columns" in str(result.errors[0]) and result.errors[0].line is None
    result = import_sample(wave, b"\x00\x01binary")
    assert "does not look like a CSV file" in str(result.errors[0])
    result = import_sample(wave, sample_csv([]).encode())
    assert "no persons" in str(result.errors[0])


def test_one_sample_per_wave_and_discard_before_letters(wave):
    assert import_sample(wave, sample_csv(sample_rows(5)).encode()).ok
    again = import_sample(wave, sample_csv(sample_rows(5)).encode())
    assert "already has a sample of 5 persons" in str(again.errors[0])
    assert sample_state(wave).can_discard
    assert discard_sample(wave) == 5
    assert not AccessCode.objects.exists()
    assert import_sample(wave, sample_csv(sample_rows(3)).encode()).created == 3
    wave.invitations_printed_on = datetime.date(2026, 2, 20)
    wave.save()
    with pytest.raises(SampleError, match="no longer be discarded"):
        discard_sample(wave)


def test_codes_are_unique_across_waves(org_a):
    first = make_wave(org_a, slug="a-2026")
    second = make_wave(org_a, slug="b-2026")
    import_sample(first, sample_csv(sample_rows(40)).encode())
    import_sample(second, sample_csv(sample_rows(40)).encode())
    assert AccessCode.objects.values("code").distinct().count() == 80


def test_delete_sample_keeps_codes_and_responses(wave):
    import_sample(wave, sample_csv(sample_rows(10)).encode())
    code = AccessCode.objects.filter(wave=wave).order_by("pk").first()
    record_response(wave, {"A1": 2}, mode="web", language="de", access_code=code)
    record_response(wave, {"A1": 3}, mode="web", language="de")  # open link
    assert delete_sample(wave) == 10
    wave.refresh_from_db()
    assert wave.sample_deleted_on is not None
    assert not SamplePerson.objects.filter(wave=wave).exists()
    assert AccessCode.objects.filter(wave=wave).count() == 10
    code.refresh_from_db()
    assert code.used and code.district is not None
    assert Response.objects.filter(wave=wave).count() == 2
    report = field_report(wave)
    assert (report["sample_size"], report["codes_used"], report["response_rate"]) == (10, 1, 10.0)
    with pytest.raises(SampleError, match="already deleted"):
        delete_sample(wave)
    refused = import_sample(wave, sample_csv(sample_rows(3)).encode())
    assert "was deleted" in str(refused.errors[0])


# --- pages ------------------------------------------------------------------------------------


def url(name: str, wave: Wave) -> str:
    return reverse(f"fieldwork:{name}", kwargs={"org": wave.organisation.slug, "wave": wave.slug})


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("stichprobe.csv", text.encode("utf-8"), content_type="text/csv")


def test_import_page_lists_errors_and_keeps_the_form(client, admin_a, wave):
    client.force_login(admin_a)
    rows = sample_rows(50)
    rows[15][6] = "X9"
    response = client.post(url("wave_sample", wave), {"file": upload(sample_csv(rows))})
    html = response.content.decode()
    assert response.status_code == 400
    assert "line 17: district “X9” is not a district of this wave" in html
    assert "nothing was imported" in html
    assert '<input type="file" name="file"' in html
    assert not SamplePerson.objects.exists()

    response = client.post(url("wave_sample", wave), {"file": upload(sample_csv(sample_rows(50)))})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "50 persons imported" in page
    assert SamplePerson.objects.filter(wave=wave).count() == 50


def test_discard_and_delete_pages(client, admin_a, wave):
    client.force_login(admin_a)
    import_sample(wave, sample_csv(sample_rows(4)).encode())
    page = client.get(url("wave_sample_discard", wave))
    assert "4 persons" in page.content.decode()
    assert client.post(url("wave_sample_discard", wave), {}).status_code == 400  # not ticked
    assert SamplePerson.objects.count() == 4
    client.post(url("wave_sample_discard", wave), {"confirm": "on"})
    assert not SamplePerson.objects.exists() and not AccessCode.objects.exists()

    import_sample(wave, sample_csv(sample_rows(4)).encode())
    page = client.get(url("wave_sample_delete", wave)).content.decode()
    assert "What stays" in page and "not closed yet" in page
    response = client.post(url("wave_sample_delete", wave), {"confirm": "on"}, follow=True)
    assert "Names and addresses of 4 persons were deleted" in response.content.decode()
    assert not SamplePerson.objects.exists() and AccessCode.objects.count() == 4
    page = client.get(url("wave_sample", wave)).content.decode()
    assert "was deleted on" in page and '<input type="file"' not in page
