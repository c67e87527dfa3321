"""The demo: Musterstadt, a city with a DEFUS-Monitor wave in the field, and Beispielburg.

`build_demo()` is what `defus demo` runs. It creates, once:

- the organisations Musterstadt and Beispielburg and five people with the password
  `demo-defus-2026` (forum staff; admin, analyst and member of Musterstadt; admin of
  Beispielburg);
- for Musterstadt the wave "Sicherheit in Musterstadt 2026" (in the field: started three weeks
  ago, ends in three weeks) with 12 districts (population by gender × age group, boundaries),
  11 named places, a sample of 2,000 residents with access codes, 800 answers from the
  sample (response rates by district of about 30–50 %) and 60 via the open link;
- for Musterstadt also the first wave, "Sicherheit in Musterstadt 2024" (closed, sample
  deleted, 760 answers), so that results can be compared between waves;
- for Musterstadt also the qualitative part and the strategic cycle (cycle.py, cycle.yaml): a
  recorded night walk through the Bahnhofsviertel and its planned repeat by day, a workshop,
  recorded crime, findings, and two priorities with measures, evaluated 2024 → 2026;
- for Beispielburg a small closed wave with 3 districts and about 40 answers, so that one city
  can be seen not to see another's data.

The cities, districts, places, people and names are described in cities.yaml. Run again,
`build_demo` changes nothing and reports what exists; it works in one transaction, so a wave
is there completely or not at all. Everything random comes from a fixed seed, except
the access codes (`secrets`), which are created once and kept.

Answers are stored as the platform stores real ones (services/responses.py): a Response holds
no code, person or time of day, only its day, mode, language and sampling stratum; a used
code only knows its day and mode. Days, modes and districts of used codes and of answers agree
in their counts, and answers are stored in day order, shuffled within each day, so nothing
ties an answer to a code. Responses are written with bulk_create for speed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from defus.fieldwork.models import (
    AGE_GROUPS,
    GENDERS,
    AccessCode,
    District,
    Place,
    Response,
    SamplePerson,
    Wave,
    age_group,
)
from defus.fieldwork.services.codes import format_code, new_codes
from defus.fieldwork.services.waves import open_link_url
from defus.info.demo import build_info_site
from defus.instrument.definition import standard_instrument
from defus.organisations.models import Membership, Organisation, User

from .cycle import build_cycle, cycle_data, delete_cycle
from .geometry import Grid, contains, tile
from .synthetic import Mention, Respondent, synthetic_answers

PASSWORD = "demo-defus-2026"  # noqa: S105 - the published password of the demo logins
SEED = 2026
BATCH = 500


# --- what the demo cities look like (cities.yaml) ------------------------------------------------

CITIES_FILE = Path(__file__).resolve().parent / "cities.yaml"


@dataclass(frozen=True)
class DistrictSpec:
    answer_code: int
    name: str
    cell: tuple[int, int]  # (row from the north, column from the west) in the city's grid
    adults: int
    ages: tuple[float, ...]  # shares of AGE_GROUPS
    women: float
    unease: float  # how much less safe residents feel than in the city on average
    response: float  # share of the sample that answers, before age and gender
    postcode: str
    streets: tuple[str, ...]

    @property
    def code(self) -> str:
        return f"{self.answer_code:02d}"


@dataclass(frozen=True)
class PlaceSpec:
    code: str
    name: str
    kind: str
    district: int  # answer code
    offset: tuple[float, float]  # from the district's grid cell centre, in cells (east, north)
    aliases: tuple[str, ...]
    weight: float  # how often residents name it in open answers
    phrases: dict[str, tuple[str, ...]]  # the words they use, by language


@dataclass(frozen=True)
class CitySpec:
    organisation: str
    slug: str
    wave_slug: str
    wave_title: str
    status: str
    field_days: tuple[int, int]  # first and last day of fieldwork, relative to today
    letter_day: int  # field day the invitation letters arrive
    reminder_day: int  # field day the reminders are printed
    sample_size: int
    responses: int  # answers from the sample
    open_link: int  # answers via the open link; 0 = no open link
    grid: Grid
    letter: dict[str, str]
    districts: tuple[DistrictSpec, ...]
    places: tuple[PlaceSpec, ...]
    seed: str = ""  # of the sample and the answers: the city's slug, or an earlier wave's
    previous: tuple[CitySpec, ...] = ()  # earlier, closed waves (sample deleted)
    sample_deleted: bool = False


@dataclass(frozen=True)
class PersonSpec:
    email: str
    first_name: str
    last_name: str
    organisation: str | None = None  # slug
    role: str | None = None
    position: str = ""
    forum_staff: bool = False


@dataclass(frozen=True)
class Names:
    first: dict[str, dict[str, tuple[str, ...]]]  # gender → generation → names
    last: tuple[str, ...]
    salutation: dict[str, str]


@dataclass(frozen=True)
class DemoData:
    cities: tuple[CitySpec, ...]
    people: tuple[PersonSpec, ...]
    names: Names

    def city(self, slug: str) -> CitySpec:
        return next(c for c in self.cities if c.slug == slug)


@cache
def demo_data() -> DemoData:
    """cities.yaml as typed data (read once)."""
    with open(CITIES_FILE, encoding="utf-8") as handle:
        raw = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    names = raw["names"]
    return DemoData(
        cities=tuple(_city(c) for c in raw["cities"]),
        people=tuple(PersonSpec(**p) for p in raw["people"]),
        names=Names(
            first={g: {k: tuple(v) for k, v in ages.items()} for g, ages in names["first"].items()},
            last=tuple(names["last"]),
            salutation=dict(names["salutation"]),
        ),
    )


def _city(c: dict[str, Any]) -> CitySpec:
    previous = []
    for earlier in c.get("previous_waves", ()):
        # An earlier wave of the same city: same districts and places, its own field period,
        # size and seed; `unease_change` shifts districts (e.g. a district that has improved).
        change = {int(k): float(v) for k, v in earlier.get("unease_change", {}).items()}
        districts = [
            {**d, "unease": float(d["unease"]) + change.get(int(d["code"]), 0.0)}
            for d in c["districts"]
        ]
        fields = {k: v for k, v in earlier.items() if k not in ("unease_change", "seed")}
        spec = _spec({**c, **fields, "districts": districts}, [])
        seed = earlier.get("seed", earlier["wave_slug"])
        previous.append(replace(spec, seed=seed, sample_deleted=True))
    return _spec(c, previous)


def _spec(c: dict[str, Any], previous: list[CitySpec]) -> CitySpec:
    return CitySpec(
        organisation=c["organisation"],
        slug=c["slug"],
        wave_slug=c["wave_slug"],
        wave_title=c["wave_title"],
        status=c["status"],
        field_days=(int(c["field_days"][0]), int(c["field_days"][1])),
        letter_day=int(c["letter_day"]),
        reminder_day=int(c["reminder_day"]),
        sample_size=int(c["sample_size"]),
        responses=int(c["responses"]),
        open_link=int(c["open_link"]),
        grid=Grid(
            west=float(c["grid"]["west"]),
            south=float(c["grid"]["south"]),
            east=float(c["grid"]["east"]),
            north=float(c["grid"]["north"]),
            cols=int(c["grid"]["cols"]),
            rows=int(c["grid"]["rows"]),
        ),
        letter=dict(c["letter"]),
        districts=tuple(
            DistrictSpec(
                answer_code=int(d["code"]),
                name=d["name"],
                cell=(int(d["cell"][0]), int(d["cell"][1])),
                adults=int(d["adults"]),
                ages=tuple(float(a) for a in d["ages"]),
                women=float(d["women"]),
                unease=float(d["unease"]),
                response=float(d["response"]),
                postcode=str(d["postcode"]),
                streets=tuple(d["streets"]),
            )
            for d in c["districts"]
        ),
        places=tuple(
            PlaceSpec(
                code=p["code"],
                name=p["name"],
                kind=p["kind"],
                district=int(p["district"]),
                offset=(float(p["offset"][0]), float(p["offset"][1])),
                aliases=tuple(p["aliases"]),
                weight=float(p["weight"]),
                phrases={lang: tuple(words) for lang, words in p["phrases"].items()},
            )
            for p in c["places"]
        ),
        seed=c["slug"],
        previous=tuple(previous),
    )


# --- the result --------------------------------------------------------------------------------


@dataclass
class WaveSummary:
    organisation: str
    slug: str
    created: bool
    districts: int
    places: int
    sample: int
    used_codes: int
    responses: int
    open_link_responses: int


@dataclass
class DemoResult:
    wave_slug: str  # the wave to try: the first city's
    people: tuple[PersonSpec, ...]
    organisations: dict[str, str]  # slug → name
    waves: list[WaveSummary] = field(default_factory=list)
    trial_codes: list[str] = field(default_factory=list)  # unused codes, formatted for print
    open_link: str | None = None
    cycle: str | None = None  # the organisation that got walks, workshop and measures (cycle.py)
    cycle_created: bool = False


# --- building ----------------------------------------------------------------------------------


def build_demo(*, today: date | None = None, reset: bool = False) -> DemoResult:
    """Create whatever of the demo is missing (see the module docstring); `reset` rebuilds
    the demo waves (new access codes) but leaves organisations and people as they are."""
    today = today or timezone.localdate()
    data = demo_data()
    result = DemoResult(
        wave_slug=data.cities[0].wave_slug,
        people=data.people,
        organisations={city.slug: city.organisation for city in data.cities},
    )
    with transaction.atomic():
        organisations = {
            spec.slug: Organisation.objects.get_or_create(
                slug=spec.slug,
                defaults={
                    "name": spec.organisation,
                    "kind": Organisation.Kind.CITY,
                    "country": "DE",
                },
            )[0]
            for spec in data.cities
        }
        _ensure_people(data.people, organisations)
        cycle_city = cycle_data()["organisation"]
        if reset:
            delete_cycle(organisations[cycle_city])
        for city in data.cities:
            waves = []
            for spec in (*city.previous, city):
                if reset:
                    delete_wave(spec.wave_slug)
                wave = Wave.objects.filter(slug=spec.wave_slug).first()
                created = wave is None
                if wave is None:
                    wave = build_wave(spec, organisations[spec.slug], today, data.names)
                result.waves.append(summarise(wave, created))
                waves.append(wave)
            if city.slug == cycle_city and len(waves) > 1:
                # Walks, workshop and measures; the first wave is the priorities' baseline.
                result.cycle = city.organisation
                result.cycle_created = build_cycle(waves[-1], waves[0], today)
    build_info_site()  # the information service's pages (once; editors' changes stay)
    build_network(today)
    wave = Wave.objects.get(slug=result.wave_slug)
    result.trial_codes = [format_code(code) for code in trial_codes(wave)]
    result.open_link = open_link_url(wave)
    return result


def build_network(today: date) -> None:
    """The network's part of the demo, after the cities and their people: member cities and
    profiles, events with registrations, working groups with discussions, projects with a
    call for participation, newsletter subscribers and an issue in the archive."""
    from defus.events.demo import build_events_demo
    from defus.exchange.demo import build_exchange_demo
    from defus.members.demo import build_members_demo
    from defus.newsletter.demo import build_newsletter_demo
    from defus.projects.demo import build_projects_demo

    build_members_demo()
    build_events_demo(today)
    build_exchange_demo()
    build_projects_demo(today)
    build_newsletter_demo()


def delete_wave(slug: str) -> None:
    """Remove a demo wave with everything in it (the sample first: it protects districts)."""
    SamplePerson.objects.filter(wave__slug=slug).delete()
    Wave.objects.filter(slug=slug).delete()


def trial_codes(wave: Wave, count: int = 5) -> list[str]:
    """Unused access codes without a questionnaire in progress, to try the questionnaire."""
    unused = AccessCode.objects.filter(wave=wave, used=False, draft__isnull=True)
    return list(unused.order_by("pk").values_list("code", flat=True)[:count])


def summarise(wave: Wave, created: bool) -> WaveSummary:
    responses = Response.objects.filter(wave=wave)
    return WaveSummary(
        organisation=wave.organisation.name,
        slug=wave.slug,
        created=created,
        districts=wave.districts.count(),
        places=wave.places.count(),
        sample=wave.sample.count(),
        used_codes=wave.access_codes.filter(used=True).count(),
        responses=responses.count(),
        open_link_responses=responses.filter(source=Response.Source.OPEN_LINK).count(),
    )


def _ensure_people(people: Sequence[PersonSpec], organisations: dict[str, Organisation]) -> None:
    """The demo logins; existing people keep their password, get the demo role and flags."""
    password: str | None = None  # hashed once: hashing is slow on purpose
    for spec in people:
        user = User.objects.filter(email=spec.email).first()
        flags = {
            "is_forum_staff": spec.forum_staff,
            "is_staff": spec.forum_staff,
            "is_superuser": spec.forum_staff,
        }
        if user is None:
            password = password or make_password(PASSWORD)
            user = User.objects.create(
                email=spec.email,
                first_name=spec.first_name,
                last_name=spec.last_name,
                password=password,
                **flags,
            )
        elif any(getattr(user, name) != value for name, value in flags.items()):
            for name, value in flags.items():
                setattr(user, name, value)
            user.save(update_fields=list(flags))
        if spec.organisation and spec.role:
            membership, _created = Membership.objects.get_or_create(
                user=user,
                organisation=organisations[spec.organisation],
                defaults={"role": spec.role, "position": spec.position},
            )
            if membership.role != spec.role:
                membership.role = spec.role
                membership.save(update_fields=["role"])


@dataclass
class _Person:
    """One drawn resident: register data for the sample, and who they are for the answers."""

    district: DistrictSpec
    gender: str
    age: int
    first_name: str
    last_name: str
    street: str
    responds: bool = False
    day: date | None = None
    mode: str = ""


def build_wave(spec: CitySpec, organisation: Organisation, today: date, names: Names) -> Wave:
    """The city's wave with districts, places, sample, codes and answers, in one go."""
    start = today + timedelta(days=spec.field_days[0])
    end = today + timedelta(days=spec.field_days[1])
    instrument_version = standard_instrument().version
    wave = Wave.objects.create(
        organisation=organisation,
        title=spec.wave_title,
        slug=spec.wave_slug,
        instrument_version=instrument_version,
        field_start=start,
        field_end=end,
        mode_web=True,
        mode_paper=True,
        mode_open_link=spec.open_link > 0,
        status=spec.status,
        invitations_printed_on=start - timedelta(days=3),
        letter=spec.letter,
    )
    districts = _create_districts(wave, spec)
    _create_places(wave, spec, districts)
    instrument = wave.instrument
    rng = random.Random(f"{SEED}-{spec.seed}-sample")
    persons = _draw_sample(spec, names, rng)
    days = _field_days(start, min(today, end))
    _choose_respondents(spec, persons, days, rng)
    _create_sample(wave, spec, persons, districts, days, names)

    answer_rng = random.Random(f"{SEED}-{spec.seed}-answers")
    mentions = [
        Mention(district=p.district, weight=p.weight, phrases=p.phrases) for p in spec.places
    ]
    languages = instrument.languages
    responses: list[Response] = []
    for person in persons:
        if not person.responds:
            continue
        assert person.day is not None
        respondent = Respondent(
            gender=person.gender,
            age=person.age,
            district=_reported_district(spec, person.district, answer_rng),
            unease=person.district.unease,
            mode=person.mode,
            language=_language(answer_rng, person.mode, languages),
        )
        answers = synthetic_answers(instrument, respondent, answer_rng, mentions)
        stratum = districts[person.district.answer_code]
        responses.append(_response(wave, stratum, respondent, person.day, answers))
    for respondent, day in _open_link_respondents(spec, days, answer_rng, languages):
        answers = synthetic_answers(instrument, respondent, answer_rng, mentions)
        responses.append(_response(wave, None, respondent, day, answers))
    # Stored in the order they would have arrived, in random order within a day.
    answer_rng.shuffle(responses)
    responses.sort(key=lambda r: r.completed_on)
    Response.objects.bulk_create(responses, batch_size=BATCH)
    if spec.sample_deleted:
        # An earlier wave: names and addresses were deleted after fieldwork, as they should be.
        SamplePerson.objects.filter(wave=wave).delete()
        wave.sample_deleted_on = end + timedelta(days=14)
        wave.save(update_fields=["sample_deleted_on"])
    # As record_response would have counted them: analysis caches per answers revision.
    Wave.objects.filter(pk=wave.pk).update(answers_revision=len(responses))
    wave.answers_revision = len(responses)
    return wave


def _response(
    wave: Wave,
    stratum: District | None,
    respondent: Respondent,
    day: date,
    answers: dict[str, int | str],
) -> Response:
    """A Response with exactly the fields `record_response` fills in for a real answer."""
    return Response(
        wave=wave,
        instrument_version=wave.instrument_version,
        mode=respondent.mode,
        source=Response.Source.SAMPLE if stratum is not None else Response.Source.OPEN_LINK,
        language=respondent.language,
        completed_on=day,
        sample_district=stratum,
        answers=answers,
    )


def district_population(spec: DistrictSpec) -> dict[str, dict[str, int]]:
    """Adults by gender × age group; a few people of diverse gender, more among the young."""
    diverse_share = (0.003, 0.0015, 0.0008, 0.0004, 0.0002)
    result: dict[str, dict[str, int]] = {gender: {} for gender in GENDERS}
    for group, share, diverse in zip(AGE_GROUPS, spec.ages, diverse_share, strict=True):
        people = spec.adults * share
        # the oldest groups have more women: they live longer
        women = spec.women + {"60-74": 0.02, "75+": 0.08}.get(group, -0.01)
        result["diverse"][group] = round(people * diverse)
        rest = people - result["diverse"][group]
        result["female"][group] = round(rest * women)
        result["male"][group] = round(rest * (1 - women))
    return result


def _create_districts(wave: Wave, spec: CitySpec) -> dict[int, District]:
    boundaries = tile(spec.grid, random.Random(f"{SEED}-{spec.slug}-boundaries"))
    return {
        d.answer_code: District.objects.create(
            wave=wave,
            code=d.code,
            name=d.name,
            answer_code=d.answer_code,
            population=district_population(d),
            boundary=boundaries[d.cell],
        )
        for d in spec.districts
    }


def _create_places(wave: Wave, spec: CitySpec, districts: dict[int, District]) -> None:
    cells = {d.answer_code: d.cell for d in spec.districts}
    places = []
    for p in spec.places:
        district = districts[p.district]
        lon, lat = spec.grid.point_in_cell(*cells[p.district], *p.offset)
        if district.boundary is None or not contains(district.boundary, (lon, lat)):
            raise ValueError(f"{p.name} lies outside {district.name}: move its offset")
        places.append(
            Place(
                wave=wave,
                code=p.code,
                name=p.name,
                kind=p.kind,
                district=district,
                latitude=lat,
                longitude=lon,
                aliases="\n".join(p.aliases),
            )
        )
    Place.objects.bulk_create(places)


# --- the sample --------------------------------------------------------------------------------

# "18-29" → (18, 29); the open-ended oldest group is drawn separately
AGE_SPAN = {g: (int(g.split("-")[0]), int(g.split("-")[1])) for g in AGE_GROUPS if "-" in g}
# Who answers: older people and women a bit more, the young less (multiplies the district rate).
ANSWER_BY_AGE = {"18-29": 0.75, "30-44": 0.88, "45-59": 1.0, "60-74": 1.2, "75+": 1.12}
ANSWER_BY_GENDER = {"female": 1.08, "male": 0.93, "diverse": 1.0}
PAPER_BY_AGE = {"18-29": 0.07, "30-44": 0.12, "45-59": 0.2, "60-74": 0.37, "75+": 0.62}


def _age_in(group: str, rng: random.Random) -> int:
    if group in AGE_SPAN:
        return rng.randint(*AGE_SPAN[group])
    return min(75 + int(rng.expovariate(1 / 7)), 99)


def _first_name(names: Names, gender: str, age: int, rng: random.Random) -> str:
    by_generation = names.first[gender]
    generation = "young" if age < 35 else ("middle" if age < 60 else "old")
    return rng.choice(by_generation.get(generation) or next(iter(by_generation.values())))


def _draw_sample(spec: CitySpec, names: Names, rng: random.Random) -> list[_Person]:
    """A random sample of adults, allocated to districts in proportion to their population."""
    total = sum(d.adults for d in spec.districts)
    quotas = {d.answer_code: spec.sample_size * d.adults / total for d in spec.districts}
    counts = {code: math.floor(q) for code, q in quotas.items()}
    by_remainder = sorted(quotas, key=lambda code: quotas[code] - counts[code], reverse=True)
    for code in by_remainder[: spec.sample_size - sum(counts.values())]:
        counts[code] += 1
    persons: list[_Person] = []
    addresses: set[tuple[str, str, str]] = set()  # nobody twice at one address
    for district in spec.districts:
        cells = [
            (g, a, n)
            for g, groups in district_population(district).items()
            for a, n in groups.items()
        ]
        drawn = rng.choices(
            cells, weights=[n for *_cell, n in cells], k=counts[district.answer_code]
        )
        for gender, group, _n in drawn:
            age = _age_in(group, rng)
            first_name = _first_name(names, gender, age, rng)
            last_name = rng.choice(names.last)
            street = ""
            while not street or (first_name, last_name, street) in addresses:
                number = f"{rng.randint(1, 140)}{rng.choice('ab') if rng.random() < 0.08 else ''}"
                street = f"{rng.choice(district.streets)} {number}"
            addresses.add((first_name, last_name, street))
            persons.append(
                _Person(
                    district=district,
                    gender=gender,
                    age=age,
                    first_name=first_name,
                    last_name=last_name,
                    street=street,
                )
            )
    rng.shuffle(persons)  # the register's draw is not sorted by district
    return persons


def _field_days(start: date, last: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((last - start).days + 1)]


def _arrival_weights(spec: CitySpec, days: Sequence[date]) -> tuple[list[float], list[float]]:
    """How answers spread over the field days: (web by day, paper by day of entry).

    A peak when the letters arrive, decaying; a smaller bump after the reminder; paper
    questionnaires are typed in on working days, two to six days after they were filled in.
    """
    web: list[float] = []
    for n, day in enumerate(days):
        t = n - spec.letter_day
        weight = 0.0 if t < 0 else math.exp(-t / 4.5) + 0.03
        t_reminder = n - spec.reminder_day - spec.letter_day
        if t_reminder >= 0:
            weight += 0.55 * math.exp(-t_reminder / 3)
        weight *= {5: 0.85, 6: 1.15}.get(day.weekday(), 1.0)
        web.append(weight)
    paper = [
        0.0 if day.weekday() >= 5 else sum(web[n - lag] for lag in range(2, 7) if n - lag >= 0) / 5
        for n, day in enumerate(days)
    ]
    return web, paper


def _choose_respondents(
    spec: CitySpec, persons: list[_Person], days: list[date], rng: random.Random
) -> None:
    """Who of the sample answers, on which day and how."""
    if not days:
        return
    web, paper = _arrival_weights(spec, days)
    if not any(web):
        return
    propensity = [
        p.district.response * ANSWER_BY_AGE[_group(p.age)] * ANSWER_BY_GENDER[p.gender]
        for p in persons
    ]
    scale = spec.responses / sum(propensity)
    chosen = [i for i, p in enumerate(propensity) if rng.random() < min(p * scale, 0.95)]
    # Exactly `spec.responses` answers, so the demo shows round figures.
    if len(chosen) > spec.responses:
        chosen = sorted(rng.sample(chosen, spec.responses))
    elif len(chosen) < spec.responses:
        taken = set(chosen)
        rest = [i for i in range(len(persons)) if i not in taken]
        rest.sort(key=lambda i: rng.random() ** (1 / propensity[i]), reverse=True)
        chosen += rest[: spec.responses - len(chosen)]
    for index in chosen:
        person = persons[index]
        person.responds = True
        by_paper = any(paper) and rng.random() < PAPER_BY_AGE[_group(person.age)]
        person.mode = Response.Mode.PAPER if by_paper else Response.Mode.WEB
        person.day = rng.choices(days, weights=paper if by_paper else web)[0]


def _group(age: int) -> str:
    return age_group(age) or AGE_GROUPS[0]


def _create_sample(
    wave: Wave,
    spec: CitySpec,
    persons: list[_Person],
    districts: dict[int, District],
    days: list[date],
    names: Names,
) -> None:
    existing = set(AccessCode.objects.values_list("code", flat=True))
    codes = new_codes(len(persons), existing=existing)
    AccessCode.objects.bulk_create(
        [
            AccessCode(
                wave=wave,
                code=code,
                district=districts[person.district.answer_code],
                used=person.responds,
            )
            for code, person in zip(codes, persons, strict=True)
        ],
        batch_size=BATCH,
    )
    code_ids = dict(AccessCode.objects.filter(wave=wave).values_list("code", "pk"))
    reminder = days[spec.reminder_day] if len(days) > spec.reminder_day else None
    SamplePerson.objects.bulk_create(
        [
            SamplePerson(
                wave=wave,
                line=line,
                salutation=names.salutation.get(person.gender, ""),
                first_name=person.first_name,
                last_name=person.last_name,
                street=person.street,
                postcode=person.district.postcode,
                city=spec.organisation,
                district=districts[person.district.answer_code],
                access_code_id=code_ids[code],
                # reminders only to those who had not answered when they were printed
                reminded_on=reminder
                if reminder and not (person.day and person.day <= reminder)
                else None,
            )
            for line, (code, person) in enumerate(zip(codes, persons, strict=True), start=2)
        ],
        batch_size=BATCH,
    )


# --- the respondents ----------------------------------------------------------------------------


def _reported_district(spec: CitySpec, district: DistrictSpec, rng: random.Random) -> int:
    """The district people say they live in: nearly always the register's."""
    if rng.random() < 0.02:
        return rng.choice(spec.districts).answer_code
    return district.answer_code


def _language(rng: random.Random, mode: str, languages: Sequence[str]) -> str:
    weights = {"de": 0.93, "en": 0.05, "fr": 0.02} if mode == "web" else {"de": 0.97, "en": 0.03}
    offered = [lang for lang in weights if lang in languages] or [languages[0]]
    return rng.choices(offered, weights=[weights.get(lang, 0.0) for lang in offered])[0]


def _open_link_respondents(
    spec: CitySpec, days: list[date], rng: random.Random, languages: Sequence[str]
) -> list[tuple[Respondent, date]]:
    """Answers via the open link: younger, more women, more worried than the sample."""
    if not spec.open_link or len(days) <= 5:
        return []
    # The link was published in the press on the fifth field day.
    weights = [0.0 if n < 5 else math.exp(-(n - 5) / 6) + 0.05 for n in range(len(days))]
    cells: list[tuple[DistrictSpec, str, str]] = []
    cell_weights: list[float] = []
    bias_age = {"18-29": 1.5, "30-44": 1.4, "45-59": 1.0, "60-74": 0.7, "75+": 0.3}
    bias_gender = {"female": 1.35, "male": 1.0, "diverse": 1.5}
    for district in spec.districts:
        for gender, groups in district_population(district).items():
            for group, n in groups.items():
                cells.append((district, gender, group))
                cell_weights.append(n * bias_age[group] * bias_gender[gender])
    result = []
    for _ in range(spec.open_link):
        district, gender, group = rng.choices(cells, weights=cell_weights)[0]
        respondent = Respondent(
            gender=gender,
            age=_age_in(group, rng),
            district=district.answer_code,
            unease=district.unease,
            mode=Response.Mode.WEB,
            language=_language(rng, Response.Mode.WEB, languages),
            worry=0.35,
        )
        result.append((respondent, rng.choices(days, weights=weights)[0]))
    return result
