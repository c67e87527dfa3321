"""Two-factor authentication (allauth MFA): a person activates an authenticator app, and from
then on logging in asks for its code."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_activate_totp_and_log_in_with_it(client: Any, admin_a: Any):
    client.post("/en/accounts/login/", {"login": admin_a.email, "password": PASSWORD})
    assert client.get("/en/accounts/2fa/").status_code == 200
    # activating a second factor asks for the password again first
    assert client.get("/en/accounts/2fa/totp/activate/").status_code == 302
    client.post("/en/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/en/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/en/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert admin_a.authenticator_set.filter(type="totp").exists()

    client.logout()
    response = client.post(
        "/en/accounts/login/", {"login": admin_a.email, "password": PASSWORD}, follow=True
    )
    assert "/accounts/2fa/authenticate/" in response.redirect_chain[-1][0]
    assert client.get("/en/dashboard/").status_code == 302  # not logged in yet
    response = client.post("/en/accounts/2fa/authenticate/", {"code": "000000"})
    assert client.get("/en/dashboard/").status_code == 302  # a wrong code does not let in
    client.post("/en/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert client.get("/en/dashboard/").status_code == 200
