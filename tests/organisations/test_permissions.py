import pytest

from defus.organisations.permissions import (
    PERMISSIONS,
    ROLE_PERMISSIONS,
    has_permission,
    organisations_for,
)

pytestmark = pytest.mark.django_db


def test_roles_are_scoped_to_their_organisation(admin_a, analyst_a, member_a, org_a, org_b):
    assert has_permission(admin_a, org_a, "sample.manage")
    assert not has_permission(admin_a, org_b, "wave.view")
    assert has_permission(analyst_a, org_a, "responses.export")
    assert not has_permission(analyst_a, org_a, "sample.manage")
    assert not has_permission(member_a, org_a, "wave.view")
    assert list(organisations_for(admin_a, "wave.view")) == [org_a]


def test_forum_staff_hold_every_permission(forum_staff, org_a, org_b):
    for organisation in (org_a, org_b):
        for permission in PERMISSIONS:
            assert has_permission(forum_staff, organisation, permission)


def test_every_role_permission_is_declared():
    for permissions in ROLE_PERMISSIONS.values():
        assert permissions <= set(PERMISSIONS)


def test_unknown_permission_is_a_programming_error(admin_a, org_a):
    with pytest.raises(ValueError):
        has_permission(admin_a, org_a, "wave.destroy")


def test_login_with_email(client, admin_a):
    from tests.conftest import PASSWORD

    response = client.post(
        "/accounts/login/", {"login": "ADMIN@musterstadt.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
