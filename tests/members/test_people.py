"""An organisation's admin manages its people: invitations by email (accepted with a new
account or an existing one), roles, removal; and nobody manages another organisation."""

from __future__ import annotations

import datetime
import re
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from defus.members.models import Invitation
from defus.organisations.models import Membership, User
from tests.conftest import PASSWORD, make_person

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Rathaus-Sicherheit-2026!"


@pytest.fixture(autouse=True)
def sync_mail(settings: Any) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFUS_PUBLIC_URL = "https://defus.example"


def _link(message: Any) -> str:
    found = re.search(
        r"https://defus\.example(/\S*/members/invitation/[\w-]+/|/members/invitation/[\w-]+/)",
        message.body,
    )
    assert found, message.body
    return found.group(1)


def test_invitation_email_link_creates_account_and_membership(
    client: Any, admin_a: Any, org_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/o/musterstadt/people/",
            {
                "email": "Neu@Musterstadt.example",
                "role": "analyst",
                "position": "Statistikstelle",
                "language": "fr",
            },
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["neu@musterstadt.example"]
    assert "Invitation au DEFUS pour Musterstadt" in message.subject  # the chosen language
    link = _link(message)
    assert link.startswith("/fr/members/invitation/")
    client.logout()

    page = client.get(link)
    assert page.status_code == 200
    assert "neu@musterstadt.example" in page.content.decode()
    # a password the validators refuse: message, nothing created, the name kept
    refused = client.post(
        link,
        {
            "first_name": "Nora",
            "last_name": "Neu",
            "password1": "12345678",
            "password2": "12345678",
        },
    )
    assert refused.status_code == 200
    assert 'class="errorlist"' in refused.content.decode()
    assert 'value="Nora"' in refused.content.decode()
    assert not User.objects.filter(email="neu@musterstadt.example").exists()

    accepted = client.post(
        link,
        {
            "first_name": "Nora",
            "last_name": "Neu",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert accepted.status_code == 302 and "/members/me/" in accepted["Location"]
    user = User.objects.get(email="neu@musterstadt.example")
    assert user.check_password(NEW_PASSWORD)
    assert user.preferred_language == "fr"
    membership = Membership.objects.get(user=user, organisation=org_a)
    assert (membership.role, membership.position) == ("analyst", "Statistikstelle")
    assert client.get("/members/me/").status_code == 200  # logged in
    # used: a clear message, no second account, no 500
    client.logout()
    again = client.get(link)
    assert again.status_code == 200
    assert "bereits angenommen" in again.content.decode() or "déjà" in again.content.decode()


def test_existing_account_logs_in_and_accepts(
    client: Any, admin_a: Any, org_a: Any, org_b: Any
) -> None:
    person = make_person("claudia@beispielburg.example", org_b, "member")
    client.force_login(admin_a)
    client.post(
        "/o/musterstadt/people/",
        {"email": person.email, "role": "member", "position": "", "language": "de"},
    )
    invitation = Invitation.objects.get(email=person.email)
    url = f"/members/invitation/{invitation.token}/"
    client.logout()
    page = client.get(url).content.decode()
    assert "/accounts/login/?next=" in page
    client.force_login(admin_a)  # the wrong person
    assert "admin@musterstadt.example" in client.get(url).content.decode()
    assert client.post(url).status_code == 200
    assert not Membership.objects.filter(user=person, organisation=org_a).exists()
    client.force_login(person)
    assert client.post(url).status_code == 302
    assert Membership.objects.filter(user=person, organisation=org_a, role="member").exists()


def test_expired_withdrawn_and_unknown_links_say_so(client: Any, admin_a: Any, org_a: Any) -> None:
    expired = Invitation.objects.create(
        organisation=org_a,
        email="late@example.org",
        expires=timezone.now() - datetime.timedelta(minutes=1),
    )
    page = client.get(f"/members/invitation/{expired.token}/")
    assert page.status_code == 200
    assert "abgelaufen" in page.content.decode()
    assert (
        client.post(
            f"/members/invitation/{expired.token}/",
            {
                "first_name": "L",
                "last_name": "L",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        ).status_code
        == 200
    )
    assert not User.objects.filter(email="late@example.org").exists()

    # the admin resends it: valid again; then withdraws it
    client.force_login(admin_a)
    client.post(f"/o/musterstadt/people/invitations/{expired.pk}/", {"action": "resend"})
    expired.refresh_from_db()
    assert expired.expires > timezone.now() + datetime.timedelta(days=13)
    client.post(f"/o/musterstadt/people/invitations/{expired.pk}/", {"action": "withdraw"})
    client.logout()
    assert "zurückgezogen" in client.get(f"/members/invitation/{expired.token}/").content.decode()

    unknown = client.get("/members/invitation/not-a-token/")
    assert unknown.status_code == 404
    assert "ungültig" in unknown.content.decode()


def test_admin_of_city_a_cannot_manage_city_b(
    client: Any, admin_a: Any, admin_b: Any, org_b: Any
) -> None:
    invitation = Invitation.objects.create(organisation=org_b, email="x@beispielburg.example")
    membership = Membership.objects.get(user=admin_b)
    client.force_login(admin_a)
    assert client.get("/o/beispielburg/people/").status_code == 404
    assert (
        client.post(
            "/o/beispielburg/people/", {"email": "spy@example.org", "role": "admin"}
        ).status_code
        == 404
    )
    assert (
        client.post(f"/o/beispielburg/people/{membership.pk}/", {"action": "remove"}).status_code
        == 404
    )
    # city B's row through city A's address: not found either
    assert (
        client.post(f"/o/musterstadt/people/{membership.pk}/", {"action": "remove"}).status_code
        == 404
    )
    assert (
        client.post(
            f"/o/musterstadt/people/invitations/{invitation.pk}/", {"action": "withdraw"}
        ).status_code
        == 404
    )
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert Invitation.objects.get(pk=invitation.pk).withdrawn_at is None
    assert not Invitation.objects.filter(email="spy@example.org").exists()


def test_non_admin_member_gets_403(client: Any, member_a: Any) -> None:
    client.force_login(member_a)
    assert client.get("/o/musterstadt/people/").status_code == 403
    assert (
        client.post("/o/musterstadt/people/", {"email": "a@b.example", "role": "admin"}).status_code
        == 403
    )


def test_last_admin_stays_and_roles_change(client: Any, admin_a: Any, member_a: Any) -> None:
    client.force_login(admin_a)
    own = Membership.objects.get(user=admin_a)
    response = client.post(f"/o/musterstadt/people/{own.pk}/", {"action": "remove"}, follow=True)
    assert "einzige Admin-Person" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()
    response = client.post(
        f"/o/musterstadt/people/{own.pk}/",
        {"action": "role", f"m{own.pk}-role": "member", f"m{own.pk}-position": ""},
        follow=True,
    )
    assert "einzige Admin-Person" in response.content.decode()
    assert Membership.objects.get(pk=own.pk).role == "admin"

    colleague = Membership.objects.get(user=member_a)
    client.post(
        f"/o/musterstadt/people/{colleague.pk}/",
        {"action": "role", f"m{colleague.pk}-role": "admin", f"m{colleague.pk}-position": "Vize"},
    )
    colleague.refresh_from_db()
    assert (colleague.role, colleague.position) == ("admin", "Vize")
    # now two admins: one may go
    client.post(f"/o/musterstadt/people/{own.pk}/", {"action": "remove"})
    assert not Membership.objects.filter(pk=own.pk).exists()
    assert User.objects.filter(pk=admin_a.pk).exists()  # the account stays


def test_command_invites(org_a: Any, admin_a: Any, django_capture_on_commit_callbacks: Any) -> None:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "members",
            "invite",
            "musterstadt",
            "cli@musterstadt.example",
            "--role",
            "member",
            "--position",
            "Jugendamt",
            "--by",
            admin_a.email,
            stdout=out,
        )
    assert "invited cli@musterstadt.example" in out.getvalue()
    invitation = Invitation.objects.get(email="cli@musterstadt.example")
    assert (invitation.role, invitation.position, invitation.invited_by) == (
        "member",
        "Jugendamt",
        admin_a,
    )
    assert len(mail.outbox) == 1  # the command waits for its email
    assert PASSWORD not in mail.outbox[0].body
