"""Every URL of the exchange, enumerated from the resolver: a member of city A who is not in
city B's group by invitation reaches none of its content; the group's member does."""

from __future__ import annotations

from typing import Any

import pytest

from tests import test_url_permissions
from tests.test_url_permissions import all_routes, fill

city_b = test_url_permissions.city_b  # the fixture: city B with a group by invitation

# Routes about the person themselves or open to every member (no object of city B's group
# in the URL): checked only for not showing the group's thread.
OWN_OR_SHARED = {
    "groups/",
    "groups/new/",
    "groups/join/",
    "groups/questions/",
    "groups/questions/new/",
    "groups/moderation/",
    "notifications/",
    "notifications/settings/",
}
# By its token, for the mail program's one-click POST (tests/exchange/test_notifications.py).
TOKEN = "notifications/unsubscribe/<str:unsubscribe_token>/"


def exchange_routes() -> list[str]:
    return [r for r in all_routes() if r.startswith(("groups/", "notifications/"))]


@pytest.mark.django_db
def test_city_a_reaches_nothing_of_city_bs_closed_group(
    client: Any, member_a: Any, city_b: dict[str, str]
) -> None:
    routes = exchange_routes()
    assert len(routes) >= 20, "the exchange's routes were not found"
    client.force_login(member_a)
    for route in routes:
        if route == TOKEN:
            continue
        url = fill(route, city_b)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code != 500, (url, method)
            content = getattr(response, "content", b"")
            assert b"Beispielburg 2026" not in content, url
            if route not in OWN_OR_SHARED:
                assert response.status_code in (403, 404, 405), (
                    url,
                    method,
                    response.status_code,
                )


@pytest.mark.django_db
def test_the_groups_member_reaches_them(client: Any, admin_b: Any, city_b: dict[str, str]) -> None:
    """The counterpart: the same URLs work for the group's member, so the test above can fail."""
    client.force_login(admin_b)
    reached = []
    for route in exchange_routes():
        response = client.get(fill(route, city_b))
        assert response.status_code != 500, route
        if response.status_code == 200:
            reached.append(route)
    for wanted in (
        "groups/<slug:group>/",
        "groups/<slug:group>/threads/<int:thread>/",
        "groups/<slug:group>/documents/<int:shared_document>/",
        "groups/posts/<int:post>/report/",
        "groups/moderation/",
    ):
        assert wanted in reached, wanted
    page = client.get(fill("groups/<slug:group>/threads/<int:thread>/", city_b))
    assert b"Beispielburg 2026 intern" in page.content
