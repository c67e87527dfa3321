"""The staff's newsletter pages: refused to members (403) and anonymous visitors (login)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_url_permissions import all_routes, fill

from .support import make_issue

pytestmark = pytest.mark.django_db


def test_every_manage_route_needs_forum_staff(client: Any, member_a: Any, forum_staff: Any) -> None:
    make_issue(number=1)
    values = {"issue": "1", "language": "fr"}
    routes = [r for r in all_routes() if r.startswith("newsletter/manage/")]
    assert len(routes) >= 6
    for route in routes:
        response = client.get(fill(route, values))
        assert response.status_code in (302, 405), route
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]
    client.force_login(member_a)
    for route in routes:
        assert client.get(fill(route, values)).status_code in (403, 405), route
        assert client.post(fill(route, values)).status_code == 403, route
    client.force_login(forum_staff)
    reached = sum(client.get(fill(route, values)).status_code == 200 for route in routes)
    assert reached >= 4
