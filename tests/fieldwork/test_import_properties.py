"""Arbitrary CSV uploads against every import over real HTTP: never a 500, never half a file.

The generated files mix plausible and hostile content: known and unknown codes, German
headers, formulas, quotes and line breaks inside cells, Excel's semicolons, tabs, Latin-1,
UTF-8 with BOM, UTF-16, truncated bytes, binary garbage and NUL bytes.
"""

from __future__ import annotations

import csv
import io
import itertools
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from defus.fieldwork.models import AccessCode, Response, SamplePerson, Wave

from .test_waves_support import make_wave

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SAMPLE_HEADERS = [
    ["salutation", "first_name", "last_name", "street", "postcode", "city", "district"],
    ["Anrede", "Vorname", "Nachname", "Straße", "PLZ", "Ort", "Stadtteil"],
    ["last_name", "street", "district"],
]
ANSWER_HEADERS = [
    ["response_id", "mode", "source", "language", "completed_on", "sample_district", "A1", "D1"],
    ["mode", "source", "language", "completed_on", "A1", "A3_07", "K1", "K2_01", "K3", "D2"],
    ["mode", "language", "A1", "NOPE"],
]
DISTRICT_HEADERS = [
    ["code", "name", "female_18-29", "male_18-29", "female_75+", "male_75+"],
    ["code", "name"],
]
cell = st.one_of(
    st.sampled_from(
        [
            *("", " ", "N1", "M2", "S3", "X9", "n1", "Frau", "Herr", "Müller", "Lindenweg 3"),
            *("51147", "1234567", "Musterstadt", "=HYPERLINK(1)", '"', ";", ",", "\n", "ß"),
            *("-9", "-8", "1", "2", "5", "8", "99", "web", "paper", "sample", "open_link"),
            *("de", "en", "xx", "2026-03-02", "2026-02-30", "02.03.2026", "1e9", "x" * 300),
        ]
    ),
    st.text(max_size=25),
)
table = st.lists(st.lists(cell, min_size=0, max_size=9), max_size=25)


@st.composite
def csv_file(draw: Any, headers: list[list[str]]) -> bytes:
    header = draw(st.one_of(st.sampled_from(headers), st.lists(cell, max_size=6)))
    rows = draw(table)
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]))
    data = out.getvalue().encode(encoding, errors="replace")
    damage = draw(st.sampled_from(["none", "none", "truncate", "garbage", "nul"]))
    if damage == "truncate" and data:
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "garbage":
        data = draw(st.binary(max_size=200)) + data
    elif damage == "nul":
        data = data.replace(b",", b"\x00", 1)
    return data


def upload(data: bytes, name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def data_rows(data: bytes) -> int:
    """An upper bound of data rows (a clean import creates one object per row)."""
    return max(data.count(b"\n"), 1)


@pytest.fixture
def wave(org_a: Any) -> Wave:
    return make_wave(org_a)


def test_sample_import_never_fails_badly(client: Any, admin_a: Any, wave: Wave) -> None:
    client.force_login(admin_a)
    url = f"/en/o/{wave.organisation.slug}/waves/{wave.slug}/sample/"

    @SETTINGS
    @given(data=csv_file(SAMPLE_HEADERS))
    def check(data: bytes) -> None:
        response = client.post(url, {"file": upload(data)})
        assert response.status_code in (200, 302, 400), response.status_code
        imported = SamplePerson.objects.filter(wave=wave).count()
        codes = AccessCode.objects.filter(wave=wave).count()
        if response.status_code == 302:
            assert 0 < imported <= data_rows(data)
        else:
            assert imported == 0, "a refused file left rows behind"
        assert codes == imported
        SamplePerson.objects.filter(wave=wave).delete()
        AccessCode.objects.filter(wave=wave).delete()

    check()


def test_answer_import_is_all_or_nothing(client: Any, admin_a: Any, wave: Wave) -> None:
    client.force_login(admin_a)
    url = f"/en/o/{wave.organisation.slug}/waves/{wave.slug}/answers/import/"

    @SETTINGS
    @given(data=csv_file(ANSWER_HEADERS))
    def check(data: bytes) -> None:
        response = client.post(url, {"file": upload(data)})
        assert response.status_code in (200, 302, 400), response.status_code
        stored = Response.objects.filter(wave=wave).count()
        assert stored == 0 or response.status_code in (200, 302)
        assert stored <= data_rows(data)
        Response.objects.filter(wave=wave).delete()

    check()


def test_district_files_never_fail_badly(client: Any, admin_a: Any, org_a: Any) -> None:
    client.force_login(admin_a)
    url = f"/en/o/{org_a.slug}/waves/new/"
    slugs = (f"wave-{n}" for n in itertools.count())

    @SETTINGS
    @given(districts=csv_file(DISTRICT_HEADERS), places=csv_file([["code", "name", "kind"]]))
    def check(districts: bytes, places: bytes) -> None:
        slug = next(slugs)
        response = client.post(
            url,
            {
                "title": "Test",
                "slug": slug,
                "instrument": "2026.1",
                "field_start": "2026-03-01",
                "field_end": "2026-04-01",
                "mode_web": "on",
                "districts_file": upload(districts, "districts.csv"),
                "places_file": upload(places, "places.csv"),
            },
        )
        assert response.status_code in (200, 302, 400), response.status_code
        created = Wave.objects.filter(slug=slug)
        if response.status_code != 302:
            assert not created.exists(), "a refused form created a wave"
        created.delete()

    check()


def test_oversized_upload_is_refused_with_a_message(client: Any, admin_a: Any, wave: Wave):
    client.force_login(admin_a)
    url = f"/en/o/{wave.organisation.slug}/waves/{wave.slug}/sample/"
    big = b"last_name,street,district\n" + b"Muster,Weg 1,N1\n" * 1_400_000  # > 20 MB
    response = client.post(url, {"file": upload(big)})
    assert response.status_code in (200, 400)
    assert not SamplePerson.objects.filter(wave=wave).exists()
    assert b"MB" in response.content or b"large" in response.content
