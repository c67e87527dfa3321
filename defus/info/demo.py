"""Demo content of the information service: the page tree in German with English and French
translations, news, the publications library (a flyer in three languages) and a member-only
area. `build_info_site()` is idempotent: it builds the tree once and leaves editors' work alone.

The texts are written for the demo from the forum's own description (shared/seeds): DEFUS is
the German section of Efus (over 250 cities, counties and regions in 16 countries), founded
in 2010; its dates of 2016; the Aarhus declaration; the flyers in German, English and French.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.text import slugify
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection, Locale, Page, Site
from wagtail.rich_text import RichText

from defus.organisations.models import User

from .models import (
    DeclarationPage,
    GoodPracticePage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PublicationFile,
    PublicationIndexPage,
    PublicationPage,
    StandardPage,
)

LANGUAGES = ("de", "en", "fr")
Texts = dict[str, tuple[str, str, str]]  # language → (title, intro, body paragraph)


@dataclass
class Spec:
    model: type[Page]
    slug: str
    texts: Texts
    in_menu: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    children: list[Spec] = field(default_factory=list)
    files: tuple[str, ...] = ()  # languages of the publication's files


def _news(slug: str, day: date, category: str, tags: list[str], texts: Texts) -> Spec:
    return Spec(NewsPage, slug, texts, extra={"date": day, "category": category, "tags": tags})


TREE = Spec(
    HomePage,
    "start",
    {
        "de": (
            "Deutsch-Europäisches Forum für Urbane Sicherheit",
            "Das Netzwerk der deutschen Städte, Landkreise und Regionen im Europäischen Forum "
            "für Urbane Sicherheit (Efus).",
            "Seit 2010 bringt DEFUS die Menschen zusammen, die in deutschen Kommunen für "
            "Sicherheit und Prävention verantwortlich sind: Bürgermeisterinnen und Bürgermeister, "
            "Leitungen von Ordnungs- und Sicherheitsämtern, Vorsitzende von Präventionsräten. "
            "Hier finden Sie Neuigkeiten aus dem Netzwerk, Veröffentlichungen zum Herunterladen "
            "und unsere Themen.",
        ),
        "en": (
            "German-European Forum for Urban Security",
            "The network of German cities, counties and regions in the European Forum for "
            "Urban Security (Efus).",
            "Since 2010 DEFUS has brought together the people responsible for security and "
            "prevention in German local authorities: mayors, heads of public-order and security "
            "departments, chairs of crime-prevention councils. Here you find news from the "
            "network, publications to download and our topics.",
        ),
        "fr": (
            "Forum germano-européen pour la sécurité urbaine",
            "Le réseau des villes, arrondissements et régions d'Allemagne au sein du Forum "
            "européen pour la sécurité urbaine (Efus).",
            "Depuis 2010, le DEFUS réunit les personnes chargées de la sécurité et de la "
            "prévention dans les collectivités allemandes : maires, responsables des services "
            "d'ordre public et de sécurité, présidentes et présidents de conseils de prévention. "
            "Vous trouverez ici l'actualité du réseau, des publications à télécharger et nos "
            "thèmes.",
        ),
    },
    children=[
        Spec(
            StandardPage,
            "forum",
            {
                "de": (
                    "Das Forum",
                    "DEFUS ist die deutsche Sektion des Europäischen Forums für Urbane Sicherheit.",
                    "Im Forum tauschen sich die Verantwortlichen der kommunalen Sicherheitsarbeit "
                    "aus und arbeiten zusammen. Schwerpunkte sind sichere und frei zugängliche "
                    "öffentliche Räume, ein friedliches Zusammenleben sowie urbane Sicherheit und "
                    "Resilienz. DEFUS lädt zu digitalen und Präsenzveranstaltungen ein, bietet "
                    "Seminare und Weiterbildungen an und öffnet seinen Mitgliedern den Weg in "
                    "europäische und nationale Projekte.",
                ),
                "en": (
                    "The forum",
                    "DEFUS is the German section of the European Forum for Urban Security.",
                    "In the forum, those responsible for local security work exchange and "
                    "cooperate. The focus lies on safe and freely accessible public spaces, "
                    "peaceful living together, and urban security and resilience. DEFUS holds "
                    "online and in-person events, offers seminars and training and opens the way "
                    "into European and national projects for its members.",
                ),
                "fr": (
                    "Le forum",
                    "Le DEFUS est la section allemande du Forum européen pour la sécurité urbaine.",
                    "Au sein du forum, les responsables de la sécurité locale échangent et "
                    "coopèrent. L'accent est mis sur des espaces publics sûrs et librement "
                    "accessibles, le vivre-ensemble pacifique ainsi que la sécurité et la "
                    "résilience urbaines. Le DEFUS organise des rencontres en ligne et en "
                    "présentiel, propose des séminaires et des formations et ouvre à ses membres "
                    "l'accès à des projets européens et nationaux.",
                ),
            },
            in_menu=True,
            children=[
                Spec(
                    StandardPage,
                    "efus",
                    {
                        "de": (
                            "Efus – Europäisches Forum für Urbane Sicherheit",
                            "Über 250 Städte, Landkreise und Regionen aus 16 Ländern Europas.",
                            "Efus ist das größte europäische Netzwerk seiner Art und befasst "
                            "sich mit allen Fragen der urbanen Sicherheit und der "
                            "Kriminalprävention. Es vertritt die Anliegen der Kommunen auf "
                            "europäischer Ebene, führt EU-Projekte durch – oft als Koordinator – "
                            "und erleichtert seinen Mitgliedern den Zugang zu Fördermitteln.",
                        ),
                        "en": (
                            "Efus – European Forum for Urban Security",
                            "More than 250 cities, counties and regions from 16 European "
                            "countries.",
                            "Efus is the largest European network of its kind and deals with "
                            "every aspect of urban security and crime prevention. It speaks for "
                            "local authorities at European level, runs EU projects – often as "
                            "coordinator – and makes it easier for its members to obtain "
                            "funding.",
                        ),
                        "fr": (
                            "Efus – Forum européen pour la sécurité urbaine",
                            "Plus de 250 villes, arrondissements et régions de 16 pays européens.",
                            "L'Efus est le plus grand réseau européen de ce type et traite de "
                            "tous les aspects de la sécurité urbaine et de la prévention de la "
                            "délinquance. Il porte la voix des collectivités au niveau européen, "
                            "mène des projets de l'UE – souvent comme coordinateur – et facilite "
                            "l'accès de ses membres aux financements.",
                        ),
                    },
                ),
                Spec(
                    StandardPage,
                    "mitgliederbereich",
                    {
                        "de": (
                            "Mitgliederbereich",
                            "Unterlagen der Mitgliederversammlung und der Arbeitsgruppen.",
                            "Dieser Bereich ist den Mitgliedsorganisationen des Forums "
                            "vorbehalten. Hier liegen Einladungen, Protokolle und "
                            "Arbeitspapiere.",
                        ),
                        "en": (
                            "Members' area",
                            "Papers of the members' assembly and the working groups.",
                            "This area is reserved for the forum's member organisations. It "
                            "holds invitations, minutes and working papers.",
                        ),
                        "fr": (
                            "Espace membres",
                            "Documents de l'assemblée des membres et des groupes de travail.",
                            "Cet espace est réservé aux organisations membres du forum. Il "
                            "rassemble invitations, procès-verbaux et documents de travail.",
                        ),
                    },
                    extra={"members_only": True},
                ),
            ],
        ),
        Spec(
            StandardPage,
            "themen",
            {
                "de": (
                    "Themen",
                    "Woran das Netzwerk arbeitet.",
                    "Die Mitglieder arbeiten zu vier Themenfeldern zusammen.",
                ),
                "en": (
                    "Topics",
                    "What the network works on.",
                    "The members work together on four topics.",
                ),
                "fr": (
                    "Thèmes",
                    "Les sujets du réseau.",
                    "Les membres travaillent ensemble sur quatre thèmes.",
                ),
            },
            in_menu=True,
            children=[
                Spec(
                    StandardPage,
                    "oeffentliche-raeume",
                    {
                        "de": (
                            "Sichere öffentliche Räume",
                            "Plätze, Parks und Bahnhöfe, die alle gern und ohne Angst nutzen.",
                            "Wie sicher sich Menschen fühlen, hängt stark von Licht, "
                            "Einsehbarkeit und Pflege eines Ortes ab. Der DEFUS-Monitor und "
                            "Sicherheitsbegehungen zeigen, wo Kommunen ansetzen können.",
                        ),
                        "en": (
                            "Safe public spaces",
                            "Squares, parks and stations that everyone uses gladly and without "
                            "fear.",
                            "How safe people feel depends strongly on the lighting, visibility and "
                            "upkeep of a place. The DEFUS-Monitor and safety walks show where "
                            "local authorities can act.",
                        ),
                        "fr": (
                            "Des espaces publics sûrs",
                            "Des places, des parcs et des gares que chacun fréquente volontiers "
                            "et sans crainte.",
                            "Le sentiment de sécurité dépend beaucoup de l'éclairage, de la "
                            "visibilité et de l'entretien d'un lieu. Le DEFUS-Monitor et les "
                            "marches exploratoires montrent où les collectivités peuvent agir.",
                        ),
                    },
                ),
                Spec(
                    StandardPage,
                    "zusammenleben",
                    {
                        "de": (
                            "Friedliches Zusammenleben",
                            "Integration, Inklusion und Konfliktregelung in der Nachbarschaft.",
                            "Kommunale Prävention stärkt das Miteinander – gemeinsam mit Vereinen, "
                            "Schulen, Polizei und den Menschen im Quartier.",
                        ),
                        "en": (
                            "Living together in peace",
                            "Integration, inclusion and settling conflicts in the neighbourhood.",
                            "Local prevention strengthens community life – together with "
                            "associations, schools, the police and the people of the "
                            "neighbourhood.",
                        ),
                        "fr": (
                            "Vivre ensemble en paix",
                            "Intégration, inclusion et règlement des conflits dans le quartier.",
                            "La prévention locale renforce le lien social – avec les associations, "
                            "les écoles, la police et les habitants du quartier.",
                        ),
                    },
                ),
                Spec(
                    StandardPage,
                    "resilienz",
                    {
                        "de": (
                            "Urbane Resilienz",
                            "Städte, die Krisen vorbereitet begegnen.",
                            "Resiliente Kommunen planen für Großlagen, schützen kritische Orte "
                            "und halten das Vertrauen ihrer Bürgerinnen und Bürger auch in "
                            "schwierigen Zeiten.",
                        ),
                        "en": (
                            "Urban resilience",
                            "Cities that meet crises prepared.",
                            "Resilient local authorities plan for major incidents, protect "
                            "critical places and keep the trust of their residents in difficult "
                            "times too.",
                        ),
                        "fr": (
                            "Résilience urbaine",
                            "Des villes préparées face aux crises.",
                            "Les collectivités résilientes anticipent les situations de crise, "
                            "protègent les lieux sensibles et conservent la confiance des "
                            "habitants, même dans les périodes difficiles.",
                        ),
                    },
                ),
                Spec(
                    StandardPage,
                    "radikalisierung",
                    {
                        "de": (
                            "Prävention von Radikalisierung",
                            "Was Städte gegen gewaltbereiten Extremismus tun können.",
                            "Kommunen sind nah an jungen Menschen, Familien und Schulen. Das "
                            "Netzwerk teilt Erfahrungen mit Beratung, Ausstiegshilfe und "
                            "Zusammenarbeit vor Ort – siehe auch die Erklärung von Aarhus.",
                        ),
                        "en": (
                            "Preventing radicalisation",
                            "What cities can do against violent extremism.",
                            "Local authorities are close to young people, families and schools. "
                            "The network shares experience with counselling, exit programmes and "
                            "local cooperation – see also the Aarhus declaration.",
                        ),
                        "fr": (
                            "Prévention de la radicalisation",
                            "Ce que les villes peuvent faire contre l'extrémisme violent.",
                            "Les collectivités sont proches des jeunes, des familles et des "
                            "écoles. Le réseau partage ses expériences d'accompagnement, d'aide "
                            "à la sortie et de coopération locale – voir aussi la déclaration "
                            "d'Aarhus.",
                        ),
                    },
                ),
            ],
        ),
        Spec(
            NewsIndexPage,
            "aktuelles",
            {
                "de": ("Aktuelles", "Neuigkeiten aus dem Netzwerk.", ""),
                "en": ("News", "News from the network.", ""),
                "fr": ("Actualités", "Les nouvelles du réseau.", ""),
            },
            in_menu=True,
            children=[
                _news(
                    "defus-monitor",
                    date(2026, 3, 2),
                    NewsPage.Category.MONITOR,
                    ["DEFUS-Monitor", "Befragung"],
                    {
                        "de": (
                            "DEFUS-Monitor: Städte messen das Sicherheitsgefühl selbst",
                            "Die Mustererhebung zur subjektiven Sicherheit steht allen "
                            "Mitgliedsstädten als Plattform zur Verfügung.",
                            "Der in einem EU-Projekt entwickelte DEFUS-Monitor fragt, wie sicher "
                            "sich Bürgerinnen und Bürger in öffentlichen Räumen fühlen. "
                            "Mitgliedsstädte ziehen ihre Stichprobe, verschicken Briefe mit "
                            "Zugangscodes und werten die Antworten gewichtet aus.",
                        ),
                        "en": (
                            "DEFUS-Monitor: cities measure the feeling of safety themselves",
                            "The model survey of subjective safety is now a platform open to "
                            "every member city.",
                            "Developed in an EU project, the DEFUS-Monitor asks how safe "
                            "residents feel in public spaces. Member cities draw their sample, "
                            "send letters with access codes and analyse the weighted answers.",
                        ),
                        "fr": (
                            "DEFUS-Monitor : les villes mesurent elles-mêmes le sentiment de "
                            "sécurité",
                            "L'enquête type sur la sécurité ressentie est désormais une "
                            "plateforme ouverte à toutes les villes membres.",
                            "Développé dans le cadre d'un projet européen, le DEFUS-Monitor "
                            "demande aux habitants dans quelle mesure ils se sentent en sécurité "
                            "dans l'espace public. Les villes membres tirent leur échantillon, "
                            "envoient des lettres avec codes d'accès et analysent les réponses "
                            "pondérées.",
                        ),
                    },
                ),
                _news(
                    "pufii",
                    date(2016, 9, 15),
                    NewsPage.Category.PREVENTION,
                    ["Integration", "Inklusion"],
                    {
                        "de": (
                            "Vernetzung für Integration und Inklusion: pufii.de",
                            "DEFUS beteiligt sich an einer Plattform für kommunale Fachkräfte.",
                            "Die Initiative „Präventive Unterstützung für Integration und "
                            "Inklusion“ verbindet Fachleute aus den Kommunen, die neu "
                            "Angekommene begleiten, und bündelt Arbeitshilfen.",
                        ),
                        "en": (
                            "Networking for integration and inclusion: pufii.de",
                            "DEFUS takes part in a platform for local professionals.",
                            "The initiative “Preventive support for integration and inclusion” "
                            "connects local professionals who support newcomers and collects "
                            "practical guidance.",
                        ),
                        "fr": (
                            "Mise en réseau pour l'intégration et l'inclusion : pufii.de",
                            "Le DEFUS participe à une plateforme pour les professionnels locaux.",
                            "L'initiative « Soutien préventif à l'intégration et à l'inclusion » "
                            "relie les professionnels des collectivités qui accompagnent les "
                            "nouveaux arrivants et rassemble des outils pratiques.",
                        ),
                    },
                ),
                _news(
                    "praeventionstag-magdeburg",
                    date(2016, 6, 6),
                    NewsPage.Category.EVENTS,
                    ["Präventionstag"],
                    {
                        "de": (
                            "DEFUS auf dem 21. Deutschen Präventionstag in Magdeburg",
                            "Am 6. und 7. Juni 2016 trifft sich die Präventionsszene in Magdeburg.",
                            "Das Forum stellt seine Arbeit vor und lädt Interessierte aus "
                            "Kommunen zum Gespräch über urbane Sicherheit ein.",
                        ),
                        "en": (
                            "DEFUS at the 21st German Prevention Congress in Magdeburg",
                            "On 6 and 7 June 2016 the prevention community meets in Magdeburg.",
                            "The forum presents its work and invites people from local "
                            "authorities to talk about urban security.",
                        ),
                        "fr": (
                            "Le DEFUS au 21e Congrès allemand de la prévention à Magdebourg",
                            "Les 6 et 7 juin 2016, les acteurs de la prévention se retrouvent à "
                            "Magdebourg.",
                            "Le forum présente ses travaux et invite les représentants des "
                            "collectivités à échanger sur la sécurité urbaine.",
                        ),
                    },
                ),
                _news(
                    "mitgliederversammlung-muenchen",
                    date(2016, 5, 20),
                    NewsPage.Category.NETWORK,
                    ["Mitgliederversammlung"],
                    {
                        "de": (
                            "Mitgliederversammlung in München",
                            "Am 20. Mai 2016 kommen die Mitglieder von DEFUS in München zusammen.",
                            "Auf der Tagesordnung stehen der Jahresbericht, die Planung der "
                            "Seminare und die Beteiligung an europäischen Projekten.",
                        ),
                        "en": (
                            "Members' assembly in Munich",
                            "On 20 May 2016 the members of DEFUS meet in Munich.",
                            "The agenda covers the annual report, the planning of seminars and "
                            "taking part in European projects.",
                        ),
                        "fr": (
                            "Assemblée des membres à Munich",
                            "Le 20 mai 2016, les membres du DEFUS se réunissent à Munich.",
                            "À l'ordre du jour : le rapport annuel, la programmation des "
                            "séminaires et la participation à des projets européens.",
                        ),
                    },
                ),
                _news(
                    "cost-konferenz-hannover",
                    date(2016, 4, 19),
                    NewsPage.Category.EUROPE,
                    ["COST", "Europa"],
                    {
                        "de": (
                            "Cost-Action-Konferenz in Hannover",
                            "Europäische Forschung und kommunale Praxis treffen sich am "
                            "19. April 2016 in Hannover.",
                            "Die Konferenz der europäischen COST-Action bringt Forschende und "
                            "Praktikerinnen und Praktiker der Kriminalprävention zusammen.",
                        ),
                        "en": (
                            "COST Action conference in Hanover",
                            "European research and local practice meet in Hanover on "
                            "19 April 2016.",
                            "The conference of the European COST Action brings together "
                            "researchers and practitioners of crime prevention.",
                        ),
                        "fr": (
                            "Conférence de l'action COST à Hanovre",
                            "Recherche européenne et pratique locale se rencontrent à Hanovre le "
                            "19 avril 2016.",
                            "La conférence de l'action européenne COST réunit chercheurs et "
                            "praticiens de la prévention de la délinquance.",
                        ),
                    },
                ),
            ],
        ),
        Spec(
            PublicationIndexPage,
            "publikationen",
            {
                "de": ("Publikationen", "Flyer, Erklärungen und Arbeitshilfen zum Download.", ""),
                "en": ("Publications", "Flyers, declarations and guidance to download.", ""),
                "fr": (
                    "Publications",
                    "Dépliants, déclarations et guides à télécharger.",
                    "",
                ),
            },
            in_menu=True,
            children=[
                Spec(
                    PublicationPage,
                    "info-flyer-defus",
                    {
                        "de": (
                            "Info-Flyer DEFUS",
                            "Das Forum auf einen Blick – auf Deutsch, Englisch und Französisch.",
                            "",
                        ),
                        "en": (
                            "DEFUS information flyer",
                            "The forum at a glance – in German, English and French.",
                            "",
                        ),
                        "fr": (
                            "Dépliant d'information du DEFUS",
                            "Le forum en bref – en allemand, en anglais et en français.",
                            "",
                        ),
                    },
                    extra={"date": date(2016, 1, 15)},
                    files=("de", "en", "fr"),
                ),
                Spec(
                    PublicationPage,
                    "protokoll-mitgliederversammlung",
                    {
                        "de": (
                            "Protokoll der Mitgliederversammlung",
                            "Nur für Mitglieder: das Protokoll der Versammlung in München.",
                            "",
                        ),
                        "en": (
                            "Minutes of the members' assembly",
                            "Members only: the minutes of the assembly in Munich.",
                            "",
                        ),
                        "fr": (
                            "Procès-verbal de l'assemblée des membres",
                            "Réservé aux membres : le procès-verbal de l'assemblée de Munich.",
                            "",
                        ),
                    },
                    extra={"date": date(2016, 6, 1), "members_only": True},
                    files=("de",),
                ),
            ],
        ),
        Spec(
            DeclarationPage,
            "aarhus-erklaerung",
            {
                "de": (
                    "Erklärung von Aarhus",
                    "„Europäische Städte gegen Radikalisierung, die zu gewaltbereitem "
                    "Extremismus führt“",
                    "Über hundert Bürgermeisterinnen und Bürgermeister sowie Vertreterinnen und "
                    "Vertreter von Politik und Verwaltung aus 22 europäischen Ländern haben zum "
                    "Abschluss einer internationalen Konferenz in Aarhus eine gemeinsame "
                    "Erklärung verabschiedet. Sie verpflichten sich, Radikalisierung vor Ort "
                    "vorzubeugen und ihre Erfahrungen zu teilen.",
                ),
                "en": (
                    "Aarhus declaration",
                    "“European cities against radicalisation leading to violent extremism”",
                    "More than a hundred mayors and local political and administrative "
                    "representatives from 22 European countries adopted a joint declaration at "
                    "the close of an international conference in Aarhus. They commit to "
                    "preventing radicalisation locally and to sharing their experience.",
                ),
                "fr": (
                    "Déclaration d'Aarhus",
                    "« Les villes européennes contre la radicalisation menant à l'extrémisme "
                    "violent »",
                    "Plus d'une centaine de maires et de représentants politiques et "
                    "administratifs locaux de 22 pays européens ont adopté une déclaration "
                    "commune à l'issue d'une conférence internationale à Aarhus. Ils s'engagent "
                    "à prévenir la radicalisation au niveau local et à partager leur "
                    "expérience.",
                ),
            },
            in_menu=True,
            extra={"place": "Aarhus"},
        ),
        Spec(
            GoodPracticePage,
            "sicherheitsbegehungen",
            {
                "de": (
                    "Gute Praxis: Sicherheitsbegehungen im Quartier",
                    "Anwohnende zeigen, wo sie sich unsicher fühlen – und warum.",
                    "In Musterstadt gehen Verwaltung, Polizei und Bewohnergruppen gemeinsam "
                    "durch das Bahnhofsviertel, bei Nacht und bei Tag. Beleuchtung, "
                    "Sichtachsen und Pflege werden an jeder Station festgehalten; die Befunde "
                    "fließen in die Maßnahmenplanung ein.",
                ),
                "en": (
                    "Good practice: safety walks in the neighbourhood",
                    "Residents show where they feel unsafe – and why.",
                    "In Musterstadt the administration, the police and residents' groups walk "
                    "through the station quarter together, by night and by day. Lighting, "
                    "sight lines and upkeep are recorded at every stop; the findings feed into "
                    "the planning of measures.",
                ),
                "fr": (
                    "Bonne pratique : marches exploratoires dans le quartier",
                    "Les habitants montrent où ils ne se sentent pas en sécurité – et pourquoi.",
                    "À Musterstadt, l'administration, la police et des groupes d'habitants "
                    "parcourent ensemble le quartier de la gare, de nuit comme de jour. "
                    "Éclairage, visibilité et entretien sont notés à chaque étape ; les "
                    "constats alimentent la planification des mesures.",
                ),
            },
            extra={"city": "Musterstadt", "country": "DE"},
        ),
    ],
)

FLYER_TEXT = {
    "de": (
        "DEFUS - Deutsch-Europaeisches Forum fuer Urbane Sicherheit",
        "Deutsche Sektion des Europaeischen Forums fuer Urbane Sicherheit (Efus).",
        "Efus: ueber 250 Staedte, Landkreise und Regionen aus 16 Laendern.",
    ),
    "en": (
        "DEFUS - German-European Forum for Urban Security",
        "German section of the European Forum for Urban Security (Efus).",
        "Efus: more than 250 cities, counties and regions from 16 countries.",
    ),
    "fr": (
        "DEFUS - Forum germano-europeen pour la securite urbaine",
        "Section allemande du Forum europeen pour la securite urbaine (Efus).",
        "Efus : plus de 250 villes, arrondissements et regions de 16 pays.",
    ),
}


def simple_pdf(lines: tuple[str, ...] | list[str]) -> bytes:
    """A one-page PDF with a few lines of ASCII text (fast: no layout engine needed)."""
    text = "BT /F1 14 Tf 56 780 Td 18 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines
    )
    stream = zlib.compress(text.encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _teaser_image() -> Image:
    from PIL import Image as PillowImage

    buffer = io.BytesIO()
    PillowImage.new("RGB", (1200, 630), (11, 79, 138)).save(buffer, format="PNG")
    return Image.objects.create(
        title="DEFUS-Monitor", file=ImageFile(io.BytesIO(buffer.getvalue()), name="monitor.png")
    )


def _fill(page: Page, texts: Texts, language: str) -> None:
    title, intro, body = texts[language]
    page.title = title
    page.intro = intro
    page.body = [("paragraph", RichText(f"<p>{body}</p>"))] if body else []


def _add(parent: Page, spec: Spec) -> Page:
    page = spec.model(slug=spec.slug, show_in_menus=spec.in_menu)
    tags = spec.extra.get("tags", [])
    for name, value in spec.extra.items():
        if name != "tags":
            setattr(page, name, value)
    _fill(page, spec.texts, "de")
    if spec.slug == "defus-monitor":
        page.teaser_image = _teaser_image()
    parent.add_child(instance=page)
    if tags:
        page.tags.add(*tags)
        page.save()
    for language in spec.files:
        lines = (
            FLYER_TEXT[language] if spec.slug.startswith("info-flyer") else [spec.texts["de"][0]]
        )
        document = Document.objects.create(
            title=f"{spec.texts['de'][0]} ({language})",
            file=ContentFile(simple_pdf(lines), name=f"{spec.slug}-{language}.pdf"),
        )
        PublicationFile.objects.create(page=page, language=language, document=document)
    for child in spec.children:
        _add(page, child)
    return page


def _translate(page: Page, spec: Spec, locales: dict[str, Locale]) -> None:
    for language in LANGUAGES[1:]:
        translation = page.copy_for_translation(locales[language])
        _fill(translation, spec.texts, language)
        # Each language has its own readable address (/fr/actualites/ …); the home pages
        # only need distinct slugs (their address is the language root).
        if spec.model is HomePage:
            translation.slug = f"{spec.slug}-{language}"
        else:
            translation.slug = slugify(spec.texts[language][0])[:80].strip("-") or spec.slug
        translation.save_revision().publish()
    for child_spec in spec.children:
        child = page.get_children().get(slug=child_spec.slug).specific
        _translate(child, child_spec, locales)


def _ensure_locales() -> dict[str, Locale]:
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code in LANGUAGES}


def _site_address() -> tuple[str, int]:
    address = urlsplit(settings.DEFUS_PUBLIC_URL)
    default_port = 443 if address.scheme == "https" else 80
    return address.hostname or "localhost", address.port or default_port


def _editors(email: str) -> None:
    """The forum's office edits the information service: Wagtail's Editors group, staff."""
    user = User.objects.filter(email=email).first()
    if user is None:
        return
    group, _created = Group.objects.get_or_create(name="Editors")
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def _root(locale: Locale) -> Page:
    """Wagtail's root page, which its migrations create – but a database emptied by a flush
    (e.g. between transactional tests) no longer has it."""
    return Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


def build_info_site(editor_email: str = "office@defus.example") -> HomePage:
    """Create the information service's demo content unless a home page exists already."""
    with transaction.atomic():
        locales = _ensure_locales()
        _editors(editor_email)
        existing = HomePage.objects.filter(locale=locales["de"]).first()
        if existing is not None:
            return existing
        if Collection.get_first_root_node() is None:  # see _root
            Collection.add_root(name="Root")
        root = Page.get_first_root_node() or _root(locales["de"])
        home = _add(root, TREE)
        site = Site.objects.filter(is_default_site=True).first()
        hostname, port = _site_address()
        if site is None:
            site = Site(is_default_site=True)
        welcome = site.root_page if site.pk else None
        site.hostname, site.port, site.root_page = hostname, port, home
        site.site_name = "DEFUS"
        site.save()
        if welcome is not None and not isinstance(welcome.specific, HomePage):
            welcome.delete()  # Wagtail's "Welcome to your new Wagtail site!"
        _translate(HomePage.objects.get(pk=home.pk), TREE, locales)
        return home
