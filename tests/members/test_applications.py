"""Membership applications: the public form, the forum staff's decision, the emails."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from defus.members.models import Application, Invitation, MembershipChange
from defus.organisations.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db
GOOD = {
    "organisation_name": "Stadt Seewalden",
    "kind": "city",
    "country": "FR",
    "population": "67400",
    "website": "https://www.seewalden.example",
    "contact_name": "Camille Martin",
    "contact_email": "camille@seewalden.example",
    "contact_function": "Directrice de la prévention",
    "message": "Nous souhaitons échanger avec d'autres villes.",
}


@pytest.fixture(autouse=True)
def sync_mail(settings: Any) -> None:
    settings.DEFUS_BACKGROUND_SYNC = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFUS_PUBLIC_URL = "https://defus.example"


def test_bad_input_keeps_values_and_shows_errors(client: Any) -> None:
    bad = {**GOOD, "contact_email": "not-an-address", "population": "-5", "website": "no url"}
    response = client.post("/members/apply/", bad)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="errorlist"') >= 3
    assert "Bitte überprüfen Sie Ihre Eingaben" in page or "error-summary" in page
    assert 'value="Stadt Seewalden"' in page and "Camille Martin" in page
    assert "d&#x27;autres villes" in page  # the message is kept too
    assert not Application.objects.exists()
    empty = client.post("/members/apply/", {})
    assert empty.status_code == 200 and not Application.objects.exists()


def _apply_in_french(client: Any) -> Application:
    response = client.post("/fr/members/apply/", GOOD)
    assert response.status_code == 200
    assert "camille@seewalden.example" in response.content.decode()
    application = Application.objects.get()
    assert application.language == "fr"
    return application


def test_staff_approve_creates_member_invitation_and_email(
    client: Any, forum_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    application = _apply_in_french(client)
    client.force_login(forum_staff)
    assert "Stadt Seewalden" in client.get("/members/applications/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/members/applications/{application.pk}/", {"decision": "approve", "message": ""}
        )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Stadt Seewalden")
    assert organisation.slug == "stadt-seewalden"
    assert organisation.is_member and organisation.membership_status == "member"
    assert organisation.member_since == timezone.localdate()
    assert (organisation.country, organisation.population) == ("FR", 67400)
    change = MembershipChange.objects.get(organisation=organisation)
    assert (change.status, change.by) == ("member", forum_staff)
    application.refresh_from_db()
    assert (application.status, application.reviewed_by) == ("approved", forum_staff)
    assert application.reviewed_at is not None
    invitation = Invitation.objects.get(organisation=organisation)
    assert (invitation.email, invitation.role) == ("camille@seewalden.example", "admin")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille@seewalden.example"]
    assert "Bienvenue" in message.subject  # French, as applied
    link = re.search(r"https://defus\.example(\S+/members/invitation/[\w-]+/)", message.body)
    assert link and invitation.token in link.group(1)
    # deciding twice is refused with a message
    again = client.post(
        f"/members/applications/{application.pk}/", {"decision": "reject", "message": "x"}
    )
    assert again.status_code == 200
    assert Application.objects.get().status == "approved"

    # the contact accepts: an admin and the organisation's main contact
    client.logout()
    password = "Seewalden-Praevention-77"
    client.post(
        link.group(1),
        {
            "first_name": "Camille",
            "last_name": "Martin",
            "password1": password,
            "password2": password,
        },
    )
    user = User.objects.get(email="camille@seewalden.example")
    assert Membership.objects.get(user=user, organisation=organisation).role == "admin"
    organisation.refresh_from_db()
    assert organisation.main_contact == user


def test_reject_sends_the_message(
    client: Any, forum_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    application = _apply_in_french(client)
    client.force_login(forum_staff)
    without = client.post(
        f"/members/applications/{application.pk}/", {"decision": "reject", "message": ""}
    )
    assert without.status_code == 200 and 'class="errorlist"' in without.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/members/applications/{application.pk}/",
            {"decision": "reject", "message": "Seewalden liegt außerhalb unseres Statuts."},
        )
    application.refresh_from_db()
    assert (application.status, application.reviewed_by) == ("rejected", forum_staff)
    assert not Organisation.objects.filter(name="Stadt Seewalden").exists()
    assert len(mail.outbox) == 1
    assert "Seewalden liegt außerhalb unseres Statuts." in mail.outbox[0].body
    assert "Votre demande d’adhésion" in mail.outbox[0].subject


def test_only_forum_staff_review(client: Any, admin_a: Any) -> None:
    application = Application.objects.create(**{**GOOD, "population": 1})
    for url in ("/members/applications/", f"/members/applications/{application.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(admin_a)  # a city's admin is not the forum's staff
    for url in ("/members/applications/", f"/members/applications/{application.pk}/"):
        assert client.get(url).status_code == 403
    assert (
        client.post(f"/members/applications/{application.pk}/", {"decision": "approve"}).status_code
        == 403
    )
    assert Application.objects.get().status == "submitted"


def test_command_lists_approves_and_rejects(
    forum_staff: Any, admin_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = Application.objects.create(**{**GOOD, "population": 1})
    second = Application.objects.create(
        **{**GOOD, "organisation_name": "Zweitstadt", "population": 1}
    )
    out = StringIO()
    call_command("members", "applications", stdout=out)
    assert "Stadt Seewalden" in out.getvalue() and "Zweitstadt" in out.getvalue()
    with pytest.raises(Exception, match="not forum staff"):
        call_command("members", "approve", str(first.pk), "--by", admin_a.email)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("members", "approve", str(first.pk), "--by", forum_staff.email, stdout=out)
        call_command(
            "members",
            "reject",
            str(second.pk),
            "--by",
            forum_staff.email,
            "--message",
            "Nein.",
            stdout=out,
        )
    assert Organisation.objects.filter(name="Stadt Seewalden", is_member=True).exists()
    assert Application.objects.get(pk=second.pk).status == "rejected"
    assert len(mail.outbox) == 2
    listing = StringIO()
    call_command("members", "list", stdout=listing)
    assert "stadt-seewalden" in listing.getvalue()


def test_members_demo_is_idempotent() -> None:
    from defus.members.demo import build_members_demo

    first = build_members_demo()
    assert first["organisations"] >= 12 and first["applications"] == 1
    assert first["people"] >= 4
    assert build_members_demo() == {"organisations": 0, "people": 0, "applications": 0}
    members = Organisation.objects.filter(is_member=True)
    assert members.count() == len(set(members.values_list("country", flat=True))) + 7
    assert not members.filter(latitude__isnull=True).exists()
    assert set(members.values_list("country", flat=True)) == {"DE", "AT", "FR", "BE", "ES", "IT"}
    assert MembershipChange.objects.count() == members.count()  # one history row each
    assert Application.objects.filter(status="submitted").count() == 1
