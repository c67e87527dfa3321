"""The network's path for a new member city, in a real Chromium, three people at once:

an organisation applies online → forum staff approve → its contact accepts the invitation from
the email and sets a password → hides their phone number from the directory → joins a topic
space → asks all member cities a question → a person of another city is notified and answers →
the asker sees the notification and receives it in the daily digest email.
"""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from defus.exchange import services as exchange
from defus.exchange.models import GroupMember, Post, Thread
from defus.members.models import Application
from defus.organisations.models import Membership, Organisation, User
from tests.conftest import PASSWORD, make_person
from tests.support import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Seewalden-Sicherheit-2027!"
QUESTION = "Wer hat Erfahrung mit kommunalen Ordnungspartnerschaften?"


def _login(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def _submit(page: Any, form: str = "main form[method=post]") -> None:
    with page.expect_navigation():
        page.locator(form).last.locator("button[type=submit]").last.click()


def test_new_city_applies_joins_asks_and_hears_back(
    chromium: Any, live_server: Any, settings: Any, forum_staff: Any, org_a: Any
) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFUS_PUBLIC_URL = live_server.url
    base = live_server.url
    colleague = make_person(
        "ordnung@musterstadt.example", org_a, "member", first_name="Jonas", last_name="Weber"
    )
    exchange.create_group(
        forum_staff,
        slug="sichere-raeume",
        name={"de": "Sichere öffentliche Räume", "en": "Safe public spaces"},
    )
    contexts = [chromium.new_context(locale="de-DE") for _ in range(3)]
    visitor, staff, other_city = (context.new_page() for context in contexts)
    try:
        # 1. The city applies online.
        visitor.goto(f"{base}/members/apply/")
        visitor.fill("input[name=organisation_name]", "Seewalden")
        visitor.select_option("select[name=kind]", "city")
        visitor.select_option("select[name=country]", "DE")
        visitor.fill("input[name=population]", "48200")
        visitor.fill("input[name=contact_name]", "Miriam Albrecht")
        visitor.fill("input[name=contact_email]", "m.albrecht@seewalden.example")
        visitor.fill("input[name=contact_function]", "Leiterin Ordnungsamt")
        visitor.fill("textarea[name=message]", "Wir möchten uns dem Forum anschließen.")
        _submit(visitor)
        application = Application.objects.get()
        assert application.organisation_name == "Seewalden"

        # 2. The forum's office approves; the contact is invited by email.
        _login(staff, base, forum_staff.email)
        staff.goto(f"{base}/members/applications/")
        with staff.expect_navigation():
            staff.click("text=Seewalden")
        staff.check("input[name=decision][value=approve]")
        staff.fill("textarea[name=message]", "Herzlich willkommen im Forum!")
        _submit(staff)
        seewalden = Organisation.objects.get(name="Seewalden")
        assert seewalden.is_member
        invitation_mail = next(m for m in mail.outbox if "m.albrecht@seewalden.example" in m.to)
        link = re.search(r"https?://\S+/members/invitation/\S+/", invitation_mail.body)
        assert link is not None, invitation_mail.body

        # 3. The contact accepts the invitation and sets a password.
        visitor.goto(link.group(0))
        check_axe(visitor, "invitation", "network")
        visitor.fill("input[name=first_name]", "Miriam")
        visitor.fill("input[name=last_name]", "Albrecht")
        visitor.fill("input[name=password1]", NEW_PASSWORD)
        visitor.fill("input[name=password2]", NEW_PASSWORD)
        _submit(visitor)
        miriam = User.objects.get(email="m.albrecht@seewalden.example")
        assert Membership.objects.get(user=miriam).organisation == seewalden
        assert miriam.check_password(NEW_PASSWORD)

        # 4. She hides her phone number from the directory (on her profile page).
        visitor.goto(f"{base}/members/me/")
        visitor.fill("input[name=phone]", "+49 6151 4711")
        visitor.check("input[name=phone_visibility][value=nobody]")
        _submit(visitor)
        check_axe(visitor, "profile saved", "network")

        # 5. She joins the topic space and 6. asks all member cities a question.
        visitor.goto(f"{base}/groups/")
        _submit(visitor, "main form:has(input[value=sichere-raeume])")
        assert GroupMember.objects.filter(group__slug="sichere-raeume", user=miriam).exists()
        visitor.goto(f"{base}/groups/questions/new/")
        visitor.fill("input[name=title]", QUESTION)
        visitor.fill("textarea[name=body]", "Wir planen eine Partnerschaft mit der Polizei.")
        _submit(visitor)
        question = Thread.objects.get(title=QUESTION)
        assert question.group is None and question.author == miriam

        # 7. A person of another city sees the question in their notifications and answers.
        _login(other_city, base, colleague.email)
        assert "Benachrichtigungen (1)" in other_city.locator("header").inner_text()
        other_city.goto(f"{base}/members/people/")
        directory = other_city.locator("main").inner_text()
        assert "Miriam Albrecht" in directory
        assert "4711" not in other_city.content()  # hidden: never shown to another city
        other_city.goto(f"{base}/groups/questions/{question.pk}/")
        other_city.fill("textarea[name=body]", "Wir haben seit 2019 eine – gern erzähle ich mehr.")
        _submit(other_city)
        assert Post.objects.filter(thread=question, author=colleague).exists()

        # 8. The asker is notified on the platform …
        visitor.goto(f"{base}/notifications/")
        notifications = visitor.locator("main").inner_text()
        assert "Jonas Weber" in notifications, notifications
        check_axe(visitor, "notifications", "network")
        # … and by the daily digest email, once.
        mail.outbox.clear()
        out = StringIO()
        call_command("exchange", "digest", "--daily", stdout=out)
        digests = [m for m in mail.outbox if m.to == [miriam.email]]
        assert len(digests) == 1
        assert "Jonas Weber" in digests[0].body
        assert "List-Unsubscribe" in digests[0].extra_headers
        mail.outbox.clear()
        call_command("exchange", "digest", "--daily", stdout=StringIO())
        assert [m for m in mail.outbox if m.to == [miriam.email]] == []
        # She herself still sees her phone number; her organisation's admin does as well.
        visitor.goto(f"{base}/members/people/")
        assert "4711" in visitor.content()
    finally:
        for context in contexts:
            context.close()
