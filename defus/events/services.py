"""Registering for events: capacity, waiting list, offers, group registration, the vote.

Every change of a registration's status happens here, inside a transaction that holds the
event's lock: PostgreSQL locks the event row (SELECT … FOR UPDATE), SQLite takes the database
write lock at BEGIN (the project's backend opens IMMEDIATE transactions, settings.DATABASES).
So counting the free places and taking one is a single step: with parallel registrations
exactly `capacity` are confirmed and the rest wait, in the order they were served.

Places taken = confirmed + offered (an offer holds its place until it expires). A place freed
by a cancellation is offered to the first on the waiting list for `event.offer_hours`; an
offer not accepted in time passes to the next (`expire_offers`, run by `defus events tick`
and on the event pages).

Group registration (an organisation's admin registers several people): each person gets a
registration of their own; places are given in the order of the list as far as they go, the
others join the waiting list – nobody is refused because the group does not fit as a whole.

Emails go out in the background after the transaction commits, in the registrant's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from defus.core.background import run_in_background
from defus.organisations.models import Membership, Organisation
from defus.organisations.permissions import is_forum_staff, is_network_member

from .models import ACTIVE, Event, EventAuditEntry, Registration

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from defus.organisations.models import User

Status = Registration.Status
ANSWER_KEYS = ("diet", "accessibility", "notes")


class RegistrationRefused(Exception):
    """Registration is not possible; the message says why, in the user's language."""


class OfferExpired(Exception):
    """The offered place was not accepted in time."""


# --- who may see and register ---------------------------------------------------------------


def can_see(event: Event, user: User | AnonymousUser) -> bool:
    return not event.members_only or is_network_member(user)


def is_organiser(user: User | AnonymousUser) -> bool:
    return is_forum_staff(user)


def confirmed_registration(event: Event, user: User | AnonymousUser) -> Registration | None:
    if not user.is_authenticated:
        return None
    return event.registrations.filter(user=user, status=Status.CONFIRMED).first()


def active_registration(event: Event, user: User | AnonymousUser) -> Registration | None:
    if not user.is_authenticated:
        return None
    return event.registrations.filter(user=user, status__in=ACTIVE).first()


def visible_documents(event: Event, user: User | AnonymousUser) -> Any:
    allowed = [event.documents.model.Visibility.PUBLIC]
    if is_network_member(user):
        allowed.append(event.documents.model.Visibility.MEMBERS)
    if confirmed_registration(event, user) is not None or is_organiser(user):
        allowed.append(event.documents.model.Visibility.REGISTRANTS)
    return event.documents.filter(visibility__in=allowed)


# --- counts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    confirmed: int
    offered: int
    waiting: int
    cancelled: int
    checked_in: int
    free: int | None  # None: unlimited


def counts(event: Event) -> Counts:
    rows = event.registrations.values_list("status", "checked_in")
    by_status = dict.fromkeys(Status.values, 0)
    checked_in = 0
    for status, present in rows:
        by_status[status] += 1
        checked_in += bool(present and status == Status.CONFIRMED)
    taken = by_status[Status.CONFIRMED] + by_status[Status.OFFERED]
    free = None if event.capacity is None else max(event.capacity - taken, 0)
    return Counts(
        by_status[Status.CONFIRMED],
        by_status[Status.OFFERED],
        by_status[Status.WAITING],
        by_status[Status.CANCELLED],
        checked_in,
        free,
    )


# --- the lock -----------------------------------------------------------------------------------


def _lock(event: Event) -> Event:
    """Within a transaction: the event, locked until commit (see the module docstring)."""
    return Event.objects.select_for_update().get(pk=event.pk)


def _free_places(event: Event) -> int | None:
    if event.capacity is None:
        return None
    taken = event.registrations.filter(status__in=(Status.CONFIRMED, Status.OFFERED)).count()
    return max(event.capacity - taken, 0)


def _next_waiting_number(event: Event) -> int:
    top = event.registrations.aggregate(top=Max("waiting_number"))["top"]
    return (top or 0) + 1


def _after_commit(kind: str, registration_id: int) -> None:
    from .emails import send_registration_email

    transaction.on_commit(lambda: run_in_background(send_registration_email, registration_id, kind))


# --- registering ------------------------------------------------------------------------------


def clean_answers(event: Event, answers: dict[str, Any] | None) -> dict[str, str]:
    wanted = {"diet": event.ask_diet, "accessibility": event.ask_accessibility}
    wanted["notes"] = event.ask_notes
    return {
        key: str(value).strip()[:1000]
        for key, value in (answers or {}).items()
        if wanted.get(key) and str(value).strip()
    }


def _check_open(event: Event) -> None:
    if not event.registration_open:
        raise RegistrationRefused(_("Registration for this event is closed."))
    if event.end < timezone.now():
        raise RegistrationRefused(_("This event is over."))


def _check_voting(
    event: Event, user: User | None, organisation: Organisation | None, exclude: int | None = None
) -> None:
    if event.kind != Event.Kind.ASSEMBLY:
        raise RegistrationRefused(_("Only the members' assembly has voting representatives."))
    if organisation is None or not organisation.is_member:
        raise RegistrationRefused(
            _("A voting representative must represent a member organisation.")
        )
    if user is None or not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise RegistrationRefused(
            _("A voting representative must belong to the organisation they represent.")
        )
    taken = event.registrations.filter(
        organisation=organisation, voting_representative=True, status__in=ACTIVE
    )
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise RegistrationRefused(
            _(
                "%(organisation)s already has a voting representative at this assembly. "
                "Each member organisation has one vote; register as a guest instead."
            )
            % {"organisation": organisation.name}
        )


def _place(
    event: Event,
    *,
    user: User | None,
    name: str,
    email: str,
    organisation: Organisation | None,
    registered_by: User | None,
    language: str,
    answers: dict[str, str],
    voting_representative: bool,
) -> Registration:
    """Within the event's lock: create one registration, confirmed or waiting."""
    if user is not None and event.registrations.filter(user=user, status__in=ACTIVE).exists():
        raise RegistrationRefused(
            _("%(person)s is already registered for this event.") % {"person": str(user)}
        )
    if (
        user is None
        and event.registrations.filter(
            user__isnull=True, email__iexact=email, status__in=ACTIVE
        ).exists()
    ):
        raise RegistrationRefused(
            _("%(person)s is already registered for this event.") % {"person": email}
        )
    if voting_representative:
        _check_voting(event, user, organisation)
    free = _free_places(event)
    # Somebody waiting already goes first, even if a place has just been freed for an offer.
    someone_waits = event.registrations.filter(status=Status.WAITING).exists()
    confirmed = free is None or (free > 0 and not someone_waits)
    return Registration.objects.create(
        event=event,
        user=user,
        name="" if user is not None else name,
        email="" if user is not None else email.lower(),
        organisation=organisation,
        registered_by=registered_by,
        status=Status.CONFIRMED if confirmed else Status.WAITING,
        waiting_number=None if confirmed else _next_waiting_number(event),
        language=language,
        answers=answers,
        voting_representative=voting_representative,
    )


def register(
    event: Event,
    *,
    user: User | None = None,
    name: str = "",
    email: str = "",
    organisation: Organisation | None = None,
    language: str | None = None,
    answers: dict[str, Any] | None = None,
    voting_representative: bool = False,
) -> Registration:
    """Register one person: confirmed while places are free, else on the waiting list.

    A logged-in person registers with `user`; the public registers for public events with
    `name` and `email`. Raises RegistrationRefused with a message for the person.
    """
    if user is None and (not name.strip() or not email.strip()):
        raise RegistrationRefused(_("Please give your name and email address."))
    if event.members_only and (user is None or not is_network_member(user)):
        raise RegistrationRefused(_("This event is open to members of the forum only."))
    if (
        organisation is not None
        and user is not None
        and not is_organiser(user)
        and not Membership.objects.filter(user=user, organisation=organisation).exists()
    ):
        raise RegistrationRefused(_("You can only register for your own organisation."))
    if language is None:
        language = getattr(user, "preferred_language", None) or "de"
    with transaction.atomic():
        locked = _lock(event)
        _check_open(locked)
        registration = _place(
            locked,
            user=user,
            name=name.strip(),
            email=email.strip(),
            organisation=organisation,
            registered_by=user,
            language=language,
            answers=clean_answers(locked, answers),
            voting_representative=voting_representative,
        )
        _after_commit(registration.status, registration.pk)
    return registration


def register_group(
    event: Event,
    organisation: Organisation,
    people: Iterable[User],
    *,
    by: User,
    voting_representative: User | None = None,
) -> list[Registration]:
    """An organisation's admin registers several of its people, one registration each.

    Places go to the people in the order given as far as they reach; the others join the
    waiting list. People already registered are skipped. All or nothing on errors.
    """
    from defus.organisations.permissions import has_permission

    if not has_permission(by, organisation, "organisation.manage_people"):
        raise RegistrationRefused(_("Only the organisation's admin can register a group."))
    if event.members_only and not organisation.is_member:
        raise RegistrationRefused(_("This event is open to members of the forum only."))
    people = list(people)
    strangers = [
        p
        for p in people
        if not Membership.objects.filter(user=p, organisation=organisation).exists()
    ]
    if strangers:
        raise RegistrationRefused(
            _("Not in %(organisation)s: %(people)s")
            % {"organisation": organisation.name, "people": ", ".join(map(str, strangers))}
        )
    made: list[Registration] = []
    with transaction.atomic():
        locked = _lock(event)
        _check_open(locked)
        for person in people:
            if locked.registrations.filter(user=person, status__in=ACTIVE).exists():
                continue
            registration = _place(
                locked,
                user=person,
                name="",
                email="",
                organisation=organisation,
                registered_by=by,
                language=person.preferred_language or "de",
                answers={},
                voting_representative=person == voting_representative,
            )
            made.append(registration)
            _after_commit(registration.status, registration.pk)
    return made


# --- cancelling and the waiting list -----------------------------------------------------------


def _offer_free_places(event: Event) -> list[Registration]:
    """Within the lock: offer free places to the first on the waiting list."""
    free = _free_places(event)
    waiting = event.registrations.filter(status=Status.WAITING).order_by("waiting_number")
    if free is None:
        # Unlimited (capacity removed): everybody waiting is in.
        promoted = list(waiting)
        for registration in promoted:
            registration.status = Status.CONFIRMED
            registration.waiting_number = None
            registration.save(update_fields=["status", "waiting_number"])
            _after_commit(Status.CONFIRMED, registration.pk)
        return promoted
    offered = list(waiting[:free])
    expires = timezone.now() + timedelta(hours=event.offer_hours)
    for registration in offered:
        registration.status = Status.OFFERED
        registration.offer_expires = expires
        registration.save(update_fields=["status", "offer_expires"])
        _after_commit(Status.OFFERED, registration.pk)
    return offered


def capacity_changed(event: Event) -> list[Registration]:
    """After an organiser raised (or removed) the capacity: offer the freed places to the
    waiting list, within the event's lock. Returns the registrations offered or promoted."""
    with transaction.atomic():
        locked = _lock(event)
        if locked.end <= timezone.now():
            return []
        return _offer_free_places(locked)


def cancel(registration: Registration) -> Registration:
    """Cancel; a freed place is offered to the first on the waiting list."""
    with transaction.atomic():
        event = _lock(registration.event)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.status == Status.CANCELLED:
            return registration
        registration.status = Status.CANCELLED
        registration.offer_expires = None
        registration.save(update_fields=["status", "offer_expires"])
        if event.end > timezone.now():
            _offer_free_places(event)
    return registration


def confirm_offer(token: str) -> Registration:
    """Accept an offered place. Raises OfferExpired after its time (the place moves on)."""
    with transaction.atomic():
        registration = Registration.objects.select_related("event").get(token=token)
        event = _lock(registration.event)
        registration.refresh_from_db()
        if registration.status == Status.CONFIRMED:
            return registration
        if registration.status != Status.OFFERED:
            raise RegistrationRefused(_("There is no place offered to you for this event."))
        if registration.offer_expires is None or registration.offer_expires <= timezone.now():
            registration.status = Status.CANCELLED
            registration.save(update_fields=["status"])
            _offer_free_places(event)
            expired = True
        else:
            registration.status = Status.CONFIRMED
            registration.waiting_number = None
            registration.offer_expires = None
            registration.save(update_fields=["status", "waiting_number", "offer_expires"])
            _after_commit(Status.CONFIRMED, registration.pk)
            expired = False
    if expired:
        raise OfferExpired(token)
    return registration


def expire_offers(now: Any = None) -> int:
    """Pass offers not accepted in time to the next on the waiting list; how many expired."""
    now = now or timezone.now()
    expired = 0
    due_events = Event.objects.filter(
        registrations__status=Status.OFFERED, registrations__offer_expires__lte=now
    ).distinct()
    for event in due_events:
        with transaction.atomic():
            locked = _lock(event)
            stale = locked.registrations.filter(status=Status.OFFERED, offer_expires__lte=now)
            expired += stale.update(status=Status.CANCELLED)
            if locked.end > now:
                _offer_free_places(locked)
    return expired


def expire_offers_if_due() -> None:
    """Cheap check for the event pages: expire offers only when some are due."""
    if Registration.objects.filter(
        status=Status.OFFERED, offer_expires__lte=timezone.now()
    ).exists():
        expire_offers()


def send_reminders(within: timedelta = timedelta(hours=24)) -> int:
    """Remind confirmed registrants of events starting within `within` (once each)."""
    now = timezone.now()
    due = Registration.objects.filter(
        status=Status.CONFIRMED,
        reminder_sent=False,
        anonymised=False,
        event__start__gt=now,
        event__start__lte=now + within,
    )
    ids = list(due.values_list("pk", flat=True))
    Registration.objects.filter(pk__in=ids).update(reminder_sent=True)
    from .emails import send_registration_email

    for pk in ids:
        run_in_background(send_registration_email, pk, "reminder")
    return len(ids)


# --- organiser ----------------------------------------------------------------------------------


def set_checked_in(registration: Registration, present: bool) -> None:
    Registration.objects.filter(pk=registration.pk, status=Status.CONFIRMED).update(
        checked_in=present
    )


def audit(event: Event | None, actor: Any, action: str, detail: str = "") -> None:
    EventAuditEntry.objects.create(
        event=event,
        event_slug=event.slug if event else "",
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        detail=detail[:500],
    )


def purge_personal_data(event: Event, actor: Any = None) -> int:
    """Delete names, emails, answers and links to people; the counts stay. Audit-logged."""
    with transaction.atomic():
        locked = _lock(event)
        rows = locked.registrations.filter(anonymised=False)
        number = rows.update(
            user=None,
            name="",
            email="",
            answers={},
            registered_by=None,
            anonymised=True,
        )
        locked.personal_data_deleted = timezone.now()
        locked.save(update_fields=["personal_data_deleted"])
        audit(locked, actor, "purge", f"{number} registrations anonymised")
    return number


def purge_due_events(now: Any = None) -> list[tuple[Event, int]]:
    """Purge every event whose retention period after its end has passed."""
    now = now or timezone.now()
    done = []
    candidates = Event.objects.filter(end__lt=now).filter(
        Q(personal_data_deleted__isnull=True) | Q(registrations__anonymised=False)
    )
    for event in candidates.distinct():
        if event.purge_due() <= now:
            done.append((event, purge_personal_data(event)))
    return done
