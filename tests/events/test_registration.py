"""Registration: waiting list and offers through the real pages, the parallel rush for the
last places (exactly `capacity` confirmed), group registration and the assembly's vote."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from defus.events import services
from defus.events.models import Registration
from defus.organisations.models import Organisation
from tests.conftest import make_person

from .support import make_event

Status = Registration.Status


@pytest.fixture
def sync_background(settings: Any) -> None:
    # emails are sent within the request: the worker thread would not see the test's data
    settings.DEFUS_BACKGROUND_SYNC = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.mark.django_db(transaction=True)
def test_waiting_list_offer_and_confirmation(client: Any, sync_background: None) -> None:
    event = make_event("workshop", capacity=1, format="online")
    first = make_person("first@musterstadt.example", preferred_language="en")
    client.force_login(first)
    response = client.post(reverse("events:register", kwargs={"event": event.slug}))
    assert response.status_code == 302
    own = Registration.objects.get(user=first)
    assert own.status == Status.CONFIRMED
    assert mail.outbox[-1].to == ["first@musterstadt.example"]
    assert any(name.endswith(".ics") for name, *_ in mail.outbox[-1].attachments)
    client.logout()

    # Full: a member of the public joins the waiting list (German pages, German email).
    response = client.post(
        reverse("events:register", kwargs={"event": event.slug}),
        {"name": "Erika Muster", "email": "Erika@Example.org"},
    )
    assert response.status_code == 302
    waiting = Registration.objects.get(email="erika@example.org")
    assert waiting.status == Status.WAITING
    assert waiting.waiting_position == 1
    assert "Warteliste" in mail.outbox[-1].subject
    page = client.get(reverse("events:registration", kwargs={"registration_token": waiting.token}))
    assert event.online_link not in page.content.decode()

    # The first cancels (from the link in their email): the place is offered to Erika.
    outbox_before = len(mail.outbox)
    client.post(
        reverse("events:registration", kwargs={"registration_token": own.token}),
        {"action": "cancel"},
    )
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED
    hours = (waiting.offer_expires - timezone.now()).total_seconds() / 3600
    assert 47.9 < hours <= 48
    offer = mail.outbox[outbox_before]
    assert offer.to == ["erika@example.org"]
    assert "Platz" in offer.subject
    assert waiting.token in offer.body
    (name, content, mimetype) = offer.attachments[0]
    assert name == "workshop.ics" and mimetype == "text/calendar"
    content = content.decode() if isinstance(content, bytes) else content
    parsed = icalendar.Calendar.from_ical(content)
    assert parsed.walk("VEVENT")[0]["SUMMARY"] == "Seminar workshop"
    # the online link travels only once the place is confirmed
    assert event.online_link not in offer.body
    assert event.online_link not in content

    # Erika accepts: confirmed, and now the online link is shown to her.
    client.post(
        reverse("events:registration", kwargs={"registration_token": waiting.token}),
        {"action": "confirm"},
    )
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    page = client.get(reverse("events:registration", kwargs={"registration_token": waiting.token}))
    assert event.online_link in page.content.decode()
    assert event.online_link in mail.outbox[-1].body


@pytest.mark.django_db(transaction=True)
def test_an_expired_offer_passes_to_the_next(sync_background: None) -> None:
    event = make_event("expiry", capacity=1)
    people = [make_person(f"p{i}@example.org") for i in range(3)]
    first, second, third = (services.register(event, user=p) for p in people)
    assert [r.status for r in (first, second, third)] == ["confirmed", "waiting", "waiting"]
    services.cancel(first)
    second.refresh_from_db()
    assert second.status == Status.OFFERED
    later = timezone.now() + datetime.timedelta(hours=49)
    assert services.expire_offers(now=later) == 1
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == (Status.CANCELLED, Status.OFFERED)
    with pytest.raises(services.RegistrationRefused):
        services.confirm_offer(second.token)


def _register_in_thread(event_id: int, user_id: int, barrier: Any, errors: list[Any]) -> None:
    from defus.events.models import Event
    from defus.organisations.models import User

    try:
        event = Event.objects.get(pk=event_id)
        user = User.objects.get(pk=user_id)
        barrier.wait(timeout=30)
        services.register(event, user=user)
    except Exception as exc:
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_registrations_for_ten_places(sync_background: None) -> None:
    event = make_event("rush", capacity=10)
    people = [make_person(f"rush{i}@example.org") for i in range(30)]
    barrier = threading.Barrier(30)
    errors: list[Any] = []
    threads = [
        threading.Thread(target=_register_in_thread, args=(event.pk, p.pk, barrier, errors))
        for p in people
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [], errors
    rows = Registration.objects.filter(event=event)
    assert rows.count() == 30, "a registration was lost"
    assert rows.filter(status=Status.CONFIRMED).count() == 10
    waiting = rows.filter(status=Status.WAITING)
    assert waiting.count() == 20
    assert sorted(waiting.values_list("waiting_number", flat=True)) == list(range(1, 21))
    print(f"concurrency on {connection.vendor}: 10 confirmed, 20 waiting")


@pytest.mark.django_db
def test_group_registration_fills_places_then_waits(org_a: Any, admin_a: Any) -> None:
    event = make_event("group", capacity=2)
    people = [make_person(f"g{i}@musterstadt.example", org_a, "member") for i in range(3)]
    made = services.register_group(event, org_a, people, by=admin_a)
    assert [r.status for r in made] == ["confirmed", "confirmed", "waiting"]
    assert all(r.organisation == org_a and r.registered_by == admin_a for r in made)
    # a member may not register a group; a stranger cannot be registered
    with pytest.raises(services.RegistrationRefused):
        services.register_group(event, org_a, people[:1], by=people[0])
    stranger = make_person("stranger@example.org")
    with pytest.raises(services.RegistrationRefused, match="stranger"):
        services.register_group(event, org_a, [stranger], by=admin_a)


@pytest.mark.django_db
def test_one_voting_representative_per_member_organisation(org_a: Any) -> None:
    assembly = make_event("assembly", kind="assembly", access="members", capacity=None)
    mayor = make_person("mayor@musterstadt.example", org_a, "admin")
    deputy = make_person("deputy@musterstadt.example", org_a, "member")
    vote = services.register(assembly, user=mayor, organisation=org_a, voting_representative=True)
    assert vote.voting_representative
    with pytest.raises(
        services.RegistrationRefused, match="bereits eine stimmberechtigte Vertretung"
    ):
        services.register(assembly, user=deputy, organisation=org_a, voting_representative=True)
    # as a guest the deputy is welcome
    guest = services.register(assembly, user=deputy, organisation=org_a)
    assert guest.status == Status.CONFIRMED
    # after the representative cancels, the deputy's organisation may name another
    services.cancel(vote)
    other = make_person("other@musterstadt.example", org_a, "member")
    assert services.register(
        assembly, user=other, organisation=org_a, voting_representative=True
    ).voting_representative


@pytest.mark.django_db
def test_members_only_registration_refuses_non_members(client: Any) -> None:
    event = make_event("closed", access="members")
    outsider_org = Organisation.objects.create(name="Fernstadt", slug="fernstadt", is_member=False)
    outsider = make_person("x@fernstadt.example", outsider_org, "admin")
    with pytest.raises(services.RegistrationRefused):
        services.register(event, user=outsider)
    with pytest.raises(services.RegistrationRefused):
        services.register(event, name="A", email="a@example.org")
    # the page does not 500 on a second registration; it shows the registration
    member_org = Organisation.objects.create(name="Nahstadt", slug="nahstadt")
    member = make_person("m@nahstadt.example", member_org, "member")
    client.force_login(member)
    url = reverse("events:register", kwargs={"event": event.slug})
    response = client.post(url)
    assert response.status_code == 302, response.context["form"].errors
    assert client.post(url).status_code == 302
    assert Registration.objects.filter(user=member).count() == 1
