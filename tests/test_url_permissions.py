"""Every URL of the platform, enumerated: one city never reaches another city's data.

The URL list is read from the resolver, so a new view is covered the day it is added; a URL
argument this test does not know how to fill makes it fail, so nobody forgets to map it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from defus.analysis.models import ExportFile
from defus.events.models import Event, EventDocument, Registration
from defus.exchange.models import (
    DocumentVersion,
    GroupInvitation,
    GroupMember,
    Notification,
    NotificationSettings,
    Post,
    Report,
    SharedDocument,
    Thread,
    WorkingGroup,
)
from defus.fieldwork.models import AccessCode, District, Response, SamplePerson, Wave
from defus.members.models import Application
from defus.members.models import Invitation as PeopleInvitation
from defus.strategy.models import Finding, Measure, MeasureDocument, Priority
from defus.walks.models import Stop, StopPhoto, Walk, Workshop, WorkshopDocument, WorkshopFinding

# Routes open to anyone: the public home page, the respondent's questionnaire, and allauth's
# entrance pages (login, password reset, notices; those about an account require login).
# The information service (defus/info) is public too: search, news feeds, sitemap.
# The digest's one-click unsubscribe link works by its token, without login (RFC 8058).
PUBLIC = re.compile(
    r"^(|i18n/setlang/|s/.*|accounts/.*|search/|feeds/news\.(rss|atom)|sitemap\.xml"
    r"|notifications/unsubscribe/.*)$"
)
SKIP = re.compile(r"^(admin/|static/|media/)")  # Django's admin: staff only, checked by Django
# Events: the calendar, event pages and a registration by its token are public (members-only
# events check membership themselves); the organisers' pages (manage/) need forum staff.
PUBLIC_EVENTS = re.compile(r"^events/(?!<slug:event>/manage/|new/$).*$")
ORGANISER_EVENTS = re.compile(r"^events/(<slug:event>/manage/|new/$)")
# Projects and newsletter: the project list and pages, the newsletter's archive, subscribing and
# its confirm and unsubscribe links (by token) are public; interest needs a member, the rest staff.
PUBLIC_PROJECTS_NEWSLETTER = re.compile(
    r"^(projects/(<slug:project>/)?|newsletter/(<int:issue>/|subscribe/|confirm/<str:token>/"
    r"|unsubscribe/<str:token>/)?)$"
)
# Members: the member organisations (list, JSON), the application form and an invitation by
# its token are public; the directory needs a member, the reviews forum staff.
PUBLIC_MEMBERS = re.compile(
    r"^members/(|organisations\.json|apply/|invitation/<str:invitation_token>/)$"
)
# Wagtail: its admin (cms/, staff only, checked by Wagtail), the page tree, documents and images
# (served through Wagtail; member-only pages and files are tested in tests/info).
WAGTAIL = re.compile(r"^(cms/|documents/|images/|_util/|\(\(\?:)")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        else:
            yield route, entry


def all_routes() -> list[str]:
    routes = []
    for route, _pattern in _walk(get_resolver().url_patterns):
        route = route.replace("^", "").replace("$", "").removeprefix("/")
        # i18n_patterns contribute a language prefix pattern object; keep the path only
        route = re.sub(r"^(de|en|fr)/", "", route)
        if not SKIP.match(route) and not WAGTAIL.match(route):
            routes.append(route)
    return sorted(set(routes))


@pytest.fixture
def city_b(org_b: Any, admin_b: Any) -> dict[str, str]:
    today = datetime.date.today()
    wave = Wave.objects.create(
        organisation=org_b,
        title="Beispielburg 2026",
        slug="beispielburg-2026",
        instrument_version="2026.1",
        field_start=today - datetime.timedelta(days=5),
        field_end=today + datetime.timedelta(days=5),
        status=Wave.Status.FIELD,
    )
    district = District.objects.create(wave=wave, code="B1", name="Mitte", answer_code=1)
    code = AccessCode.objects.create(wave=wave, code="ABCDE34679", district=district)
    person = SamplePerson.objects.create(
        wave=wave,
        line=2,
        last_name="Muster",
        street="Hauptstr. 1",
        postcode="12345",
        city="Beispielburg",
        district=district,
        access_code=code,
    )
    response = Response.objects.create(
        wave=wave,
        instrument_version="2026.1",
        mode="web",
        source="sample",
        language="de",
        completed_on=today,
        answers={"A1": 2},
    )
    export = ExportFile.objects.create(wave=wave, kind="sav", revision=0, status="ready")
    workshop = Workshop.objects.create(
        organisation=org_b, wave=wave, title="Beispielburg 2026 workshop", topic="t", date=today
    )
    finding = WorkshopFinding.objects.create(workshop=workshop, text="f", group="women")
    # no file behind it: the download must give 404 to city B's admin, not a 500
    document = WorkshopDocument.objects.create(
        workshop=workshop, title="d", file=f"workshops/{org_b.pk}/none/minutes.pdf"
    )
    strategy_finding = Finding.objects.create(organisation=org_b, source="other", text="f")
    priority = Priority.objects.create(
        organisation=org_b,
        problem="p",
        baseline_wave=wave,
        item="A1",
        share=[1, 2],
        indicator_label="i",
        target=50,
    )
    measure = Measure.objects.create(priority=priority, title="m", department="d")
    # no file behind it either: 404 for city B's admin
    measure_document = MeasureDocument.objects.create(
        measure=measure, title="d", file=f"measures/{org_b.pk}/none/plan.pdf"
    )
    walk = Walk.objects.create(
        organisation=org_b, district=district, title="Beispielburg 2026 walk", date=today
    )
    stop = Stop.objects.create(walk=walk, position=1, name="Markt")
    # no file behind it: 404 for city B's admin
    photo = StopPhoto.objects.create(stop=stop, image=f"walks/{org_b.pk}/none.jpg")
    event = Event.objects.create(
        slug="tagung",
        title={"de": "Tagung"},
        start=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=9),
        end=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=9, hours=2),
        kind=Event.Kind.TRAINING,
    )
    # no file behind it: 404, not a 500
    event_document = EventDocument.objects.create(event=event, title="d", file="events/none.pdf")
    registration = Registration.objects.create(
        event=event, user=admin_b, organisation=org_b, status="confirmed", checked_in=True
    )
    # exchange: a group by invitation of city B's people, with a thread, a post, a report,
    # a document (no file behind it: 404, not a 500), a request to join and a notification
    group = WorkingGroup.objects.create(
        slug="beispielburg-intern", name={"de": "Intern"}, access=WorkingGroup.Access.INVITATION
    )
    group_member = GroupMember.objects.create(group=group, user=admin_b, role="moderator")
    thread = Thread.objects.create(group=group, title="Beispielburg 2026 intern", author=admin_b)
    post = Post.objects.create(thread=thread, author=admin_b, body="Beispielburg 2026 Entwurf")
    report = Report.objects.create(post=post, reporter=admin_b, reason="r")
    shared_document = SharedDocument.objects.create(group=group, title="Beispielburg 2026 Plan")
    document_version = DocumentVersion.objects.create(
        document=shared_document, number=1, file="exchange/none/plan.pdf"
    )
    invitation = GroupInvitation.objects.create(
        group=group, user=admin_b, kind=GroupInvitation.Kind.REQUESTED
    )
    notification = Notification.objects.create(user=admin_b, kind="reply", params={})
    notification_settings = NotificationSettings.objects.create(user=admin_b)
    # members: an invitation into city B, an application, city B's admin's membership
    people_invitation = PeopleInvitation.objects.create(
        organisation=org_b, email="new@beispielburg.example"
    )
    application = Application.objects.create(
        organisation_name="Beispielburg 2026 Nachbarort",
        country="DE",
        contact_name="c",
        contact_email="c@example.org",
        contact_function="f",
    )
    return {
        "org": org_b.slug,
        "wave": wave.slug,
        "district": str(district.pk),
        "pk": str(person.pk),
        "person": str(person.pk),
        "response": str(response.pk),
        "sheet": "1",
        "token": wave.open_link_token,
        "version": "2026.1",
        "language": "de",
        "key": "defus-monitor",
        "uidb36": "1",
        "number": "1",
        "export": str(export.pk),
        "workshop": str(workshop.pk),
        "finding": str(finding.pk),
        "document": str(document.pk),
        "strategy_finding": str(strategy_finding.pk),
        "priority": str(priority.pk),
        "measure": str(measure.pk),
        "measure_document": str(measure_document.pk),
        "walk": str(walk.pk),
        "photo": str(photo.pk),
        "event": event.slug,
        "event_document": str(event_document.pk),
        "registration": str(registration.pk),
        "registration_token": registration.token,
        "project": "sichere-plaetze",
        "call": "1",
        "interest": "1",
        "issue": "1",
        "group": group.slug,
        "thread": str(thread.pk),
        "post": str(post.pk),
        "report": str(report.pk),
        "member": str(group_member.pk),
        "invitation": str(invitation.pk),
        "shared_document": str(shared_document.pk),
        "document_version": str(document_version.pk),
        "notification": str(notification.pk),
        "unsubscribe_token": notification_settings.unsubscribe_token,
        "people_invitation": str(people_invitation.pk),
        "invitation_token": people_invitation.token,
        "membership": str(admin_b.memberships.get().pk),
        "application": str(application.pk),
        "organisation": org_b.slug,
    }


def fill(route: str, values: dict[str, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in values:
            raise AssertionError(f"{route}: add a value for <{name}> to this test")
        return values[name]

    # regex routes (allauth) name groups as (?P<name>...)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: "<" + m.group(1) + ">", route)
    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)


def org_routes() -> list[str]:
    return [r for r in all_routes() if r.startswith("o/<slug:org>/")]


@pytest.mark.django_db
def test_city_a_reaches_nothing_of_city_b(client: Any, admin_a: Any, city_b: dict[str, str]):
    routes = org_routes()
    assert len(routes) >= 2, "the back office routes were not found"
    client.force_login(admin_a)
    for route in routes:
        url = fill(route, city_b)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (403, 404, 405), (url, method, response.status_code)
            assert b"Beispielburg 2026" not in response.content, url
            assert b"ABCDE" not in response.content, url


@pytest.mark.django_db
def test_city_b_admin_reaches_its_own_pages(client: Any, admin_b: Any, city_b: dict[str, str]):
    """The counterpart: the same URLs work for the right person, so the test above can fail."""
    client.force_login(admin_b)
    reached = 0
    for route in org_routes():
        response = client.get(fill(route, city_b))
        assert response.status_code != 500, route
        reached += response.status_code == 200
    assert reached >= 2


@pytest.mark.django_db
def test_anonymous_visitors_reach_only_public_pages(client: Any, city_b: dict[str, str]):
    for route in all_routes():
        url = fill(route, city_b)
        response = client.get(url)
        assert response.status_code != 500, url
        assert b"Beispielburg 2026" not in response.content, url
        if PUBLIC.match(route) or PUBLIC_EVENTS.match(route):
            continue
        if PUBLIC_PROJECTS_NEWSLETTER.match(route) or PUBLIC_MEMBERS.match(route):
            continue
        assert response.status_code in (302, 403, 404, 405), (url, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"], (url, response["Location"])
        assert b"Beispielburg 2026" not in response.content, url


@pytest.mark.django_db
def test_event_organiser_pages_need_forum_staff(
    client: Any, admin_a: Any, forum_staff: Any, city_b: dict[str, str]
) -> None:
    routes = [r for r in all_routes() if ORGANISER_EVENTS.match(r)]
    assert len(routes) >= 5, "the organisers' event routes were not found"
    client.force_login(admin_a)  # a city's admin is not an organiser of the forum's events
    for route in routes:
        url = fill(route, city_b)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (403, 404, 405), (url, response.status_code)
            assert b"admin@beispielburg" not in response.content, url
    client.force_login(forum_staff)
    reached = 0
    for route in routes:
        response = client.get(fill(route, city_b))
        assert response.status_code != 500, route
        reached += response.status_code == 200
    assert reached >= 3
