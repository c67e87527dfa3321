"""Demo content of the exchange: three topic spaces, a working group by invitation, a few
discussions and a question to peers answered by another city.

`build_exchange_demo()` is safe to run again: what exists (by slug or title) is left as it
is. It uses the demo's organisations and logins (defus/demo/cities.yaml) and creates only
those that are missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from defus.demo.musterstadt import PASSWORD
from defus.organisations.models import Membership, Organisation, User

from . import services
from .models import GroupMember, Thread, WorkingGroup

ORGANISATIONS = {"musterstadt": "Musterstadt", "beispielburg": "Beispielburg"}
# email → (first name, last name, organisation slug or None for forum staff, role)
PEOPLE = {
    "office@defus.example": ("Jana", "Winkler", None, ""),
    "admin@musterstadt.example": ("Markus", "Brandt", "musterstadt", "admin"),
    "member@musterstadt.example": ("Thomas", "Berger", "musterstadt", "member"),
    "admin@beispielburg.example": ("Claudia", "Neumann", "beispielburg", "admin"),
}

GROUPS = [
    {
        "slug": "praevention-integration-inklusion",
        "kind": WorkingGroup.Kind.TOPIC_SPACE,
        "access": WorkingGroup.Access.OPEN,
        "name": {
            "de": "Prävention, Integration und Inklusion",
            "en": "Prevention, integration and inclusion",
            "fr": "Prévention, intégration et inclusion",
        },
        "description": {
            "de": "Kriminalprävention, die alle erreicht: Jugendarbeit, Zugewanderte, "
            "Menschen mit Behinderungen.",
            "en": "Crime prevention that reaches everyone: youth work, migrants, people "
            "with disabilities.",
            "fr": "Une prévention qui atteint tout le monde : jeunesse, personnes migrantes, "
            "personnes handicapées.",
        },
    },
    {
        "slug": "sichere-oeffentliche-raeume",
        "kind": WorkingGroup.Kind.TOPIC_SPACE,
        "access": WorkingGroup.Access.OPEN,
        "name": {
            "de": "Sichere öffentliche Räume",
            "en": "Safe public spaces",
            "fr": "Espaces publics sûrs",
        },
        "description": {
            "de": "Plätze, Bahnhöfe, Parks: Gestaltung, Beleuchtung, Präsenz.",
            "en": "Squares, stations, parks: design, lighting, presence.",
            "fr": "Places, gares, parcs : aménagement, éclairage, présence.",
        },
    },
    {
        "slug": "urbane-resilienz",
        "kind": WorkingGroup.Kind.TOPIC_SPACE,
        "access": WorkingGroup.Access.OPEN,
        "name": {"de": "Urbane Resilienz", "en": "Urban resilience", "fr": "Résilience urbaine"},
        "description": {
            "de": "Krisen, Großlagen und der Zusammenhalt in der Stadt.",
            "en": "Crises, major incidents and cohesion in the city.",
            "fr": "Crises, événements majeurs et cohésion dans la ville.",
        },
    },
    {
        "slug": "ag-sicherheitsberichte",
        "kind": WorkingGroup.Kind.WORKING_GROUP,
        "access": WorkingGroup.Access.INVITATION,
        "name": {
            "de": "AG Kommunale Sicherheitsberichte",
            "en": "Working group on municipal safety reports",
            "fr": "Groupe de travail rapports locaux de sécurité",
        },
        "description": {
            "de": "Gemeinsame Gliederung und Kennzahlen für kommunale Sicherheitsberichte.",
            "en": "A shared outline and key figures for municipal safety reports.",
            "fr": "Un plan commun et des indicateurs pour les rapports locaux de sécurité.",
        },
    },
]

# group slug, author, title, text, replies [(author, text)]
THREADS = [
    (
        "sichere-oeffentliche-raeume",
        "admin@musterstadt.example",
        "Unterführungen: Erfahrungen mit heller LED-Beleuchtung",
        "In unserer Befragung nennen viele die Unterführung Bahnhofstraße als Angstraum. "
        "Wir planen eine Nachrüstung mit heller, blendfreier LED-Beleuchtung und Spiegeln. "
        "Hat jemand Vorher-nachher-Zahlen aus einer Wiederholungsbefragung?",
        [
            (
                "admin@beispielburg.example",
                "Wir haben 2024 zwei Unterführungen umgebaut. Der Anteil, der sich dort nachts "
                "unsicher fühlt, ging in der Folgebefragung deutlich zurück – wichtig war auch "
                "die regelmäßige Reinigung. Gern schicke ich unseren Bericht.",
            )
        ],
    ),
    (
        "praevention-integration-inklusion",
        "member@musterstadt.example",
        "Aufsuchende Jugendarbeit am Bahnhof",
        "Der Kriminalpräventive Rat möchte abends Streetwork am Busbahnhof anbieten. "
        "Wie habt ihr die Zusammenarbeit mit Ordnungsamt und Polizei geregelt?",
        [
            (
                "office@defus.example",
                "Beim Fachtag im Herbst stellt eine Mitgliedsstadt genau so ein Modell vor – "
                "die Unterlagen kommen danach in diese Gruppe.",
            )
        ],
    ),
    (
        "ag-sicherheitsberichte",
        "admin@musterstadt.example",
        "Gliederung des Sicherheitsberichts 2026",
        "Vorschlag: 1. Sicherheitsgefühl (DEFUS-Monitor), 2. Hellfeld, 3. Angsträume, "
        "4. Maßnahmen und Wirkung. Ergänzungen bitte hier.",
        [],
    ),
]

QUESTION = (
    "admin@beispielburg.example",
    "Wer hat Erfahrung mit Ordnungspartnerschaften mit der Landespolizei?",
    "Wir möchten eine Sicherheitspartnerschaft für die Innenstadt vereinbaren. "
    "Welche Punkte sollte die Vereinbarung regeln, und wie oft trefft ihr euch?",
    (
        "admin@musterstadt.example",
        "Unsere Partnerschaft besteht seit 2021: gemeinsame Streifen am Wochenende, ein "
        "monatliches Lagegespräch und eine Auswertung pro Jahr. Wichtig: klare Zuständigkeiten "
        "für Ordnungswidrigkeiten schriftlich festhalten.",
    ),
)


@dataclass
class ExchangeDemo:
    groups_created: list[str] = field(default_factory=list)
    threads_created: list[str] = field(default_factory=list)


def _people() -> dict[str, User]:
    organisations = {
        slug: Organisation.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in ORGANISATIONS.items()
    }
    people: dict[str, User] = {}
    password: str | None = None
    for email, (first, last, organisation, role) in PEOPLE.items():
        person = User.objects.filter(email=email).first()
        if person is None:
            password = password or make_password(PASSWORD)
            staff = organisation is None
            person = User.objects.create(
                email=email,
                first_name=first,
                last_name=last,
                password=password,
                is_forum_staff=staff,
                is_staff=staff,
            )
        if organisation is not None:
            Membership.objects.get_or_create(
                user=person, organisation=organisations[organisation], defaults={"role": role}
            )
        people[email] = person
    return people


def build_exchange_demo() -> ExchangeDemo:
    result = ExchangeDemo()
    with transaction.atomic():
        people = _people()
        staff = people["office@defus.example"]
        groups: dict[str, WorkingGroup] = {}
        for spec in GROUPS:
            group = WorkingGroup.objects.filter(slug=spec["slug"]).first()
            if group is None:
                group = services.create_group(staff, **spec)  # type: ignore[arg-type]
                result.groups_created.append(group.slug)
            groups[group.slug] = group
        for slug, group in groups.items():
            for email, person in people.items():
                if group.is_open or email in (
                    "admin@musterstadt.example",
                    "admin@beispielburg.example",
                ):
                    role = (
                        GroupMember.Role.MODERATOR
                        if slug == "ag-sicherheitsberichte" and email == "admin@musterstadt.example"
                        else GroupMember.Role.MEMBER
                    )
                    GroupMember.objects.get_or_create(
                        group=group, user=person, defaults={"role": role}
                    )
        for slug, author, title, text, replies in THREADS:
            group = groups[slug]
            if Thread.objects.filter(group=group, title=title).exists():
                continue
            thread = services.post_thread(group, people[author], title, text)
            for replier, answer in replies:
                services.reply(thread, people[replier], answer)
            result.threads_created.append(title)
        asker, title, text, (answerer, answer) = QUESTION
        if not Thread.objects.filter(group=None, title=title).exists():
            question = services.ask_peers(people[asker], title, text)
            services.reply(question, people[answerer], answer)
            result.threads_created.append(title)
    return result
