"""The demo's events: the dates of the forum's own list (2016: conference in Hanover, members'
assembly in Munich, German Prevention Congress in Magdeburg) and a year ahead of events
relative to today – a members' assembly, a hybrid seminar, a webinar, a fully booked training
with a waiting list – with programme and registrations of the demo's people.

Registrations go through `services` (the same rules as the web pages); the emails they send
go to the console backend of the demo. Created once: events that exist are left alone.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from defus.organisations.models import Organisation, User

from . import services
from .models import Event, Session

BERLIN = ZoneInfo("Europe/Berlin")


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), BERLIN)


def _texts(de: str, en: str, fr: str) -> dict[str, str]:
    return {"de": de, "en": en, "fr": fr}


def _events(today: datetime.date) -> list[dict[str, Any]]:
    ahead = today + datetime.timedelta(days=21)
    return [
        {
            "slug": "cost-konferenz-hannover-2016",
            "kind": Event.Kind.CONFERENCE,
            "format": Event.Format.IN_PERSON,
            "title": _texts(
                "COST-Action-Konferenz in Hannover",
                "COST Action conference in Hanover",
                "Conférence de l’action COST à Hanovre",
            ),
            "description": _texts(
                "Europäische Forschende und Praktiker der Kommunen über Kriminalprävention "
                "durch Stadtplanung und Gestaltung.",
                "European researchers and municipal practitioners on crime prevention "
                "through urban planning and design.",
                "Chercheurs européens et praticiens des villes sur la prévention de la "
                "délinquance par l’urbanisme et l’aménagement.",
            ),
            "start": _at(datetime.date(2016, 4, 19), 9),
            "end": _at(datetime.date(2016, 4, 19), 17),
            "venue": "Neues Rathaus Hannover",
            "address": "Trammplatz 2, 30159 Hannover",
            "topics": "Städtebau, Prävention",
        },
        {
            "slug": "mitgliederversammlung-2016",
            "kind": Event.Kind.ASSEMBLY,
            "format": Event.Format.IN_PERSON,
            "access": Event.Access.MEMBERS,
            "title": _texts(
                "DEFUS-Mitgliederversammlung in München",
                "DEFUS members' assembly in Munich",
                "Assemblée des membres du DEFUS à Munich",
            ),
            "start": _at(datetime.date(2016, 5, 20), 10),
            "end": _at(datetime.date(2016, 5, 20), 16),
            "venue": "Rathaus München",
            "address": "Marienplatz 8, 80331 München",
        },
        {
            "slug": "praeventionstag-magdeburg-2016",
            "kind": Event.Kind.CONFERENCE,
            "format": Event.Format.IN_PERSON,
            "title": _texts(
                "21. Deutscher Präventionstag in Magdeburg",
                "21st German Prevention Congress in Magdeburg",
                "21e Congrès allemand de la prévention à Magdebourg",
            ),
            "description": _texts(
                "Das Forum ist mit einem Stand und einem Vortrag zur kommunalen "
                "Sicherheitsarbeit vertreten.",
                "The forum takes part with a stand and a talk on municipal security work.",
                "Le forum y participe avec un stand et une intervention sur la sécurité "
                "municipale.",
            ),
            "start": _at(datetime.date(2016, 6, 6), 9),
            "end": _at(datetime.date(2016, 6, 7), 16),
            "venue": "Messe Magdeburg",
            "address": "Tessenowstraße 9a, 39114 Magdeburg",
            "topics": "Prävention",
        },
        {
            "slug": "seminar-sichere-oeffentliche-raeume",
            "kind": Event.Kind.SEMINAR,
            "format": Event.Format.HYBRID,
            "title": _texts(
                "Seminar: Sichere öffentliche Räume – vom Befund zur Maßnahme",
                "Seminar: safe public spaces – from findings to measures",
                "Séminaire : espaces publics sûrs – du constat à la mesure",
            ),
            "description": _texts(
                "Wie Städte Ergebnisse des DEFUS-Monitors, Sicherheitsbegehungen und "
                "Werkstätten in Maßnahmen übersetzen und deren Wirkung prüfen.",
                "How cities turn DEFUS-Monitor results, safety walks and workshops into "
                "measures and check their effect.",
                "Comment les villes traduisent les résultats du DEFUS-Monitor, les marches "
                "exploratoires et les ateliers en mesures et en évaluent l’effet.",
            ),
            "start": _at(ahead, 10),
            "end": _at(ahead, 16),
            "venue": "Rathaus Musterstadt, Großer Saal",
            "address": "Marktplatz 1, 70173 Stuttgart",
            "online_link": "https://meet.defus.example/seminar-raeume",
            "capacity": 40,
            "topics": "Öffentlicher Raum, DEFUS-Monitor",
            "ask_diet": True,
            "ask_accessibility": True,
            "sessions": [
                (10, 0, 10, 30, "Begrüßung", "Welcome", "Accueil", "Geschäftsstelle DEFUS"),
                (
                    10,
                    30,
                    12,
                    0,
                    "Befunde lesen: Konfidenzintervalle und Gruppen",
                    "Reading findings: confidence intervals and groups",
                    "Lire les résultats : intervalles de confiance et groupes",
                    "Statistikstelle Musterstadt",
                ),
                (
                    13,
                    0,
                    16,
                    0,
                    "Werkstatt: Maßnahmen und ihre Bewertung",
                    "Workshop: measures and their evaluation",
                    "Atelier : les mesures et leur évaluation",
                    "",
                ),
            ],
        },
        {
            "slug": "webinar-radikalisierungspraevention",
            "kind": Event.Kind.WEBINAR,
            "format": Event.Format.ONLINE,
            "title": _texts(
                "Webinar: Radikalisierungsprävention in der Kommune",
                "Webinar: preventing radicalisation locally",
                "Webinaire : prévenir la radicalisation au niveau local",
            ),
            "start": _at(today + datetime.timedelta(days=9), 14),
            "end": _at(today + datetime.timedelta(days=9), 15, 30),
            "online_link": "https://meet.defus.example/webinar-praevention",
            "topics": "Radikalisierung, Prävention",
        },
        {
            "slug": "training-sicherheitsbegehungen",
            "kind": Event.Kind.TRAINING,
            "format": Event.Format.IN_PERSON,
            "access": Event.Access.MEMBERS,
            "title": _texts(
                "Schulung: Sicherheitsbegehungen moderieren",
                "Training: facilitating neighbourhood safety walks",
                "Formation : animer des marches exploratoires",
            ),
            "start": _at(today + datetime.timedelta(days=35), 9),
            "end": _at(today + datetime.timedelta(days=35), 17),
            "venue": "Bürgerhaus Beispielburg",
            "address": "Lindenstraße 4, 34117 Kassel",
            "capacity": 2,
            "topics": "Begehungen",
        },
        {
            "slug": "mitgliederversammlung",
            "kind": Event.Kind.ASSEMBLY,
            "format": Event.Format.HYBRID,
            "access": Event.Access.MEMBERS,
            "title": _texts(
                "DEFUS-Mitgliederversammlung",
                "DEFUS members' assembly",
                "Assemblée des membres du DEFUS",
            ),
            "start": _at(today + datetime.timedelta(days=60), 10),
            "end": _at(today + datetime.timedelta(days=60), 15),
            "venue": "Rathaus Musterstadt",
            "address": "Marktplatz 1, 70173 Stuttgart",
            "online_link": "https://meet.defus.example/mitgliederversammlung",
        },
    ]


def build_events_demo(today: datetime.date | None = None) -> int:
    """Create the demo's events that are missing; the number created."""
    today = today or timezone.localdate()
    created = 0
    for spec in _events(today):
        spec = dict(spec)
        sessions = spec.pop("sessions", [])
        if Event.objects.filter(slug=spec["slug"]).exists():
            continue
        event = Event.objects.create(**spec)
        for h1, m1, h2, m2, de, en, fr, speakers in sessions:
            day = event.start.astimezone(BERLIN).date()
            Session.objects.create(
                event=event,
                title=_texts(de, en, fr),
                start=_at(day, h1, m1),
                end=_at(day, h2, m2),
                speakers=speakers,
            )
        created += 1
        _register_people(event)
    return created


def _register_people(event: Event) -> None:
    people = {u.email: u for u in User.objects.filter(email__endswith=".example")}
    musterstadt = Organisation.objects.filter(slug="musterstadt").first()
    admin = people.get("admin@musterstadt.example")
    if event.has_ended or musterstadt is None or admin is None:
        return
    if event.slug == "training-sicherheitsbegehungen":
        # Two places, three people: the third waits for a place.
        group = [
            people[e]
            for e in (
                "admin@musterstadt.example",
                "analyst@musterstadt.example",
                "member@musterstadt.example",
            )
            if e in people
        ]
        services.register_group(event, musterstadt, group, by=admin)
    elif event.slug == "mitgliederversammlung":
        services.register_group(event, musterstadt, [admin], by=admin, voting_representative=admin)
    elif event.slug == "seminar-sichere-oeffentliche-raeume":
        services.register(event, user=admin, answers={"diet": "vegetarisch"})
        services.register(
            event, name="Jana Beispiel", email="jana.beispiel@example.org", language="de"
        )
