"""The members' part of the demo: membership data for the demo cities, more member cities
across Europe, directory profiles (some details hidden) and one pending application.

Every city, person and figure is invented. Safe to run again: what exists is completed,
never duplicated (organisations by slug, people by email, the application by name).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from defus.organisations.models import Membership, Organisation, User

from .models import Application, MembershipChange, Profile, Visibility
from .services import set_membership_status

# slug, name, kind, country, population, member since, latitude, longitude, website
CITIES = [
    ("musterstadt", "Musterstadt", "city", "DE", 148_300, "2016-03-01", 49.95, 8.50, ""),
    ("beispielburg", "Beispielburg", "city", "DE", 41_700, "2019-09-15", 49.72, 9.145, ""),
    ("lindenau", "Lindenau", "city", "DE", 212_900, "2012-05-10", 51.32, 12.33, ""),
    ("kreis-rheinfeld", "Kreis Rheinfeld", "county", "DE", 304_500, "2014-01-01", 50.84, 6.92, ""),
    ("nordhafen", "Nordhafen", "city", "DE", 96_400, "2021-06-01", 53.87, 8.70, ""),
    ("bergstetten", "Bergstetten", "city", "AT", 58_200, "2017-11-20", 47.81, 13.04, ""),
    ("auental", "Auental", "city", "AT", 23_900, "2023-02-01", 48.31, 14.29, ""),
    (
        "montclair-sur-rhone",
        "Montclair-sur-Rhône",
        "city",
        "FR",
        87_600,
        "2015-10-05",
        45.20,
        4.82,
        "",
    ),
    (
        "saint-aubin-les-vignes",
        "Saint-Aubin-les-Vignes",
        "city",
        "FR",
        31_200,
        "2020-04-01",
        48.58,
        7.70,
        "",
    ),
    ("westerbeek", "Westerbeek", "city", "BE", 64_800, "2018-03-12", 51.05, 3.72, ""),
    ("haut-sart", "Haut-Sart", "city", "BE", 19_500, "2022-09-01", 50.63, 5.57, ""),
    (
        "villamar-de-la-sierra",
        "Villamar de la Sierra",
        "city",
        "ES",
        118_700,
        "2016-12-01",
        40.42,
        -3.70,
        "",
    ),
    ("castelnuovo-alto", "Castelnuovo Alto", "city", "IT", 72_300, "2019-05-20", 45.07, 7.68, ""),
]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    first_name: str
    last_name: str
    organisation: str
    role: str
    position: str
    function: str
    phone: str
    bio: str
    hidden: tuple[str, ...] = ()  # fields set to "nobody"


PEOPLE = [
    DemoPerson(
        "admin@musterstadt.example",
        "Markus",
        "Brandt",
        "musterstadt",
        "admin",
        "Kommunale Kriminalprävention",
        "head_of_department",
        "+49 6151 120 4410",
        "Leitet die Geschäftsstelle Kommunale Kriminalprävention.",
        ("phone",),
    ),
    DemoPerson(
        "member@musterstadt.example",
        "Thomas",
        "Berger",
        "musterstadt",
        "member",
        "Kriminalpräventiver Rat",
        "prevention_council_chair",
        "+49 6151 120 4480",
        "Vorsitzender des Kriminalpräventiven Rates.",
        ("phone", "email"),
    ),
    DemoPerson(
        "buergermeisterin@lindenau.example",
        "Sabine",
        "Hoffmann",
        "lindenau",
        "admin",
        "Oberbürgermeisterin",
        "mayor",
        "+49 341 555 0100",
        "",
        ("phone",),
    ),
    DemoPerson(
        "ordnungsamt@nordhafen.example",
        "Jens",
        "Petersen",
        "nordhafen",
        "member",
        "Leiter Ordnungsamt",
        "head_of_department",
        "+49 471 555 2300",
        "Sicherheit im Hafenquartier, Ordnungspartnerschaften.",
    ),
    DemoPerson(
        "prevention@montclair.example",
        "Claire",
        "Dubois",
        "montclair-sur-rhone",
        "admin",
        "Conseil local de sécurité et de prévention de la délinquance",
        "prevention_council_chair",
        "+33 4 75 55 01 20",
        "",
        ("phone", "bio"),
    ),
    DemoPerson(
        "veiligheid@westerbeek.example",
        "Pieter",
        "Claes",
        "westerbeek",
        "member",
        "Dienst Integrale Veiligheid",
        "staff",
        "+32 9 555 41 10",
        "",
    ),
]


def build_members_demo() -> dict[str, int]:
    """Fill the members' demo data; returns what was added (0s on a second run)."""
    added = {"organisations": 0, "people": 0, "applications": 0}
    with transaction.atomic():
        organisations: dict[str, Organisation] = {}
        for slug, name, kind, country, population, since, lat, lon, website in CITIES:
            organisation, created = Organisation.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "kind": kind, "country": country, "is_member": False},
            )
            added["organisations"] += created
            changed = False
            for field, value in (
                ("population", population),
                ("latitude", lat),
                ("longitude", lon),
                ("website", website),
            ):
                if not getattr(organisation, field):
                    setattr(organisation, field, value)
                    changed = True
            if changed:
                organisation.save()
            if not MembershipChange.objects.filter(organisation=organisation).exists():
                organisation.member_since = (
                    organisation.member_since or datetime.date.fromisoformat(since)
                )
                organisation.save(update_fields=["member_since"])
                set_membership_status(
                    organisation,
                    Organisation.MembershipStatus.MEMBER,
                    None,
                    "demo",
                    date=organisation.member_since,
                )
            organisations[slug] = organisation
        for spec in PEOPLE:
            user = User.objects.filter(email=spec.email).first()
            if user is None and spec.organisation in ("musterstadt", "beispielburg"):
                continue  # the demo's logins are made by `defus demo` (with their password)
            if user is None:
                user = User(email=spec.email, first_name=spec.first_name, last_name=spec.last_name)
                user.set_unusable_password()
                user.save()
                added["people"] += 1
            Membership.objects.get_or_create(
                user=user,
                organisation=organisations[spec.organisation],
                defaults={"role": spec.role, "position": spec.position},
            )
            profile, created = Profile.objects.get_or_create(user=user)
            if created:
                profile.phone = spec.phone
                profile.function = spec.function
                profile.bio = spec.bio
                for field in ("email", "phone", "position", "function", "bio"):
                    hidden = field in spec.hidden
                    setattr(
                        profile,
                        f"{field}_visibility",
                        Visibility.NOBODY if hidden else Visibility.MEMBERS,
                    )
                profile.save()
        _application, created = Application.objects.get_or_create(
            organisation_name="Stadt Seewalden",
            defaults={
                "kind": Organisation.Kind.CITY,
                "country": "DE",
                "population": 67_400,
                "website": "https://www.seewalden.example",
                "contact_name": "Dr. Miriam Albrecht",
                "contact_email": "praevention@seewalden.example",
                "contact_function": "Leiterin Stabsstelle Prävention",
                "message": "Wir möchten uns mit anderen Städten zur Sicherheit im Bahnhofsumfeld "
                "austauschen und an der Bürgerbefragung teilnehmen.",
                "language": "de",
            },
        )
        added["applications"] += created
    return added
