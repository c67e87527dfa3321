"""Planning a walk: its facts, the route on the district map (typed coordinates, reorder,
remove), suggested stops from the survey, permissions, and `defus walks plan/list`."""

from __future__ import annotations

import datetime
import html
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from defus.fieldwork.models import Place
from defus.walks.models import Stop, Walk
from defus.walks.services import planning
from tests.analysis.support import make_analysis_wave
from tests.support import run_defus
from tests.walks.support import centre, make_walk, make_walk_wave, walk_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def plan_data(wave: Any, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Bahnhof bei Nacht",
        "district": str(wave.districts.get(code="02").pk),
        "date": "2026-05-12",
        "start_time": "21:30",
        "time_of_day": "night",
        "p_women": "6",
        "p_older": "3",
        "p_staff": "",
        "facilitators": "Ordnungsamt",
        "repeat_of": "",
        "notes": "",
        **extra,
    }


def test_planning_a_walk_stores_counts_only(client: Any, admin_a: Any, org_a: Any) -> None:
    wave = make_walk_wave(org_a)
    client.force_login(admin_a)
    form = client.get(reverse("walks:walk_create", kwargs={"org": org_a.slug}))
    assert form.status_code == 200
    assert "Participants (numbers only)" in text(form)
    assert "Befragung walks-2026" in text(form)  # districts grouped by wave
    response = client.post(
        reverse("walks:walk_create", kwargs={"org": org_a.slug}), plan_data(wave)
    )
    walk = Walk.objects.get()
    assert response.status_code == 302
    assert response["Location"] == walk_url(walk, "walk_route")
    assert walk.participants == {"women": 6, "older": 3}
    assert walk.time_of_day == "night" and walk.start_time == datetime.time(21, 30)
    assert walk.district.code == "02" and walk.status == "planned"


def test_plan_form_errors_keep_what_was_typed(client: Any, admin_a: Any, org_a: Any) -> None:
    wave = make_walk_wave(org_a)
    client.force_login(admin_a)
    url = reverse("walks:walk_create", kwargs={"org": org_a.slug})
    response = client.post(url, plan_data(wave, title="", p_women="-2", date="12.13.2026"))
    assert response.status_code == 400
    page = text(response)
    assert "Please correct the following" in page
    assert "Ensure this value is greater than or equal to 0." in page
    assert 'value="Ordnungsamt"' in page or "Ordnungsamt</textarea>" in page
    assert not Walk.objects.exists()


def test_a_repeat_starts_with_a_copy_of_the_route(client: Any, admin_a: Any, org_a: Any) -> None:
    first = make_walk(org_a, stops=3)
    client.force_login(admin_a)
    url = reverse("walks:walk_create", kwargs={"org": org_a.slug})
    assert "Bahnhofsviertel nach" in text(client.get(url + f"?repeat={first.pk}"))
    response = client.post(
        url,
        plan_data(
            first.wave, title="Dieselbe Route am Tag", time_of_day="day", repeat_of=str(first.pk)
        ),
    )
    assert response.status_code == 302
    repeat = Walk.objects.get(title="Dieselbe Route am Tag")
    assert repeat.repeat_of == first
    assert [s.name for s in repeat.stops.all()] == ["Halt 1", "Halt 2", "Halt 3"]
    assert first.stops.count() == 3


def test_route_map_and_typed_stops(client: Any, admin_a: Any, org_a: Any) -> None:
    walk = make_walk(org_a, stops=0)
    client.force_login(admin_a)
    url = walk_url(walk, "walk_route")
    page = text(client.get(url))
    assert '<svg class="map clickable" id="district-map"' in page
    assert "The route has no stops yet." in page
    latitude, longitude = centre(1)
    response = client.post(
        url,
        {
            "action": "add",
            "name": "Unterführung",
            "latitude": f"{latitude}",
            "longitude": str(longitude).replace(".", ","),
        },
        follow=True,
    )
    assert "Stop “Unterführung” added." in text(response)
    stop = Stop.objects.get(walk=walk)
    assert (stop.position, stop.latitude, stop.longitude) == (1, latitude, longitude)
    # Without a name, the stop is numbered.
    client.post(url, {"action": "add", "name": "", "latitude": "49.905", "longitude": "8.445"})
    assert list(walk.stops.values_list("name", flat=True)) == ["Unterführung", "Stop 2"]


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("abc", "8.45", "Latitude must be a number in degrees, e.g. 52.5163 (not “abc”)."),
        ("95", "8.45", "Latitude must lie between -90 and 90 degrees."),
        ("49.9", "190.5", "Longitude must lie between -180 and 180 degrees."),
        ("49.9", "", "This field is required."),
        ("nan", "8.45", "Latitude must lie between -90 and 90 degrees."),
    ],
)
def test_malformed_coordinates_are_refused_with_a_message(
    client: Any, admin_a: Any, org_a: Any, latitude: str, longitude: str, message: str
) -> None:
    walk = make_walk(org_a, stops=0)
    client.force_login(admin_a)
    response = client.post(
        walk_url(walk, "walk_route"),
        {"action": "add", "name": "Spielplatz", "latitude": latitude, "longitude": longitude},
    )
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert 'value="Spielplatz"' in page  # nothing typed is lost
    assert not walk.stops.exists()


def test_a_point_far_outside_the_district_is_stored_with_a_warning(
    client: Any, admin_a: Any, org_a: Any
) -> None:
    walk = make_walk(org_a, stops=0)
    client.force_login(admin_a)
    # latitude and longitude swapped: 8.45 N, 49.91 E is in the Indian Ocean
    response = client.post(
        walk_url(walk, "walk_route"),
        {"action": "add", "name": "Vertauscht", "latitude": "8.45", "longitude": "49.91"},
        follow=True,
    )
    page = text(response)
    assert "lies far outside the district Bahnhofsviertel" in page
    assert "Latitude and longitude may be swapped." in page
    assert walk.stops.count() == 1
    assert planning.location_warning(walk.district, *centre(1)) is None


def test_reorder_and_remove_stops(client: Any, admin_a: Any, org_a: Any) -> None:
    walk = make_walk(org_a, stops=3)
    client.force_login(admin_a)
    url = walk_url(walk, "walk_route")
    first, second, third = walk.stops.all()
    client.post(url, {"action": "down", "stop": first.pk})
    assert list(walk.stops.values_list("name", flat=True)) == ["Halt 2", "Halt 1", "Halt 3"]
    client.post(url, {"action": "up", "stop": third.pk})
    assert list(walk.stops.values_list("name", flat=True)) == ["Halt 2", "Halt 3", "Halt 1"]
    client.post(url, {"action": "remove", "stop": second.pk})
    assert list(walk.stops.values_list("name", "position")) == [("Halt 3", 1), ("Halt 1", 2)]
    # A removed stop, posted again (a double tap): a message, no error.
    response = client.post(url, {"action": "remove", "stop": second.pk}, follow=True)
    assert "This stop no longer exists" in text(response)
    # A recorded stop stays.
    Stop.objects.filter(pk=third.pk).update(recorded=datetime.datetime.now(datetime.UTC))
    response = client.post(url, {"action": "remove", "stop": third.pk}, follow=True)
    assert "has recorded observations and cannot be removed" in text(response)
    assert walk.stops.count() == 2


def test_a_route_without_stops_cannot_be_recorded_or_finished(
    client: Any, admin_a: Any, org_a: Any
) -> None:
    walk = make_walk(org_a, stops=0)
    client.force_login(admin_a)
    page = text(client.get(walk_url(walk, "walk_record")))
    assert "The route has no stops yet. Add at least one stop" in page
    response = client.post(walk_url(walk, "walk_finish"), follow=True)
    assert "The walk has no stops: record at least one stop" in text(response)
    walk.refresh_from_db()
    assert walk.status == "planned"
    assert "The route has no stops yet." in text(client.get(walk_url(walk, "walk_detail")))


def test_suggestions_fall_back_to_the_districts_places_without_answers(
    client: Any, admin_a: Any, org_a: Any
) -> None:
    walk = make_walk(org_a, stops=0)
    client.force_login(admin_a)
    page = text(client.get(walk_url(walk, "walk_route") + "?suggest=1"))
    assert "The survey's answers cannot be used for this wave yet" in page
    # the district's places with coordinates, alphabetically; the Marktplatz is elsewhere
    suggestions = planning.suggest_stops(walk)
    assert not suggestions.ranked
    assert [s.place.code for s in suggestions.places] == ["BUS", "HBF", "UFU"]
    assert "Marktplatz" not in page.split('id="suggestions"')[1]
    place = Place.objects.get(code="HBF")
    client.post(walk_url(walk, "walk_route"), {"action": "add_place", "place": place.pk})
    stop = walk.stops.get()
    assert (stop.name, stop.place, stop.latitude) == ("Hauptbahnhof", place, 49.905)
    assert planning.suggest_stops(walk).places[1].planned


def test_suggestions_are_ranked_by_the_survey(org_a: Any) -> None:
    wave = make_analysis_wave(org_a, per_district=40)
    bahnhof = wave.districts.get(code="02")
    Place.objects.filter(wave=wave, code="HBF").update(latitude=49.905, longitude=8.445)
    Place.objects.create(
        wave=wave, code="KIO", name="Kiosk Ecke", district=bahnhof, latitude=49.91, longitude=8.45
    )
    Place.objects.create(wave=wave, code="OHN", name="Ohne Koordinaten", district=bahnhof)
    walk = make_walk(org_a, wave, stops=0)
    suggestions = planning.suggest_stops(walk)
    assert suggestions.ranked
    # the station is named often; the kiosk never (not listed), nor places without a position
    assert [s.place.code for s in suggestions.places] == ["HBF"]
    assert suggestions.places[0].share and suggestions.places[0].share > 0


def test_district_map_projection_is_linear_and_invertible(org_a: Any) -> None:
    walk = make_walk(org_a, stops=2)
    view = planning.district_map(walk.district, list(walk.stops.all()))
    assert view is not None and len(view.stops) == 2 and view.route
    p = view.projection
    for stop, point in zip(walk.stops.all(), view.stops, strict=True):
        assert abs(p["west"] + point.x / p["scale_x"] - stop.longitude) < 1e-3
        assert abs(p["north"] - point.y / p["scale_y"] - stop.latitude) < 1e-3
    walk.district.boundary = None
    assert planning.district_map(walk.district, []) is None


def test_permissions(client: Any, org_a: Any, admin_b: Any, member_a: Any) -> None:
    walk = make_walk(org_a, stops=1)
    client.force_login(member_a)
    assert client.get(reverse("walks:walk_list", kwargs={"org": org_a.slug})).status_code == 200
    assert client.get(walk_url(walk, "walk_detail")).status_code == 200
    for name in ("walk_edit", "walk_route", "walk_record"):
        assert client.get(walk_url(walk, name)).status_code == 403, name
    assert client.post(walk_url(walk, "walk_finish")).status_code == 403
    assert client.get(reverse("walks:walk_create", kwargs={"org": org_a.slug})).status_code == 403
    client.force_login(admin_b)
    assert client.get(walk_url(walk, "walk_detail")).status_code == 404
    other = reverse("walks:walk_detail", kwargs={"org": "beispielburg", "walk": walk.pk})
    assert client.get(other).status_code == 404
    # another city's district cannot be chosen
    wave_b = make_walk_wave(admin_b.memberships.get().organisation, slug="b-2026")
    response = client.post(
        reverse("walks:walk_create", kwargs={"org": org_a.slug}), plan_data(wave_b)
    )
    assert response.status_code == 404
    response = client.post(
        reverse("walks:walk_create", kwargs={"org": "beispielburg"}),
        plan_data(wave_b, district=str(walk.district_id)),
    )
    assert response.status_code == 400
    assert not Walk.objects.filter(organisation__slug="beispielburg").exists()


@pytest.mark.django_db(transaction=True)
def test_command_line_plan_and_list(org_a: Any, tmp_path: Path) -> None:
    make_walk_wave(org_a)
    route = tmp_path / "route.csv"
    route.write_text(
        "name;latitude;longitude\nBahnhofsvorplatz;49,905;8,445\nUnterführung;49.912;8.452\n",
        encoding="utf-8",
    )
    result = run_defus(
        "walks",
        "plan",
        "--district-wave",
        "walks-2026",
        "--district",
        "02",
        "--date",
        "2026-05-12",
        "--time-of-day",
        "night",
        "--title",
        "Nachts am Bahnhof",
        "--stops",
        str(route),
        "--participants",
        "women=5,staff=2",
    )
    assert result.returncode == 0, result.stderr
    walk = Walk.objects.get()
    assert "mit 2 Stationen geplant" in result.stdout  # the command speaks German
    assert [s.name for s in walk.stops.all()] == ["Bahnhofsvorplatz", "Unterführung"]
    assert walk.stops.first().latitude == 49.905
    assert walk.participants == {"women": 5, "staff": 2} and walk.time_of_day == "night"

    listed = run_defus("walks", "list", "--org", "musterstadt")
    assert listed.returncode == 0, listed.stderr
    assert (
        f"{walk.pk}\tmusterstadt\t2026-05-12\tnight\t02\tplanned\t2\tNachts am Bahnhof"
        in listed.stdout
    )

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name;latitude;longitude\nA;49.9;8.45\nB;neunundvierzig;8.45\n;49.9;200\n", encoding="utf-8"
    )
    result = run_defus(
        "walks",
        "plan",
        "--district-wave",
        "walks-2026",
        "--district",
        "02",
        "--date",
        "2026-05-13",
        "--title",
        "Fehlerhaft",
        "--stops",
        str(bad),
    )
    assert result.returncode != 0
    assert "Zeile 3, Spalte latitude: Breitengrad muss eine Zahl in Grad sein" in result.stderr
    assert "Zeile 4, Spalte longitude: Längengrad muss zwischen" in result.stderr
    assert "Zeile 4, Spalte name: die Station braucht einen Namen." in result.stderr
    assert Walk.objects.count() == 1

    empty = tmp_path / "empty.csv"
    empty.write_text("name;latitude;longitude\n", encoding="utf-8")
    result = run_defus(
        "walks",
        "plan",
        "--district-wave",
        "walks-2026",
        "--district",
        "02",
        "--date",
        "2026-05-13",
        "--title",
        "Leer",
        "--stops",
        str(empty),
    )
    assert result.returncode != 0 and Walk.objects.count() == 1
