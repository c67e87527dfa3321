"""The acceptance test of the newsletter: 2,000 confirmed subscribers in three languages (and
pending, unsubscribed and bounced addresses) – each confirmed subscriber receives exactly one
copy, in their language, with a one-click unsubscribe header; nobody else receives anything;
sending again sends nothing more."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from defus.newsletter import services
from defus.newsletter.models import Delivery, Issue, Subscriber

from .support import SUBJECTS, make_issue

pytestmark = pytest.mark.django_db

LANGUAGES = ("de", "en", "fr")
# Words of the template's own text (gettext), one per language, besides the subject.
FOOTER = {
    "de": "Mit einem Klick abmelden:",
    "en": "Unsubscribe with one click:",
    "fr": "Se désabonner en un clic :",
}


def _subscribers() -> dict[str, str]:
    """2,000 confirmed and 150 others; returns {email: language} of the confirmed."""
    rows = []
    confirmed = {}
    for n in range(2000):
        language = LANGUAGES[n % 3]
        email = f"person{n}@city{n % 40}.example"
        confirmed[email] = language
        rows.append(Subscriber(email=email, language=language, status="confirmed"))
    for status in ("pending", "unsubscribed", "bounced"):
        for n in range(50):
            rows.append(
                Subscriber(
                    email=f"{status}{n}@other.example", language=LANGUAGES[n % 3], status=status
                )
            )
    Subscriber.objects.bulk_create(rows, batch_size=500)
    return confirmed


def test_each_confirmed_subscriber_gets_exactly_one_copy_in_their_language(
    client: Any, forum_staff: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    confirmed = _subscribers()
    issue = make_issue(editorial={"de": "Nur auf Deutsch geschrieben."})
    client.force_login(forum_staff)
    # without the confirmation box: nothing is sent
    client.post(f"/newsletter/manage/{issue.number}/send/", {})
    issue.refresh_from_db()
    assert issue.status == "draft" and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/newsletter/manage/{issue.number}/send/", {"confirm": "on"})
    assert response.status_code == 302

    recipients = Counter(address for message in mail.outbox for address in message.to)
    assert len(mail.outbox) == 2000
    assert set(recipients) == set(confirmed)
    assert max(recipients.values()) == 1
    for message in mail.outbox:
        language = confirmed[message.to[0]]
        assert message.subject == SUBJECTS[language]
        assert FOOTER[language] in message.body
        assert all(FOOTER[other] not in message.body for other in LANGUAGES if other != language)
        # the editorial exists only in German: everyone reads the German one
        assert "Nur auf Deutsch geschrieben." in message.body
        unsubscribe = message.extra_headers["List-Unsubscribe"]
        assert unsubscribe.startswith("<http") and "/newsletter/unsubscribe/" in unsubscribe
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert unsubscribe.strip("<>") in message.body
        html = message.alternatives[0][0]
        assert f'<html lang="{language}">' in html
    issue.refresh_from_db()
    assert issue.status == "sent" and issue.sent_at is not None
    assert Delivery.objects.filter(issue=issue, sent_at__isnull=False).count() == 2000

    # sending again – by the page or directly – sends nothing more
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/newsletter/manage/{issue.number}/send/", {"confirm": "on"})
    assert services.send_issue(issue.pk) == 0
    assert len(mail.outbox) == 2000


def test_a_resumed_send_skips_who_got_it_and_finishes(settings: Any) -> None:
    """A sender stopped half-way (its issue left "sending"): running it again sends only to
    the rest, and a claim a dead sender left behind is taken over once stale."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for n in range(30):
        Subscriber.objects.create(email=f"p{n}@x.example", language="en", status="confirmed")
    issue = make_issue()
    services.start_sending(issue)
    # a first sender got through one batch of 10 …
    claim, more = services._claim(issue, 10)
    assert more
    batch = list(Delivery.objects.filter(claim=claim).select_related("subscriber"))
    rendered = {lang: services.render_issue(issue, lang) for lang in LANGUAGES}
    assert services._send_batch(batch, rendered) == 10
    # … and claimed a second batch before it died
    dead_claim, _more = services._claim(issue, 10)
    assert len(mail.outbox) == 10
    assert services.send_issue(issue.pk, batch_size=7) == 10  # the 10 never claimed
    issue.refresh_from_db()
    assert issue.status == "sending"  # the dead sender's 10 are not yet given up
    stale = timezone.now() - services.STALE_CLAIM * 2
    Delivery.objects.filter(claim=dead_claim).update(claimed_at=stale)
    assert services.send_issue(issue.pk) == 10
    issue.refresh_from_db()
    assert issue.status == "sent"
    recipients = Counter(a for m in mail.outbox for a in m.to)
    assert len(recipients) == 30 and max(recipients.values()) == 1


def test_send_command(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Subscriber.objects.create(email="a@x.example", language="fr", status="confirmed")
    Subscriber.objects.create(email="b@x.example", language="de", status="pending")
    issue = make_issue()
    out = StringIO()
    call_command("newsletter", "send", str(issue.number), stdout=out)
    assert "1 messages sent; status sent" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["a@x.example"]]
    out = StringIO()
    call_command("newsletter", "send", str(issue.number), stdout=out)
    assert "sent already" in out.getvalue()
    assert len(mail.outbox) == 1
    assert Issue.objects.get().status == "sent"
