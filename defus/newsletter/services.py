"""The rules of the newsletter: double opt-in, unsubscribing, bounces, composing an issue from
news, events and projects, rendering it in a language, and sending it exactly once to each
confirmed subscriber.

Sending claims subscribers in batches by inserting their `Delivery` rows (the unique
constraint on issue and subscriber makes a second sender – a double click, a second
`defus newsletter send`, a resumed run – skip whoever is claimed already), then sends the
batch over one SMTP connection and marks each accepted message as sent. Claims a sender left
unsent (a crash between claiming and sending) are taken over after STALE_CLAIM, so a resumed
run finishes the issue; a crash in the instant between the server accepting a message and
its row being marked is the one case that can give a second copy.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from defus.core.background import run_in_background
from defus.core.languages import check_language, in_language
from defus.core.links import absolute_url
from defus.events.models import Event
from defus.projects.models import Project

from .models import LANGUAGES, Delivery, Issue, IssueItem, Subscriber, new_token

logger = logging.getLogger(__name__)

LANGUAGE_CODES = tuple(code for code, _label in LANGUAGES)
BATCH_SIZE = 200
STALE_CLAIM = datetime.timedelta(minutes=15)
NEWS_DAYS = 60
# Stands for each subscriber's own unsubscribe address in an issue rendered once per language.
UNSUBSCRIBE_MARK = "NEWSLETTER-UNSUBSCRIBE-ADDRESS"


def normalise(email: str) -> str:
    return email.strip().lower()


# --- subscribing ------------------------------------------------------------------------------


def subscribe(email: str, language: str, user: Any = None) -> bool:
    """Ask `email` to confirm its subscription. True if a confirmation email goes out.

    A confirmed address stays as it is, and a bounced one is never written to again; an
    unsubscribed address must confirm anew. The visitor is told the same in every case, so
    the form does not reveal who subscribes."""
    email = normalise(email)
    language = check_language(language)
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
            email=email, defaults={"language": language}
        )
        if subscriber.status in (Subscriber.Status.CONFIRMED, Subscriber.Status.BOUNCED):
            return False
        subscriber.status = Subscriber.Status.PENDING
        subscriber.language = language
        subscriber.confirm_token = new_token()
        if getattr(user, "is_authenticated", False) and normalise(user.email) == email:
            subscriber.user = user
        subscriber.save()
        subscriber_id = subscriber.pk
        transaction.on_commit(lambda: run_in_background(send_confirmation, subscriber_id))
    return True


def send_confirmation(subscriber_id: int) -> bool:
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status="pending").first()
    if subscriber is None:
        return False
    with translation.override(subscriber.language):
        context = {
            "confirm_url": absolute_url(
                reverse("newsletter:confirm", kwargs={"token": subscriber.confirm_token})
            )
        }
        subject = render_to_string("newsletter/email/confirm_subject.txt", context).strip()
        body = render_to_string("newsletter/email/confirm.txt", context)
    EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
    ).send()
    return True


def confirm(token: str) -> Subscriber | None:
    """Confirm the subscription behind the token. The token is used up: an old link can
    never turn an unsubscribed address back on."""
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update()
            .filter(confirm_token=token, status=Subscriber.Status.PENDING)
            .first()
        )
        if subscriber is None:
            return None
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.confirm_token = new_token()
        subscriber.save(update_fields=["status", "confirmed_at", "confirm_token"])
    return subscriber


def unsubscribe(token: str) -> Subscriber | None:
    subscriber = Subscriber.objects.filter(unsubscribe_token=token).first()
    if subscriber is None:
        return None
    if subscriber.status in (Subscriber.Status.CONFIRMED, Subscriber.Status.PENDING):
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
    return subscriber


def mark_bounced(emails: list[str]) -> tuple[int, list[str]]:
    """Hard bounces: the addresses are never written to again. Returns (marked, unknown)."""
    marked, unknown = 0, []
    for email in dict.fromkeys(normalise(e) for e in emails if e.strip()):
        subscriber = Subscriber.objects.filter(email=email).first()
        if subscriber is None:
            unknown.append(email)
            continue
        subscriber.status = Subscriber.Status.BOUNCED
        subscriber.bounce_count += 1
        subscriber.save(update_fields=["status", "bounce_count"])
        marked += 1
    return marked, unknown


def addresses_in_bounce_file(text: str) -> list[str]:
    """One address a line; blank lines and lines starting with # are left out, and so is
    anything after the address (some mail servers add the reason)."""
    addresses = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            addresses.append(line.split()[0].strip("<>,;"))
    return addresses


def counts() -> dict[str, dict[str, int]]:
    """Subscribers by status and language: {"confirmed": {"de": 3, …, "total": 5}, …}."""
    table: dict[str, dict[str, int]] = {
        status: {**dict.fromkeys(LANGUAGE_CODES, 0), "total": 0}
        for status in Subscriber.Status.values
    }
    for row in Subscriber.objects.values("status", "language").annotate(n=Count("pk")):
        table[row["status"]][row["language"]] = row["n"]
        table[row["status"]]["total"] += row["n"]
    return table


# --- composing --------------------------------------------------------------------------------


def next_number() -> int:
    return (Issue.objects.aggregate(last=Max("number"))["last"] or 0) + 1


def recent_news(today: datetime.date | None = None) -> QuerySet[Any]:
    """Public news of the last 60 days, in German (the original; translations follow)."""
    from defus.info.models import NewsPage

    today = today or timezone.localdate()
    return (
        NewsPage.objects.live()
        .public()
        .filter(members_only=False, locale__language_code="de")
        .filter(date__gte=today - datetime.timedelta(days=NEWS_DAYS))
        .order_by("-date")
    )


def upcoming_events() -> QuerySet[Event]:
    return Event.objects.filter(end__gte=timezone.now(), access=Event.Access.PUBLIC).order_by(
        "start"
    )


def running_projects() -> QuerySet[Project]:
    return Project.objects.filter(status=Project.Status.RUNNING).order_by("slug")


def set_items(issue: Issue, news: list[Any], events: list[Event], projects: list[Project]) -> None:
    with transaction.atomic():
        issue.items.all().delete()
        order = 0
        for kind, field, chosen in (
            (IssueItem.Kind.NEWS, "news_page", news),
            (IssueItem.Kind.EVENT, "event", events),
            (IssueItem.Kind.PROJECT, "project", projects),
        ):
            for item in chosen:
                order += 1
                IssueItem.objects.create(issue=issue, kind=kind, order=order, **{field: item})


# --- rendering --------------------------------------------------------------------------------


@dataclass
class Entry:
    kind: str
    title: str
    text: str
    url: str
    when: str = ""


def _news_entry(item: IssueItem, language: str) -> Entry | None:
    from wagtail.models import Locale

    page = item.news_page
    if page is None:
        return None
    page = page.specific
    locale = Locale.objects.filter(language_code=language).first()
    translated = page.get_translation_or_none(locale) if locale is not None else None
    if translated is not None and translated.live:
        page = translated.specific
    url = page.get_url()
    day = getattr(page, "date", None)
    return Entry(
        kind=IssueItem.Kind.NEWS,
        title=page.title,
        text=getattr(page, "intro", ""),
        url=absolute_url(url) if url else "",
        when=date_format(day, "DATE_FORMAT") if day else "",
    )


def entries(issue: Issue, language: str) -> list[Entry]:
    """The issue's items in `language` (active while this runs)."""
    found = []
    for item in issue.items.select_related("event", "project", "news_page"):
        if item.kind == IssueItem.Kind.NEWS:
            entry = _news_entry(item, language)
        elif item.kind == IssueItem.Kind.EVENT and item.event is not None:
            event = item.event
            entry = Entry(
                kind=item.kind,
                title=event.title_text(language),
                text=event.venue,
                url=absolute_url(reverse("events:detail", kwargs={"event": event.slug})),
                when=date_format(timezone.localtime(event.start), "DATE_FORMAT"),
            )
        elif item.kind == IssueItem.Kind.PROJECT and item.project is not None:
            project = item.project
            entry = Entry(
                kind=item.kind,
                title=project.title_text(language),
                text=project.summary_text(language),
                url=absolute_url(reverse("projects:detail", kwargs={"project": project.slug})),
            )
        else:
            entry = None
        if entry is not None:
            found.append(entry)
    return found


def issue_context(issue: Issue, language: str) -> dict[str, Any]:
    """What the email, the preview and the archive show (call within the language)."""
    items = entries(issue, language)
    return {
        "issue": issue,
        "language": language,
        "subject": in_language(issue.subject, language) or issue.subject_text(language),
        "editorial": issue.editorial_text(language),
        "news": [e for e in items if e.kind == IssueItem.Kind.NEWS],
        "events": [e for e in items if e.kind == IssueItem.Kind.EVENT],
        "projects": [e for e in items if e.kind == IssueItem.Kind.PROJECT],
        "archive_url": absolute_url(
            reverse("newsletter:archive_issue", kwargs={"issue": issue.number})
        ),
    }


@dataclass
class Rendered:
    subject: str
    text: str
    html: str

    def for_subscriber(self, unsubscribe_url: str) -> tuple[str, str]:
        return (
            self.text.replace(UNSUBSCRIBE_MARK, unsubscribe_url),
            self.html.replace(UNSUBSCRIBE_MARK, unsubscribe_url),
        )


def render_issue(issue: Issue, language: str) -> Rendered:
    language = check_language(language)
    with translation.override(language):
        context = {**issue_context(issue, language), "unsubscribe_url": UNSUBSCRIBE_MARK}
        return Rendered(
            subject=" ".join(context["subject"].split()),
            text=render_to_string("newsletter/email/issue.txt", context),
            html=render_to_string("newsletter/email/issue.html", context),
        )


def unsubscribe_url(subscriber: Subscriber) -> str:
    with translation.override(subscriber.language):
        path = reverse("newsletter:unsubscribe", kwargs={"token": subscriber.unsubscribe_token})
    return absolute_url(path)


def message_for(
    subscriber: Subscriber, rendered: Rendered, connection: Any
) -> EmailMultiAlternatives:
    address = unsubscribe_url(subscriber)
    text, html = rendered.for_subscriber(address)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        connection=connection,
        headers={
            # RFC 2369 and RFC 8058: mail programs offer "unsubscribe" with one click.
            "List-Unsubscribe": f"<{address}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# --- sending ----------------------------------------------------------------------------------


class SendRefused(Exception):
    pass


def start_sending(issue: Issue) -> None:
    """Mark a draft as being sent (the compose form closes); the work runs in the background."""
    if issue.status == Issue.Status.SENT:
        raise SendRefused("sent already")
    if not issue.subject.get("de"):
        raise SendRefused("no German subject")
    Issue.objects.filter(pk=issue.pk, status=Issue.Status.DRAFT).update(status=Issue.Status.SENDING)
    issue.refresh_from_db()


def _claim(issue: Issue, batch_size: int) -> tuple[str, bool]:
    """Claim up to `batch_size` subscribers; returns (claim, whether anything was left)."""
    claim = new_token()
    now = timezone.now()
    with transaction.atomic():
        waiting = list(
            Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED)
            .exclude(deliveries__issue=issue)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if waiting:
            Delivery.objects.bulk_create(
                [
                    Delivery(issue=issue, subscriber_id=pk, claim=claim, claimed_at=now)
                    for pk in waiting
                ],
                ignore_conflicts=True,
            )
            return claim, True
        stale = Delivery.objects.filter(
            issue=issue, sent_at__isnull=True, claimed_at__lt=now - STALE_CLAIM
        ).values_list("pk", flat=True)[:batch_size]
        taken = Delivery.objects.filter(pk__in=list(stale), sent_at__isnull=True).update(
            claim=claim, claimed_at=now
        )
        return claim, taken > 0


def send_issue(issue_id: int, batch_size: int = BATCH_SIZE) -> int:
    """Send the issue to every confirmed subscriber who has not got it; returns how many
    messages went out now (0 when run again)."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.status == Issue.Status.SENT:
        return 0
    start_sending(issue)
    rendered = {language: render_issue(issue, language) for language in LANGUAGE_CODES}
    sent = 0
    while True:
        claim, more = _claim(issue, batch_size)
        if not more:
            break
        batch = list(
            Delivery.objects.filter(issue=issue, claim=claim, sent_at__isnull=True).select_related(
                "subscriber"
            )
        )
        # Who unsubscribed or bounced since a stale claim was made gets nothing.
        gone = [d.pk for d in batch if d.subscriber.status != Subscriber.Status.CONFIRMED]
        Delivery.objects.filter(pk__in=gone).delete()
        batch = [d for d in batch if d.pk not in gone]
        sent += _send_batch(batch, rendered)
    if not Delivery.objects.filter(issue=issue, sent_at__isnull=True).exists():
        Issue.objects.filter(pk=issue.pk).exclude(status=Issue.Status.SENT).update(
            status=Issue.Status.SENT, sent_at=timezone.now()
        )
    logger.info("newsletter %s: %s messages sent", issue.number, sent)
    return sent


def _send_batch(batch: list[Delivery], rendered: dict[str, Rendered]) -> int:
    if not batch:
        return 0
    delivered: list[int] = []
    connection = get_connection()
    connection.open()
    try:
        for delivery in batch:
            subscriber = delivery.subscriber
            message = message_for(
                subscriber, rendered[check_language(subscriber.language)], connection
            )
            if connection.send_messages([message]):
                delivered.append(delivery.pk)
    except Exception:
        # Who was not reached is released at once, so the next run sends to them.
        unsent = [d.pk for d in batch if d.pk not in set(delivered)]
        Delivery.objects.filter(pk__in=unsent, sent_at__isnull=True).delete()
        raise
    finally:
        Delivery.objects.filter(pk__in=delivered).update(sent_at=timezone.now())
        connection.close()
    return len(delivered)


def start_in_background(issue: Issue) -> None:
    start_sending(issue)
    issue_id = issue.pk
    transaction.on_commit(lambda: run_in_background(send_issue, issue_id))
