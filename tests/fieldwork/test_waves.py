"""Creating and editing waves: districts CSV, GeoJSON, places, status — service and pages."""

from __future__ import annotations

import codecs
import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from defus.fieldwork.models import AccessCode, District, Wave
from defus.fieldwork.services import waves as wave_service
from defus.fieldwork.services.waves import (
    WaveError,
    WaveFiles,
    WaveSettings,
    WaveSetupError,
    create_wave,
    parse_boundaries,
    parse_districts,
    set_status,
    update_wave,
)

from .test_waves_support import (
    DISTRICTS,
    districts_csv,
    geojson,
    make_wave,
    places_csv,
    square,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def settings(slug: str = "musterstadt-2026", **extra) -> WaveSettings:
    values = {
        "title": "Sicherheit in Musterstadt 2026",
        "slug": slug,
        "instrument_version": "2026.1",
        "field_start": datetime.date(2026, 3, 1),
        "field_end": datetime.date(2026, 4, 15),
        **extra,
    }
    return WaveSettings(**values)


# --- districts CSV ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        districts_csv().encode("utf-8"),
        districts_csv(delimiter=";").encode("cp1252"),
        codecs.BOM_UTF8 + districts_csv(delimiter=";").encode("utf-8"),
        districts_csv().encode("latin-1"),
    ],
    ids=["utf8-comma", "cp1252-semicolon", "bom-semicolon", "latin1"],
)
def test_wave_with_districts_in_every_encoding(org_a, data):
    wave = create_wave(org_a, settings(), WaveFiles(districts=data)).wave
    districts = list(wave.districts.order_by("answer_code"))
    assert [(d.answer_code, d.code, d.name) for d in districts] == [
        (1, "N1", "Nordstadt"),
        (2, "M2", "Mitte"),
        (3, "S3", "Südviertel"),
    ]
    assert districts[0].population["female"]["18-29"] == 100
    assert districts[2].population["male"]["75+"] == 102
    assert "diverse" not in districts[0].population
    assert districts[1].total_population == 101 * 10
    assert wave.status == Wave.Status.PREPARATION
    # The wave's questionnaire offers its districts.
    assert wave.instrument is not None


def test_diverse_columns_are_optional_but_all_or_none(org_a):
    wave = create_wave(
        org_a, settings(), WaveFiles(districts=districts_csv(diverse=True).encode())
    ).wave
    assert wave.districts.first().population["diverse"]["45-59"] == 100
    lines = districts_csv().splitlines()
    partial = "\n".join([lines[0] + ",diverse_18-29"] + [line + ",5" for line in lines[1:]])
    rows, errors = parse_districts(partial.encode())
    assert rows == [] and "all or none" in str(errors[0])


def test_district_rows_are_checked_with_their_lines():
    text = districts_csv([("N1", "Nord"), ("N1", "Nord again"), ("", "No code"), ("X", "")])
    text = text.replace("\nX,,103", "\nX,,1.234").replace(",102,102", ",12.5,102", 1)
    rows, errors = parse_districts(text.encode())
    messages = [str(e) for e in errors]
    assert "line 3: the code “N1” is also used in line 2" in messages
    assert "line 4: the code is missing" in messages
    assert "line 5: the name is missing" in messages
    assert any(m.startswith("line 4: “12.5” in column") for m in messages)
    assert len(rows) == 1  # only line 2 is clean


def test_thousands_separators_in_counts():
    assert wave_service.parse_count("1.234") == 1234
    assert wave_service.parse_count("12 345") == 12345
    assert wave_service.parse_count("1,234,567") == 1234567
    assert wave_service.parse_count("12.5") is None
    assert wave_service.parse_count("-3") is None
    assert wave_service.parse_count("") is None


def test_a_bad_districts_file_creates_nothing(org_a):
    with pytest.raises(WaveSetupError) as error:
        create_wave(org_a, settings(), WaveFiles(districts=b"code,name\nN1,Nord\n"))
    assert "Missing columns" in error.value.errors["districts"][0]
    assert not Wave.objects.exists()
    with pytest.raises(WaveSetupError) as error:
        create_wave(org_a, settings(), WaveFiles())
    assert "districts" in error.value.errors


def test_settings_are_checked(org_a):
    make_wave(org_a)
    with pytest.raises(WaveSetupError) as error:
        create_wave(
            org_a,
            settings(
                "musterstadt-2026",
                title=" ",
                field_end=datetime.date(2026, 2, 1),
                instrument_version="1999.9",
                mode_web=False,
                mode_paper=False,
            ),
            WaveFiles(districts=districts_csv().encode()),
        )
    assert set(error.value.errors) == {"title", "slug", "field_end", "instrument", "modes"}
    with pytest.raises(WaveSetupError) as error:
        create_wave(org_a, settings("Not a slug!"), WaveFiles(districts=districts_csv().encode()))
    assert "slug" in error.value.errors
    with pytest.raises(WaveSetupError):
        create_wave(org_a, settings("new"), WaveFiles(districts=districts_csv().encode()))


# --- GeoJSON and places ------------------------------------------------------------------------


def test_geojson_boundaries_and_unmatched_features(org_a):
    data = geojson(["N1", "M2", "X9"])
    result = create_wave(
        org_a, settings(), WaveFiles(districts=districts_csv().encode(), geojson=data)
    )
    by_code = {d.code: d for d in result.wave.districts.all()}
    assert by_code["N1"].boundary["type"] == "Polygon"
    assert by_code["S3"].boundary is None
    assert any("feature 3" in w and "X9" in w for w in result.warnings)
    assert any("S3" in w for w in result.warnings)


def test_geojson_property_name_and_problems():
    codes = [c for c, _n in DISTRICTS]
    boundaries, errors, _w = parse_boundaries(geojson(codes, prop="BEZ"), codes, "BEZ")
    assert set(boundaries) == set(codes) and not errors
    _b, errors, _w = parse_boundaries(geojson(codes, prop="BEZ"), codes, "code")
    assert "No feature has the property “code”" in str(errors[0]) and "BEZ" in str(errors[0])
    _b, errors, _w = parse_boundaries(b"{not json", codes)
    assert "not valid GeoJSON" in str(errors[0])
    _b, errors, _w = parse_boundaries(json.dumps({"type": "Feature"}).encode(), codes)
    assert "FeatureCollection" in str(errors[0])
    utm = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "N1"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[345000, 5678000], [346000, 5678000], [346000, 5679000], [345000, 5678000]]
                    ],
                },
            }
        ],
    }
    _b, errors, _w = parse_boundaries(json.dumps(utm).encode(), codes)
    assert "WGS 84" in str(errors[0])
    point = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "N1"},
                "geometry": {"type": "Point", "coordinates": [6.7, 51.2]},
            }
        ],
    }
    _b, errors, _w = parse_boundaries(json.dumps(point).encode(), codes)
    assert "Polygon or MultiPolygon" in str(errors[0])
    multi = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "n1"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [square(6.7, 51.2)["coordinates"]],
                },
            }
        ],
    }
    boundaries, errors, _w = parse_boundaries(json.dumps(multi).encode(), codes)
    assert (
        not errors and boundaries["N1"]["type"] == "MultiPolygon"
    )  # codes match case-insensitively


def test_places_with_aliases_and_errors(org_a):
    wave = create_wave(
        org_a,
        settings(),
        WaveFiles(districts=districts_csv().encode(), places=places_csv().encode()),
    ).wave
    station = wave.places.get(code="HBF")
    assert (station.name, station.kind, station.district.code) == ("Hauptbahnhof", "station", "M2")
    assert station.latitude == pytest.approx(51.2199)
    assert station.aliases.splitlines() == ["Hbf", "Bahnhof"]
    assert wave.places.get(code="PARK").latitude is None

    bad = "code;name;district_code;latitude;longitude\nA;Markt;X9;51,2;\nA;Platz;;95;6\n"
    with pytest.raises(WaveSetupError) as error:
        update_wave(wave, settings(), WaveFiles(places=bad.encode()))
    messages = error.value.errors["places"]
    assert "line 2: district “X9” is not a district of this wave" in messages
    assert "line 2: give both latitude and longitude, or neither" in messages
    assert any(m.startswith("line 3: the code “A” is also used in line 2") for m in messages)
    assert any(m.startswith("line 3: latitude and longitude") for m in messages)
    assert wave.places.count() == 2  # unchanged


# --- editing and status -----------------------------------------------------------------------


def test_districts_can_be_replaced_until_fieldwork_then_only_updated(org_a):
    wave = make_wave(org_a)
    update_wave(
        wave,
        settings(),
        WaveFiles(districts=districts_csv([("A", "Alt"), ("N1", "Nord")]).encode()),
    )
    assert list(wave.districts.values_list("code", "answer_code")) == [("A", 1), ("N1", 2)]
    AccessCode.objects.create(wave=wave, code="ABCDEFGHJK", district=wave.districts.get(code="A"))
    with pytest.raises(WaveSetupError) as error:
        update_wave(wave, settings(), WaveFiles(districts=districts_csv().encode()))
    assert "same codes in the same order" in error.value.errors["districts"][0]
    # Same codes, new names and figures: accepted, answer codes unchanged.
    update_wave(
        wave,
        settings(),
        WaveFiles(districts=districts_csv([("A", "Altstadt"), ("N1", "Nord")]).encode()),
    )
    assert wave.districts.get(code="A").name == "Altstadt"
    assert AccessCode.objects.get().district.code == "A"


def test_a_district_with_walks_cannot_be_removed(org_a):
    from defus.walks.models import Walk

    wave = make_wave(org_a)
    update_wave(
        wave,
        settings(),
        WaveFiles(districts=districts_csv([("A", "Alt"), ("N1", "Nord")]).encode()),
    )
    Walk.objects.create(
        organisation=org_a,
        district=wave.districts.get(code="N1"),
        title="Abendrundgang",
        date=datetime.date(2026, 4, 1),
    )
    with pytest.raises(WaveSetupError) as error:
        update_wave(wave, settings(), WaveFiles(districts=districts_csv([("A", "Alt")]).encode()))
    assert "Nord (N1) has neighbourhood walks" in error.value.errors["districts"][0]
    assert wave.districts.count() == 2


def test_status_changes(org_a):
    wave = make_wave(org_a)
    with pytest.raises(WaveError):
        set_status(wave, Wave.Status.CLOSED)
    set_status(wave, Wave.Status.FIELD)
    set_status(wave, Wave.Status.CLOSED)
    set_status(wave, Wave.Status.FIELD)  # re-opened
    with pytest.raises(WaveError):
        set_status(wave, Wave.Status.PREPARATION)
    with pytest.raises(WaveError):
        set_status(wave, "nonsense")
    empty = Wave.objects.create(
        organisation=org_a,
        title="Leer",
        slug="leer",
        instrument_version="2026.1",
        field_start=datetime.date(2026, 1, 1),
        field_end=datetime.date(2026, 2, 1),
    )
    with pytest.raises(WaveError, match="no districts"):
        set_status(empty, Wave.Status.FIELD)


def test_open_link_url(org_a, settings):
    settings.DEFUS_PUBLIC_URL = "https://umfrage.example"
    wave = make_wave(org_a, mode_open_link=True)
    assert (
        wave_service.open_link_url(wave) == f"https://umfrage.example/s/o/{wave.open_link_token}/"
    )
    wave.mode_open_link = False
    assert wave_service.open_link_url(wave) is None


# --- pages ------------------------------------------------------------------------------------


def upload(name: str, content: str | bytes) -> SimpleUploadedFile:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def form_data(**extra):
    data = {
        "title": "Sicherheit in Musterstadt 2026",
        "slug": "musterstadt-2026",
        "instrument": "defus-monitor:2026.1",
        "field_start": "2026-03-01",
        "field_end": "2026-04-15",
        "mode_web": "on",
        "mode_paper": "on",
        "geojson_property": "code",
        "letter_sender": "Stadt Musterstadt · Postfach 1 · 51100 Musterstadt",
        "letter_contact": "Telefon 0221 123-4567",
    }
    data.update(extra)
    return data


def test_create_wave_through_the_form(client, admin_a, org_a):
    client.force_login(admin_a)
    page = client.get(reverse("fieldwork:wave_create", kwargs={"org": org_a.slug}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "female_18-29" in html and "male_75+" in html  # the format is documented
    assert reverse("fieldwork:example_districts", kwargs={"org": org_a.slug}) in html
    response = client.post(
        reverse("fieldwork:wave_create", kwargs={"org": org_a.slug}),
        form_data(
            mode_open_link="on",
            districts_file=upload("districts.csv", districts_csv(delimiter=";").encode("cp1252")),
            geojson_file=upload("b.geojson", geojson(["N1", "M2", "S3", "Q7"])),
            places_file=upload("places.csv", places_csv()),
        ),
    )
    wave = Wave.objects.get()
    detail = reverse("fieldwork:wave_detail", kwargs={"org": org_a.slug, "wave": wave.slug})
    assert response.status_code == 302 and response["Location"] == detail
    assert wave.districts.filter(boundary__isnull=False).count() == 3
    assert wave.letter["contact"] == "Telefon 0221 123-4567"
    page = client.get(detail, follow=True)
    html = page.content.decode()
    assert "Südviertel" in html and "Hauptbahnhof" in html
    assert "Q7" in html  # the unmatched feature was reported
    assert f"/s/o/{wave.open_link_token}/" in html
    assert "_wave_data_actions" not in html  # the include rendered, not printed
    assert reverse("fieldwork:wave_sample", kwargs={"org": org_a.slug, "wave": wave.slug}) in html


def test_form_errors_are_shown_and_linked(client, admin_a, org_a):
    client.force_login(admin_a)
    bad = districts_csv().replace("N1,Nordstadt,100", "N1,Nordstadt,viele")
    response = client.post(
        reverse("fieldwork:wave_create", kwargs={"org": org_a.slug}),
        form_data(field_end="2026-01-01", districts_file=upload("d.csv", bad)),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "line 2: “viele” in column female_18-29 is not a whole number ≥ 0" in html
    assert 'aria-describedby="id_districts_file_errors' in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_field_end_errors"' in html
    assert 'href="#id_districts_file"' in html  # the summary links to the field
    assert not Wave.objects.exists()


def test_form_refuses_garbage_files(client, admin_a, org_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("fieldwork:wave_create", kwargs={"org": org_a.slug}),
        form_data(
            districts_file=upload("d.csv", b"PK\x03\x04\x00\x00" + bytes(range(256))),
            geojson_file=upload("b.geojson", b"\xff\xfe garbage"),
        ),
    )
    assert response.status_code == 400
    assert "does not look like a CSV file" in response.content.decode()


def test_edit_wave_and_change_status(client, admin_a, org_a):
    wave = make_wave(org_a)
    client.force_login(admin_a)
    edit = reverse("fieldwork:wave_edit", kwargs={"org": org_a.slug, "wave": wave.slug})
    page = client.get(edit)
    assert 'value="Sicherheit in Musterstadt 2026"' in page.content.decode()
    response = client.post(edit, form_data(title="Neuer Titel", field_end="2026-05-01"))
    assert response.status_code == 302
    wave.refresh_from_db()
    assert (wave.title, wave.field_end, wave.districts.count()) == (
        "Neuer Titel",
        datetime.date(2026, 5, 1),
        3,
    )
    status = reverse("fieldwork:wave_status", kwargs={"org": org_a.slug, "wave": wave.slug})
    assert client.post(status, {"status": "field"}).status_code == 302
    wave.refresh_from_db()
    assert wave.status == "field"
    response = client.post(status, {"status": "preparation"}, follow=True)
    wave.refresh_from_db()
    assert wave.status == "field"
    assert "cannot go from" in response.content.decode()


def test_wave_list_and_examples(client, analyst_a, org_a):
    make_wave(org_a)
    client.force_login(analyst_a)
    html = client.get(reverse("fieldwork:wave_list", kwargs={"org": org_a.slug})).content.decode()
    assert "Sicherheit in Musterstadt 2026" in html
    assert reverse("fieldwork:wave_create", kwargs={"org": org_a.slug}) not in html  # analyst
    example = client.get(reverse("fieldwork:example_districts", kwargs={"org": org_a.slug}))
    assert example["Content-Type"].startswith("text/csv")
    rows, errors = parse_districts(example.content)
    assert not errors and len(rows) == 3
    places = client.get(reverse("fieldwork:example_places", kwargs={"org": org_a.slug}))
    rows_p, errors = wave_service.parse_places(places.content, ["01", "02"])
    assert not errors and len(rows_p) == 3


def test_detail_shows_districts_population_and_actions(client, admin_a, org_a):
    wave = make_wave(org_a)
    client.force_login(admin_a)
    html = client.get(
        reverse("fieldwork:wave_detail", kwargs={"org": org_a.slug, "wave": wave.slug})
    ).content.decode()
    assert html.count("<code>N1</code>") == 1
    assert "3030" in html.replace(".", "").replace(",", "").replace("\u202f", "")  # the total
    for name in ("wave_edit", "wave_sample", "wave_letters", "wave_monitoring"):
        assert reverse(f"fieldwork:{name}", kwargs={"org": org_a.slug, "wave": wave.slug}) in html
    assert District.objects.filter(wave=wave).count() == 3
