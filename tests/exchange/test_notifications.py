"""Notifications: the list, the header tag, settings, the email digest and unsubscribing."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.core import mail
from django.template import Context, Template
from django.utils import timezone

from defus.exchange import services
from defus.exchange.digest import send_digests
from defus.exchange.models import Notification, NotificationSettings
from tests.conftest import make_person
from tests.support import run_defus

pytestmark = pytest.mark.django_db


def question(asker: Any, title: str = "Wer hat Erfahrung mit Waffenverbotszonen?") -> Any:
    return services.ask_peers(asker, title, "Bitte melden.")


def test_list_mark_read_and_header_tag(client: Any, member_a: Any, admin_b: Any) -> None:
    question(member_a)
    question(member_a, "Zweite Frage")
    tag = Template("{% load exchange_tags %}{% unread_notifications %}")
    assert "Benachrichtigungen (2)" in tag.render(Context({"user": admin_b}))
    assert tag.render(Context({"user": member_a})).count("(0)") == 1
    client.force_login(admin_b)
    page = html.unescape(client.get("/notifications/").content.decode())
    assert "Neue Frage an alle von Thomas" not in page  # member_a has no name: email shown
    assert "Neue Frage an alle von member@musterstadt.example (Musterstadt)" in page
    first = Notification.objects.filter(user=admin_b).order_by("pk").first()
    assert first is not None
    response = client.post(f"/notifications/{first.pk}/read/", {"open": "1"})
    assert response["Location"] == first.url
    assert services.unread_count(admin_b) == 1
    assert client.get(f"/notifications/{first.pk}/read/").status_code == 405
    # somebody else's notification is not found
    client.force_login(member_a)
    assert client.post(f"/notifications/{first.pk}/read/").status_code == 404
    client.force_login(admin_b)
    client.post("/notifications/")
    assert services.unread_count(admin_b) == 0
    french = html.unescape(client.get("/fr/notifications/").content.decode())
    assert "Nouvelle question aux pairs de member@musterstadt.example (Musterstadt)" in french


def test_settings_page(client: Any, member_a: Any) -> None:
    client.force_login(member_a)
    page = client.get("/notifications/settings/").content.decode()
    assert re.search(r'<input type="radio" name="digest" value="daily"[^>]* checked', page)
    assert not re.search(r'value="weekly"[^>]* checked', page)
    response = client.post("/notifications/settings/", {"digest": "sometimes"})
    assert response.status_code == 200
    assert "Bitte prüfen Sie Ihre Angaben" in html.unescape(response.content.decode())
    client.post("/notifications/settings/", {"digest": "weekly"})
    assert NotificationSettings.objects.get(user=member_a).digest == "weekly"


def test_daily_digest_once_weekly_and_never_left_out(
    member_a: Any, admin_b: Any, org_b: Any
) -> None:
    weekly = make_person("weekly@beispielburg.example", org_b, "member")
    never = make_person("never@beispielburg.example", org_b, "member", preferred_language="fr")
    services.set_digest(weekly, "weekly")
    services.set_digest(never, "never")
    admin_b.preferred_language = "fr"
    admin_b.first_name, admin_b.last_name = "Claudia", "Neumann"
    admin_b.save()
    question(member_a)
    question(member_a, "Und Alkoholverbote?")
    assert Notification.objects.count() == 6

    assert send_digests("daily") == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [admin_b.email]
    assert message.subject == "DEFUS : 2 nouvelles notifications"  # her language
    assert "Bonjour Claudia Neumann," in message.body
    assert "« Und Alkoholverbote? »" in message.body
    html_part, kind = message.alternatives[0]  # type: ignore[attr-defined]
    assert kind == "text/html" and "Waffenverbotszonen" in html_part
    token = NotificationSettings.objects.get(user=admin_b).unsubscribe_token
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<http://127.0.0.1:8000/fr/notifications/unsubscribe/{token}/>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.filter(user=admin_b, emailed_at__isnull=True).count() == 0

    assert send_digests("daily") == 0  # never twice
    assert len(mail.outbox) == 1
    assert send_digests("weekly") == 1
    assert mail.outbox[1].to == [weekly.email]
    assert send_digests("weekly") == 0
    # "never" gets no email, their notifications stay on the page
    assert Notification.objects.filter(user=never, emailed_at__isnull=True).count() == 2


def test_digest_leaves_read_and_later_notifications(member_a: Any, admin_b: Any) -> None:
    question(member_a)
    services.mark_read(admin_b)
    assert send_digests("daily") == 0
    question(member_a, "Später")
    earlier = timezone.now() - datetime.timedelta(hours=1)
    assert send_digests("daily", now=earlier) == 0
    assert send_digests("daily") == 1


def test_unsubscribe_get_confirms_post_unsubscribes(client: Any, admin_b: Any) -> None:
    token = services.settings_for(admin_b).unsubscribe_token
    page = client.get(f"/notifications/unsubscribe/{token}/")
    assert page.status_code == 200
    assert "E-Mail-Zusammenfassung abbestellen" in html.unescape(page.content.decode())
    assert NotificationSettings.objects.get(user=admin_b).digest == "daily"  # GET changes nothing
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 200
    assert NotificationSettings.objects.get(user=admin_b).digest == "never"
    assert client.get("/notifications/unsubscribe/not-a-token/").status_code == 404


def test_one_click_unsubscribe_without_csrf_token(admin_b: Any) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    token = services.settings_for(admin_b).unsubscribe_token
    response = strict.post(
        f"/notifications/unsubscribe/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert NotificationSettings.objects.get(user=admin_b).digest == "never"
    # other forms keep their CSRF protection
    strict.force_login(admin_b)
    assert strict.post("/notifications/settings/", {"digest": "daily"}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_command_line(member_a: Any, admin_b: Any) -> None:
    from defus.exchange.demo import build_exchange_demo

    question(member_a, "Wer kennt Kommunale Ordnungsdienste?")
    result = run_defus("exchange", "notifications", admin_b.email)
    assert result.returncode == 0, result.stderr
    assert "Wer kennt Kommunale Ordnungsdienste?" in result.stdout
    assert "unread: 1" in result.stdout
    result = run_defus("exchange", "digest", "--daily")
    assert result.returncode == 0, result.stderr
    assert "daily digests sent: 1" in result.stdout
    assert Notification.objects.get(user=admin_b).emailed_at is not None
    build_exchange_demo()
    result = run_defus("exchange", "groups")
    assert "sichere-oeffentliche-raeume" in result.stdout
    assert "questions to peers: 2" in result.stdout
    assert run_defus("exchange", "notifications", "nobody@example.org").returncode != 0
