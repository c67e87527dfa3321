"""Demo projects of the forum (invented): an EU project on safe public spaces with partner
cities, a national one on prevention councils with an open call, and a completed one whose
result is the DEFUS-Monitor. `build_projects_demo()` adds what is missing and changes nothing
that exists."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from defus.organisations.models import Organisation

from .models import Project
from .services import import_project


def _partner(slug: str, fallback: str, role: str, country: str = "DE") -> dict[str, Any]:
    """A demo organisation if the demo cities exist, otherwise the city by name."""
    if Organisation.objects.filter(slug=slug).exists():
        return {"organisation": slug, "role": role, "country": country}
    return {"name": fallback, "role": role, "country": country}


def demo_specs(today: datetime.date) -> list[dict[str, Any]]:
    year = today.year
    return [
        {
            "slug": "sichere-oeffentliche-raeume",
            "title": {
                "de": "Sichere und offene öffentliche Räume",
                "en": "Safe and open public spaces",
                "fr": "Des espaces publics sûrs et ouverts",
            },
            "summary": {
                "de": "Acht Städte erproben gemeinsam Sicherheitsbegehungen, Gestaltung und "
                "Beteiligung für Plätze und Bahnhofsviertel.",
                "en": "Eight cities test neighbourhood walks, design and participation for "
                "squares and station districts together.",
                "fr": "Huit villes expérimentent ensemble marches exploratoires, aménagement et "
                "participation pour les places et quartiers de gare.",
            },
            "description": {
                "de": "Das Projekt verbindet Befragungen zum Sicherheitsgefühl mit "
                "Begehungen vor Ort. Jede Partnerstadt wählt einen Ort, erarbeitet mit "
                "Anwohnenden Maßnahmen und misst nach einem Jahr erneut.",
                "en": "The project links surveys on feelings of safety with walks on site. "
                "Each partner city chooses a place, works out measures with residents and "
                "measures again after a year.",
                "fr": "Le projet relie les enquêtes sur le sentiment de sécurité aux marches "
                "sur le terrain. Chaque ville partenaire choisit un lieu, élabore des mesures "
                "avec les habitants et mesure à nouveau après un an.",
            },
            "programme": "ISF",
            "funding": "Internal Security Fund, 90 % EU co-funding",
            "funding_amount": "1450000",
            "start": datetime.date(year - 1, 3, 1),
            "end": datetime.date(year + 1, 2, 28),
            "status": "running",
            "lead_name": "Efus – European Forum for Urban Security",
            "topics": ["öffentlicher Raum", "Sicherheitsgefühl", "Beteiligung"],
            "website": "https://efus.eu",
            "partners": [
                {
                    "name": "Efus – European Forum for Urban Security",
                    "role": "coordinator",
                    "country": "FR",
                },
                _partner("musterstadt", "Musterstadt", "partner"),
                _partner("beispielburg", "Beispielburg", "partner"),
                {"name": "Ville de Lyon (exemple)", "role": "partner", "country": "FR"},
                {"name": "Comune di Torino (esempio)", "role": "partner", "country": "IT"},
                {"name": "DEFUS e. V.", "role": "associated", "country": "DE"},
            ],
            "outputs": [
                {
                    "kind": "publication",
                    "title": {
                        "de": "Leitfaden Sicherheitsbegehungen",
                        "en": "Guide to neighbourhood safety walks",
                        "fr": "Guide des marches exploratoires",
                    },
                    "url": "https://efus.eu/publications/",
                }
            ],
        },
        {
            "slug": "praeventionsraete-staerken",
            "title": {
                "de": "Kommunale Präventionsräte stärken",
                "en": "Strengthening local prevention councils",
                "fr": "Renforcer les conseils locaux de prévention",
            },
            "summary": {
                "de": "Ein nationales Projekt: Präventionsräte tauschen Arbeitsweisen aus und "
                "entwickeln gemeinsame Qualitätsstandards.",
                "en": "A national project: prevention councils share their ways of working and "
                "develop common quality standards.",
                "fr": "Un projet national : les conseils de prévention échangent leurs méthodes "
                "et élaborent des standards de qualité communs.",
            },
            "programme": "national: BMI",
            "funding": "Bundesministerium des Innern",
            "start": datetime.date(year, 1, 1),
            "end": datetime.date(year + 2, 12, 31),
            "status": "running",
            "lead_name": "DEFUS e. V.",
            "topics": ["Prävention", "Präventionsrat", "Qualität"],
            "partners": [
                {"name": "DEFUS e. V.", "role": "coordinator", "country": "DE"},
                _partner("musterstadt", "Musterstadt", "partner"),
            ],
            "calls": [
                {
                    "title": {
                        "de": "Pilotkommunen für Qualitätsstandards gesucht",
                        "en": "Pilot municipalities wanted for quality standards",
                        "fr": "Communes pilotes recherchées pour les standards de qualité",
                    },
                    "text": {
                        "de": "Fünf Mitgliedskommunen erproben die Standards ein Jahr lang in "
                        "ihrem Präventionsrat. Reisekosten zu drei Workshops werden erstattet.",
                        "en": "Five member municipalities test the standards in their prevention "
                        "council for a year. Travel to three workshops is reimbursed.",
                        "fr": "Cinq communes membres testent les standards pendant un an dans "
                        "leur conseil de prévention. Les frais de voyage pour trois ateliers sont "
                        "remboursés.",
                    },
                    "deadline": timezone.now() + datetime.timedelta(days=30),
                    "open": True,
                }
            ],
        },
        {
            "slug": "defus-monitor",
            "title": {
                "de": "DEFUS-Monitor Sicherheitsgefühl",
                "en": "DEFUS Monitor feelings of safety",
                "fr": "Moniteur DEFUS du sentiment de sécurité",
            },
            "summary": {
                "de": "Im Rahmen eines EU-Projekts entwickelte DEFUS eine Mustererhebung zur "
                "subjektiven Sicherheit in öffentlichen Räumen.",
                "en": "Within an EU project DEFUS developed a model survey of subjective safety "
                "in public spaces.",
                "fr": "Dans le cadre d'un projet européen, DEFUS a élaboré une enquête type sur "
                "la sécurité subjective dans les espaces publics.",
            },
            "programme": "ISF",
            "start": datetime.date(2014, 1, 1),
            "end": datetime.date(2016, 6, 30),
            "status": "completed",
            "lead_name": "DEFUS e. V.",
            "topics": ["Sicherheitsgefühl", "Befragung", "DEFUS-Monitor"],
            "partners": [{"name": "DEFUS e. V.", "role": "coordinator", "country": "DE"}],
            "outputs": [
                {
                    "kind": "tool",
                    "title": {
                        "de": "Fragebogen DEFUS-Monitor",
                        "en": "DEFUS Monitor questionnaire",
                        "fr": "Questionnaire du moniteur DEFUS",
                    },
                    "url": "https://www.defus.de",
                }
            ],
        },
    ]


def build_projects_demo(today: datetime.date | None = None) -> list[Project]:
    """Create the demo projects that do not exist yet; return all three."""
    today = today or timezone.localdate()
    projects = []
    with transaction.atomic():
        for spec in demo_specs(today):
            existing = Project.objects.filter(slug=spec["slug"]).first()
            projects.append(existing or import_project(spec)[0])
    return projects
