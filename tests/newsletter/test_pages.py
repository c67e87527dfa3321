"""Subscribing with double opt-in, one-click unsubscribing (RFC 8058, without CSRF token),
bounces from the command line and by upload, the staff's compose page and previews in three
languages with news, events and projects, and the public archive."""

from __future__ import annotations

import datetime
import html
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from wagtail.models import Locale

from defus.info.demo import build_info_site
from defus.info.models import NewsPage
from defus.newsletter.models import Issue, IssueItem, Subscriber
from defus.newsletter.services import render_issue
from tests.events.support import make_event
from tests.projects.support import make_project

from .support import make_issue, make_subscriber

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _link(body: str) -> str:
    found = re.search(r"https?://[^\s]+/newsletter/confirm/[^\s]+/", body)
    assert found, body
    return "/" + found.group(0).split("/", 3)[3]


def test_double_opt_in(client: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True
    page = client.get("/en/newsletter/subscribe/")
    assert page.status_code == 200
    # bad input: a clear message, the address kept
    response = client.post("/newsletter/subscribe/", {"email": "not-an-address", "language": "fr"})
    assert response.status_code == 200
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an" in text(response)
    assert 'value="not-an-address"' in text(response)
    assert not Subscriber.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/newsletter/subscribe/", {"email": "Lea@Example.org", "language": "fr"}
        )
    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status, subscriber.language) == (
        "lea@example.org",
        "pending",
        "fr",
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Veuillez confirmer votre abonnement à la lettre d’information DEFUS"
    link = _link(message.body)
    assert link.startswith("/fr/newsletter/confirm/")
    # opening the link (or a mail scanner fetching it) confirms nothing by itself
    assert client.get(link).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"
    assert client.post(link).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed" and subscriber.confirmed_at is not None
    # the link is used up
    assert client.post(link).status_code == 404

    # subscribing a confirmed address again sends nothing and changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/newsletter/subscribe/", {"email": "lea@example.org", "language": "de"})
    assert len(mail.outbox) == 1


def test_member_finds_email_prefilled(client: Any, member_a: Any) -> None:
    member_a.preferred_language = "en"
    member_a.save()
    client.force_login(member_a)
    page = text(client.get("/newsletter/subscribe/"))
    assert 'value="member@musterstadt.example"' in page
    assert re.search(r'value="en"[^>]*checked', page)


def test_one_click_unsubscribe_without_csrf_and_new_confirmation_to_return(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True
    subscriber = make_subscriber("ben@example.org", "en")
    strict = Client(enforce_csrf_checks=True)
    url = f"/newsletter/unsubscribe/{subscriber.unsubscribe_token}/"
    assert "Stop sending" in text(strict.get("/en" + url))
    response = strict.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed" and subscriber.unsubscribed_at is not None
    assert strict.post("/newsletter/unsubscribe/wrong-token/").status_code == 404
    # other POSTs of the site still need the CSRF token
    assert (
        strict.post("/newsletter/subscribe/", {"email": "x@y.org", "language": "de"}).status_code
        == 403
    )

    # coming back needs a new confirmation
    with django_capture_on_commit_callbacks(execute=True):
        strict.get("/newsletter/subscribe/")
        token = strict.cookies["csrftoken"].value
        strict.post(
            "/newsletter/subscribe/",
            {"email": "ben@example.org", "language": "en", "csrfmiddlewaretoken": token},
        )
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"
    assert len(mail.outbox) == 1 and "confirm" in mail.outbox[0].subject


def test_bounces_by_command_and_upload(
    client: Any, forum_staff: Any, tmp_path: Path, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for n in range(4):
        make_subscriber(f"s{n}@example.org")
    out, err = StringIO(), StringIO()
    call_command(
        "newsletter", "bounce", "S0@example.org", "nobody@example.org", stdout=out, stderr=err
    )
    assert "1 marked as bounced" in out.getvalue()
    assert "nobody@example.org" in err.getvalue()
    bounce_file = tmp_path / "bounces.txt"
    bounce_file.write_text(
        "# from the mail server\ns1@example.org 550 no such user\n\n", encoding="utf-8"
    )
    call_command("newsletter", "bounces", str(bounce_file), stdout=StringIO(), stderr=StringIO())
    client.force_login(forum_staff)
    response = client.post(
        "/newsletter/manage/bounces/",
        {"file": SimpleUploadedFile("b.txt", b"s2@example.org\n")},
    )
    assert response.status_code == 302
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses == {
        "s0@example.org": "bounced",
        "s1@example.org": "bounced",
        "s2@example.org": "bounced",
        "s3@example.org": "confirmed",
    }
    assert Subscriber.objects.get(email="s0@example.org").bounce_count == 1
    # a bounced address is never written to: not by an issue, not by a new subscription
    call_command("newsletter", "send", str(make_issue().number), stdout=StringIO())
    assert [m.to for m in mail.outbox] == [["s3@example.org"]]
    client.logout()
    client.post("/newsletter/subscribe/", {"email": "s0@example.org", "language": "de"})
    assert Subscriber.objects.get(email="s0@example.org").status == "bounced"
    out = StringIO()
    call_command("newsletter", "subscribers", stdout=out)
    assert "bounced\t3\t0\t0\t3" in out.getvalue()
    assert "confirmed\t1\t0\t0\t1" in out.getvalue()


@pytest.fixture
def content(db: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    with django_capture_on_commit_callbacks(execute=True):
        build_info_site()
    news = NewsPage.objects.filter(locale__language_code="de").order_by("-date").first()
    assert news is not None
    news.date = datetime.date.today()
    news.save_revision().publish()
    return {"news": news, "event": make_event("tagung"), "project": make_project()}


def test_compose_and_preview_in_three_languages(
    client: Any, forum_staff: Any, member_a: Any, content: dict[str, Any]
) -> None:
    client.force_login(member_a)
    for url in ("/newsletter/manage/", "/newsletter/manage/new/"):
        assert client.get(url).status_code == 403
    client.force_login(forum_staff)
    page = text(client.get("/newsletter/manage/new/"))
    assert content["news"].title in page and "Seminar tagung" in page and "Sichere Plätze" in page
    # without a German subject: error, texts kept
    response = client.post("/newsletter/manage/new/", {"subject_en": "Only English"})
    assert response.status_code == 200 and "Only English" in text(response)
    assert not Issue.objects.exists()
    response = client.post(
        "/newsletter/manage/new/",
        {
            "subject_de": "Ausgabe Mai",
            "subject_en": "May issue",
            "subject_fr": "Numéro de mai",
            "editorial_de": "Hallo",
            "editorial_fr": "Bonjour",
            "news": [content["news"].pk],
            "events": [content["event"].pk],
            "projects": [content["project"].pk],
        },
    )
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert issue.number == 1
    assert list(issue.items.values_list("kind", flat=True)) == ["news", "event", "project"]
    english_news = content["news"].get_translation(Locale.objects.get(language_code="en"))
    french_news = content["news"].get_translation(Locale.objects.get(language_code="fr"))
    expected = {
        "de": (
            "Ausgabe Mai",
            content["news"].title,
            "Seminar tagung",
            "Sichere Plätze",
            "Hallo",
            "Kommende Veranstaltungen",
        ),
        "en": (
            "May issue",
            english_news.title,
            "Seminar tagung (en)",
            "Safe squares",
            "Hallo",
            "Upcoming events",
        ),
        "fr": (
            "Numéro de mai",
            french_news.title,
            "Séminaire tagung",
            "Places sûres",
            "Bonjour",
            "Prochains événements",
        ),
    }
    for language, words in expected.items():
        response = client.get(f"/newsletter/manage/1/preview/{language}/")
        assert response.status_code == 200
        page = text(response)
        for word in words:
            assert word in page, (language, word)
        assert f'lang="{language}"' in page
    assert client.get("/newsletter/manage/1/preview/it/").status_code == 404
    # the text version the subscribers get, from the command line
    out = StringIO()
    call_command("newsletter", "preview", "1", "--language", "fr", stdout=out)
    assert "Subject: Numéro de mai" in out.getvalue() and french_news.title in out.getvalue()
    assert "/fr/" in render_issue(issue, "fr").text


def test_archive_shows_sent_issues_in_the_visitors_language(client: Any) -> None:
    make_issue(number=3, status="sent", sent_at=datetime.datetime.now(datetime.UTC))
    make_issue(number=4)  # a draft: not in the archive
    page = text(client.get("/en/newsletter/"))
    assert "DEFUS newsletter number 7" in page
    assert text(client.get("/fr/newsletter/3/")).count("Lettre d'information DEFUS numéro 7") >= 1
    assert client.get("/newsletter/4/").status_code == 404
    assert IssueItem.objects.count() == 0


def test_demo_is_idempotent() -> None:
    from defus.newsletter.demo import build_newsletter_demo

    issue = build_newsletter_demo()
    assert issue.status == "sent"
    assert set(Subscriber.objects.values_list("language", flat=True)) == {"de", "en", "fr"}
    build_newsletter_demo()
    assert Issue.objects.count() == 1 and Subscriber.objects.count() == 6
