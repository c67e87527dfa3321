"""`defus demo`: what it builds, that it is idempotent, and that its answers look real.

The command runs once for the module (inside a transaction rolled back at the end); each test
then runs in its own savepoint.
"""

from __future__ import annotations

import itertools
import re
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from defus.events.models import Event, Registration
from defus.fieldwork.models import (
    AccessCode,
    District,
    Place,
    Response,
    SamplePerson,
    Wave,
    age_group,
)
from defus.fieldwork.services.codes import normalise_code
from defus.instrument.answers import asked_items, clean_value
from defus.instrument.definition import available_versions
from defus.organisations.models import Membership, Organisation, User
from defus.organisations.permissions import has_permission

pytestmark = pytest.mark.django_db

PASSWORD = "demo-defus-2026"
LOGINS = {
    "office@defus.example": None,
    "admin@musterstadt.example": ("musterstadt", "admin"),
    "analyst@musterstadt.example": ("musterstadt", "analyst"),
    "member@musterstadt.example": ("musterstadt", "member"),
    "admin@beispielburg.example": ("beispielburg", "admin"),
}


@dataclass
class Run:
    output: str
    seconds: float


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Run]:
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        started = time.perf_counter()
        call_command("demo", stdout=out)
        run = Run(out.getvalue(), time.perf_counter() - started)
        yield run
        transaction.set_rollback(True)


def wave() -> Wave:
    return Wave.objects.get(slug="musterstadt-2026")


def sample_answers() -> list[dict[str, Any]]:
    return list(
        Response.objects.filter(wave=wave(), source=Response.Source.SAMPLE).values_list(
            "answers", flat=True
        )
    )


def share(rows: list[dict[str, Any]], item: str, values: tuple[int, ...]) -> float:
    answered = [r[item] for r in rows if item in r]
    assert len(answered) >= 15, f"too few answers to {item}: {len(answered)}"
    return sum(v in values for v in answered) / len(answered)


def mean(rows: list[dict[str, Any]], item: str) -> float:
    return statistics.mean(r[item] for r in rows if r.get(item) in (1, 2, 3, 4, 5))


# --- what is built ------------------------------------------------------------------------------


def test_builds_musterstadt_with_sample_and_answers(demo: Run) -> None:
    w = wave()
    today = timezone.localdate()
    assert w.organisation.slug == "musterstadt" and w.organisation.country == "DE"
    assert w.title == "Sicherheit in Musterstadt 2026"
    assert w.status == Wave.Status.FIELD
    assert w.field_start <= today - timedelta(days=14) and w.field_end >= today + timedelta(days=14)
    assert w.mode_web and w.mode_paper and w.mode_open_link
    newest = max(
        (v for k, v in available_versions() if k == "defus-monitor"),
        key=lambda v: [int(p) for p in v.split(".")],
    )
    assert w.instrument_version == newest

    districts = list(w.districts.all())
    assert len(districts) == 12
    assert [d.answer_code for d in districts] == list(range(1, 13))
    total = sum(d.total_population for d in districts)
    assert 170_000 <= total <= 190_000
    for district in districts:
        assert 6_000 <= district.total_population <= 25_000, district.name
        assert set(district.population) == {"female", "male", "diverse"}
        assert set(district.population["female"]) == {"18-29", "30-44", "45-59", "60-74", "75+"}
    students = District.objects.get(wave=w, name="Lindenau").population
    older = District.objects.get(wave=w, name="Kirchberg").population
    assert students["female"]["18-29"] > 2 * older["female"]["18-29"]
    assert older["female"]["75+"] > 2 * students["female"]["75+"]

    assert Place.objects.filter(wave=w).count() >= 10
    assert {"Hauptbahnhof", "Marktplatz", "Stadtpark", "Unterführung Bahnhofstraße"} <= set(
        Place.objects.filter(wave=w).values_list("name", flat=True)
    )

    people = SamplePerson.objects.filter(wave=w)
    assert people.count() == 2000
    addresses = people.values_list("first_name", "last_name", "street", "postcode", "city")
    assert len(set(addresses)) == 2000
    assert set(people.values_list("salutation", flat=True)) <= {"Frau", "Herr", ""}
    codes = AccessCode.objects.filter(wave=w)
    assert codes.count() == 2000
    used = codes.filter(used=True)
    assert 760 <= used.count() <= 840
    responses = Response.objects.filter(wave=w)
    assert responses.filter(source=Response.Source.SAMPLE).count() == used.count()
    open_link = responses.filter(source=Response.Source.OPEN_LINK)
    assert 50 <= open_link.count() <= 70
    assert not open_link.filter(sample_district__isnull=False).exists()
    assert not responses.filter(
        source=Response.Source.SAMPLE, sample_district__isnull=True
    ).exists()
    paper = responses.filter(mode=Response.Mode.PAPER).count() / responses.count()
    assert 0.18 <= paper <= 0.32
    # Response rates differ by district (about 30–50 %).
    rates = [
        codes.filter(district=d, used=True).count() / codes.filter(district=d).count()
        for d in districts
    ]
    assert min(rates) >= 0.2 and max(rates) <= 0.6 and max(rates) - min(rates) >= 0.1
    # Reminders only went to those who had not answered when they were printed.
    reminded = SamplePerson.objects.filter(wave=w, reminded_on__isnull=False)
    assert reminded.exists()
    assert reminded.count() < 2000 - 400  # not those who had answered before the reminder


def test_beispielburg_has_its_own_small_closed_wave(demo: Run) -> None:
    other = Wave.objects.get(organisation__slug="beispielburg")
    assert other.status == Wave.Status.CLOSED
    assert other.field_end < timezone.localdate()
    assert other.districts.count() == 3
    assert 30 <= other.responses.count() <= 50
    assert not Response.objects.filter(wave=other, sample_district__wave=wave()).exists()
    admin_b = User.objects.get(email="admin@beispielburg.example")
    musterstadt = Organisation.objects.get(slug="musterstadt")
    assert not has_permission(admin_b, musterstadt, "wave.view")
    assert has_permission(admin_b, other.organisation, "wave.manage")


def test_logins_work_with_the_demo_password(demo: Run, client: Any) -> None:
    for email, role in LOGINS.items():
        user = User.objects.get(email=email)
        if role is None:
            assert user.is_forum_staff and user.is_staff and user.is_superuser
            assert not user.memberships.exists()
        else:
            membership = Membership.objects.get(user=user)
            assert (membership.organisation.slug, membership.role) == role
            assert not (user.is_forum_staff or user.is_staff or user.is_superuser)
    # One password for all, hashed once: checking one hash checks them all.
    assert len({u.password for u in User.objects.filter(email__in=LOGINS)}) == 1
    response = client.post(
        "/accounts/login/", {"login": "admin@musterstadt.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    client.logout()
    client.post("/accounts/login/", {"login": "office@defus.example", "password": PASSWORD})
    assert client.get("/admin/").status_code == 200


def test_output_names_logins_wave_codes_and_open_link(demo: Run) -> None:
    for email in LOGINS:
        assert email in demo.output
    assert PASSWORD in demo.output
    assert "musterstadt-2026" in demo.output
    printed = re.findall(r"^\s+([0-9A-Z]{5}-[0-9A-Z]{5})$", demo.output, re.MULTILINE)
    assert len(printed) == 5
    codes = AccessCode.objects.filter(code__in=[normalise_code(c) for c in printed], wave=wave())
    assert codes.count() == 5 and not codes.filter(used=True).exists()
    assert f"/s/o/{wave().open_link_token}/" in demo.output


def test_second_run_changes_nothing(demo: Run) -> None:
    def state() -> dict[str, Any]:
        return {
            "organisations": sorted(Organisation.objects.values_list("slug", flat=True)),
            "users": sorted(User.objects.values_list("email", "password")),
            "memberships": Membership.objects.count(),
            "waves": sorted(Wave.objects.values_list("slug", "field_start", "open_link_token")),
            "districts": District.objects.count(),
            "places": Place.objects.count(),
            "persons": SamplePerson.objects.count(),
            "codes": sorted(AccessCode.objects.values_list("code", "used")),
            "responses": sorted(str(pk) for pk in Response.objects.values_list("pk", flat=True)),
            "events": sorted(Event.objects.values_list("slug", flat=True)),
            "registrations": Registration.objects.count(),
        }

    before = state()
    out = StringIO()
    with translation.override("en"):
        call_command("demo", stdout=out)
    assert state() == before
    assert "exists already" in out.getvalue()
    printed = re.findall(r"^\s+([0-9A-Z]{5}-[0-9A-Z]{5})$", out.getvalue(), re.MULTILINE)
    assert printed == re.findall(r"^\s+([0-9A-Z]{5}-[0-9A-Z]{5})$", demo.output, re.MULTILINE)


def test_reset_builds_the_waves_again_with_new_codes(demo: Run) -> None:
    old_codes = set(AccessCode.objects.filter(wave=wave()).values_list("code", flat=True))
    old_a1 = Counter(r.get("A1") for r in sample_answers())
    call_command("demo", "--reset", stdout=StringIO())
    new_codes = set(AccessCode.objects.filter(wave=wave()).values_list("code", flat=True))
    assert len(new_codes) == 2000 and not new_codes & old_codes
    assert Wave.objects.filter(slug="musterstadt-2026").count() == 1
    # The seed is fixed: the same answers again.
    assert Counter(r.get("A1") for r in sample_answers()) == old_a1


# --- anonymity ----------------------------------------------------------------------------------


def test_used_codes_and_answers_agree_only_in_their_counts(demo: Run) -> None:
    w = wave()
    by_codes = Counter(
        AccessCode.objects.filter(wave=w, used=True).values_list("district", flat=True)
    )
    by_answers = Counter(
        Response.objects.filter(wave=w, source=Response.Source.SAMPLE).values_list(
            "sample_district", flat=True
        )
    )
    assert by_codes == by_answers
    days = set(Response.objects.filter(wave=w).values_list("completed_on", flat=True))
    assert len(days) > 10  # returns spread over the field period


def test_answers_arrive_with_a_peak_and_a_bump_after_the_reminder(demo: Run) -> None:
    w = wave()
    per_day = Counter(
        Response.objects.filter(
            wave=w, mode=Response.Mode.WEB, source=Response.Source.SAMPLE
        ).values_list("completed_on", flat=True)
    )
    first_week = sum(per_day[w.field_start + timedelta(days=n)] for n in range(7))
    second_week = sum(per_day[w.field_start + timedelta(days=n)] for n in range(7, 14))
    assert first_week > 2 * second_week
    reminder = SamplePerson.objects.filter(wave=w).exclude(reminded_on=None).first()
    assert reminder is not None and reminder.reminded_on is not None
    before = sum(per_day[reminder.reminded_on - timedelta(days=n)] for n in range(1, 4))
    after = sum(per_day[reminder.reminded_on + timedelta(days=n)] for n in range(2, 5))
    assert after > before


# --- the answers --------------------------------------------------------------------------------


def test_every_answer_is_valid_and_respects_the_filters(demo: Run) -> None:
    for w in Wave.objects.filter(slug__in=["musterstadt-2026", "beispielburg-2026"]):
        instrument = w.instrument
        for response in Response.objects.filter(wave=w):
            answers = response.answers
            assert response.instrument_version == w.instrument_version
            assert response.language in instrument.languages
            asked = asked_items(instrument, answers)
            for code, value in answers.items():
                item = instrument.item(code)
                assert asked[code], f"{code} stored although its filter does not apply"
                cleaned = clean_value(item, value)
                assert cleaned == value and type(cleaned) is type(value), (code, value)
            for question in instrument.questions:
                if question.kind == "multi":
                    present = [i.code in answers for i in question.items]
                    assert all(present) or not any(present), question.code
                    if all(present):
                        assert any(answers[i.code] == 1 for i in question.items)


def test_filters_lead_to_follow_up_answers(demo: Run) -> None:
    rows = sample_answers()
    avoiders = [r for r in rows if r.get("K1") == 1]
    assert sum("K2_01" in r for r in avoiders) >= 0.9 * len(avoiders) > 100
    assert not any("K2_01" in r for r in rows if r.get("K1") != 1)
    texts = [r["K3"] for r in rows if "K3" in r]
    assert len(texts) >= 40
    assert all(r.get("K2_03") == 1 for r in rows if "K3" in r)
    named = " ".join(texts)
    for words in ("Hauptbahnhof", "Stadtpark", "Unterführung"):
        assert words in named
    reported = 0
    for r in rows:
        victim = any(r.get(f"V1_0{n}") == 1 for n in range(1, 7))
        reports = [code for code in r if code.startswith("V2_")]
        assert victim or not reports
        reported += bool(reports)
    assert reported >= 50


def test_answer_patterns_look_real(demo: Run) -> None:
    rows = sample_answers()
    women = [r for r in rows if r.get("D1") == 1]
    men = [r for r in rows if r.get("D1") == 2]
    assert share(women, "A1", (4, 5)) > share(men, "A1", (4, 5)) + 0.05
    young = [r for r in rows if age_group(r.get("D2")) == "18-29"]
    old = [r for r in rows if age_group(r.get("D2")) == "75+"]
    assert share(old, "A1", (4, 5)) > share(young, "A1", (4, 5)) + 0.1
    # After dark worse than by day, at stations most of all.
    assert mean(rows, "A3_07") > mean(rows, "A2_07") + 1.0
    assert mean(rows, "A3_07") > mean(rows, "A3_01")
    # Older people more often don't go to large parks after dark.
    assert share(old, "A3_05", (8,)) > share(young, "A3_05", (8,))
    # The station district feels less safe than the city.
    station_district = District.objects.get(wave=wave(), name="Bahnhofsviertel").answer_code
    assert mean([r for r in rows if r.get("D3") == station_district], "A1") > mean(rows, "A1") + 0.3
    # Worry that restricts: more common among those who feel unsafe.
    unsafe = [r for r in rows if r.get("A1") in (4, 5)]
    safe = [r for r in rows if r.get("A1") in (1, 2)]
    assert share(unsafe, "K1", (1,)) > share(safe, "K1", (1,)) + 0.15
    # Victimisation is rare.
    for n in range(1, 7):
        assert 0.02 <= share(rows, f"V1_0{n}", (1,)) <= 0.18
    # Some item non-response, but not much.
    missing = sum("A1" not in r for r in rows) / len(rows)
    assert 0.005 <= missing <= 0.06
    # Older people and women answer a bit more than their share of the population.
    population = Counter()
    for district in wave().districts.all():
        for gender, groups in district.population.items():
            for group, n in groups.items():
                population[(gender, group)] += n
    people = sum(population.values())
    old_in_population = sum(n for (_g, group), n in population.items() if group == "75+") / people
    women_in_population = sum(n for (g, _a), n in population.items() if g == "female") / people
    assert len(old) / len(rows) > old_in_population
    assert len(women) / len(rows) > women_in_population
    # Ages are those of adults, spread over every age group.
    ages = Counter(age_group(r["D2"]) for r in rows if "D2" in r)
    assert None not in ages and all(
        ages[g] >= 40 for g in ("18-29", "30-44", "45-59", "60-74", "75+")
    )


# --- boundaries ---------------------------------------------------------------------------------


def inside(ring: list[list[float]], lon: float, lat: float) -> bool:
    """Ray casting, written here again so the test does not trust the code it tests."""
    result = False
    for i in range(len(ring) - 1):
        (x1, y1), (x2, y2) = ring[i], ring[i + 1]
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            result = not result
    return result


def signed_area(ring: list[list[float]]) -> float:
    return (
        sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1))
        / 2
    )


def crosses(a: list[float], b: list[float], c: list[float], d: list[float]) -> bool:
    def side(p: list[float], q: list[float], r: list[float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


def test_district_boundaries_are_valid_and_tile_the_city(demo: Run) -> None:
    districts = list(wave().districts.all())
    rings = {}
    for district in districts:
        assert district.boundary["type"] == "Polygon"
        ring = district.boundary["coordinates"][0]
        assert len(ring) >= 4 and ring[0] == ring[-1], district.name
        assert signed_area(ring) > 0, f"{district.name}: not counter-clockwise"
        edges = list(itertools.pairwise(ring))
        for i, (a, b) in enumerate(edges):
            for j, (c, d) in enumerate(edges):
                if abs(i - j) > 1 and {i, j} != {0, len(edges) - 1}:
                    assert not crosses(a, b, c, d), f"{district.name}: ring crosses itself"
        for lon, lat in ring:
            assert 8.3 < lon < 8.7 and 49.85 < lat < 50.05
        rings[district.pk] = ring
    # Neighbours share edges exactly: every edge appears once in each direction, or is outline.
    edges = Counter()
    for ring in rings.values():
        for a, b in itertools.pairwise(ring):
            edges[(tuple(a), tuple(b))] += 1
    shared = [e for e in edges if (e[1], e[0]) in edges]
    assert len(shared) == 4 * 17  # 17 inner grid edges, each in two halves, both directions
    assert all(n == 1 for n in edges.values())
    # No overlaps, no gaps: points of the inner city lie in exactly one district.
    for i in range(1, 40):
        for j in range(1, 20):
            lon, lat = 8.45 + 0.1 * i / 40, 49.93 + 0.04 * j / 20
            hits = [pk for pk, ring in rings.items() if inside(ring, lon, lat)]
            assert len(hits) == 1, (lon, lat, hits)
    # Every named place lies in its own district and in no other.
    for place in Place.objects.filter(wave=wave()).select_related("district"):
        assert place.district is not None and place.latitude is not None
        assert place.longitude is not None
        hits = [pk for pk, ring in rings.items() if inside(ring, place.longitude, place.latitude)]
        assert hits == [place.district.pk], place.name


# --- walks, workshop, priorities and measures (cycle.yaml) ---------------------------------------


def test_builds_walks_workshop_and_measures_evaluated_between_the_waves(demo: Run) -> None:
    from defus.strategy.evaluation import evaluate
    from defus.strategy.models import Priority
    from defus.walks.models import Walk, Workshop

    walks = list(Walk.objects.filter(organisation__slug="musterstadt").order_by("date"))
    assert [w.status for w in walks] == [Walk.Status.RECORDED, Walk.Status.PLANNED]
    recorded, planned = walks
    assert recorded.district.name == planned.district.name == "Bahnhofsviertel"
    assert recorded.time_of_day == "night" and planned.repeat_of == recorded
    stops = list(recorded.stops.all())
    assert len(stops) == 4 and all(s.recorded and s.checklist for s in stops)
    assert [s.name for s in planned.stops.all()] == [s.name for s in stops]
    assert sum(s.photos.count() for s in stops) == 2
    assert sum(s.issues.count() for s in stops) >= 6
    assert "Musterstadt: zwei Stadtteilspaziergänge" in demo.output
    workshop = Workshop.objects.get(organisation__slug="musterstadt")
    assert workshop.findings.count() == 3 and sum(workshop.participants.values()) > 10

    priorities = list(Priority.objects.filter(organisation__slug="musterstadt"))
    assert len(priorities) == 2 and all(p.measures.exists() for p in priorities)
    for priority in priorities:
        assert priority.baseline_wave.slug == "musterstadt-2024"
        evaluation = evaluate(priority)
        assert evaluation.current is not None and evaluation.current.wave.slug == wave().slug
        for measured in (evaluation.baseline.row, evaluation.current.row):
            assert measured is not None and not measured.suppressed
            assert measured.ci_low < measured.estimate < measured.ci_high
        assert evaluation.difference is not None and 0 <= evaluation.difference["p_value"] <= 1


def test_builds_the_forums_events_with_registrations(demo: Run) -> None:
    past = Event.objects.filter(start__year=2016).values_list("slug", flat=True)
    assert sorted(past) == [
        "cost-konferenz-hannover-2016",
        "mitgliederversammlung-2016",
        "praeventionstag-magdeburg-2016",
    ]
    training = Event.objects.get(slug="training-sicherheitsbegehungen")
    statuses = sorted(training.registrations.values_list("status", flat=True))
    assert statuses == ["confirmed", "confirmed", "waiting"]
    assembly = Event.objects.get(slug="mitgliederversammlung")
    assert assembly.registrations.filter(voting_representative=True).count() == 1
    seminar = Event.objects.get(slug="seminar-sichere-oeffentliche-raeume")
    assert seminar.sessions.count() == 3 and set(seminar.title) == {"de", "en", "fr"}
