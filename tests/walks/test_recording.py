"""Recording a walk over HTTP: one stop per submit without JavaScript, JSON for the page's
script, idempotent retries by client_key, issues, bad input, finishing, permissions."""

from __future__ import annotations

import html
import uuid
from typing import Any

import pytest

from defus.walks.models import CHECKLIST_KEYS, Stop, StopIssue
from defus.walks.services import recording
from tests.walks.support import centre, make_walk, walk_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
JSON = {"HTTP_ACCEPT": "application/json"}


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def stop_data(stop: Stop | None = None, **extra: Any) -> dict[str, Any]:
    data = {
        "stop": str(stop.pk) if stop else "",
        "client_key": "",
        "name": stop.name if stop else "Neuer Halt",
        "latitude": "",
        "longitude": "",
        "feeling": "2",
        "notes": "Dunkle Ecke hinter dem Kiosk",
        **{f"c_{key}": "" for key in CHECKLIST_KEYS},
        "c_lighting": "0",
        "c_openness": "2",
    }
    data.update(extra)
    return data


def issue(index: int, key: str, **extra: Any) -> dict[str, str]:
    values = {
        "category": "lighting",
        "severity": "3",
        "description": "Laterne defekt",
        "action": "Laterne reparieren",
        "department": "Tiefbauamt",
        **extra,
    }
    return {f"issue-{index}-key": key, **{f"issue-{index}-{k}": v for k, v in values.items()}}


def test_recording_a_planned_stop_without_javascript(client: Any, admin_a: Any, org_a: Any):
    walk = make_walk(org_a)
    stop = walk.stops.first()
    client.force_login(admin_a)
    page = text(client.get(walk_url(walk, "walk_record")))
    assert page.count('class="stop-form"') == 4  # three stops and the template for new ones
    assert "Faces and number plates in photos are the city's responsibility" in page
    data = stop_data(stop, **issue(0, str(uuid.uuid4())))
    response = client.post(walk_url(walk, "walk_record"), data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#stop-s{stop.pk}")
    stop.refresh_from_db()
    assert stop.checklist["lighting"] == 0 and stop.checklist["openness"] == 2
    assert stop.checklist["signage"] is None and set(stop.checklist) == set(CHECKLIST_KEYS)
    assert stop.feeling == 2 and stop.recorded is not None
    assert stop.issues.get().department == "Tiefbauamt"
    # the same form submitted twice (a double tap): still one stop, one issue
    client.post(walk_url(walk, "walk_record"), data)
    assert walk.stops.count() == 3 and StopIssue.objects.count() == 1
    follow = text(client.get(walk_url(walk, "walk_record")))
    assert "Laterne reparieren" in follow and "Remove this issue" in follow


def test_retries_with_the_same_client_key_store_once(client: Any, admin_a: Any, org_a: Any):
    walk = make_walk(org_a, stops=1)
    planned = walk.stops.get()
    client.force_login(admin_a)
    stop_key, issue_key = str(uuid.uuid4()), str(uuid.uuid4())
    latitude, longitude = centre(1)
    new = stop_data(
        None,
        client_key=stop_key,
        latitude=str(latitude),
        longitude=str(longitude),
        **issue(0, issue_key),
    )
    first = client.post(walk_url(walk, "walk_record"), new, **JSON)
    assert first.status_code == 200
    body = first.json()
    assert body["ok"] and body["created"] and body["stop"]["client_key"] == stop_key
    again = client.post(walk_url(walk, "walk_record"), {**new, "notes": "geändert"}, **JSON)
    assert again.json()["created"] is False and again.json()["stop"]["id"] == body["stop"]["id"]
    assert walk.stops.count() == 2
    added = Stop.objects.get(client_key=stop_key)
    assert added.position == 2 and added.notes == "geändert"
    assert StopIssue.objects.filter(stop=added).count() == 1

    # A planned stop takes the phone's key; a retry by key alone finds it.
    planned_key = str(uuid.uuid4())
    client.post(walk_url(walk, "walk_record"), stop_data(planned, client_key=planned_key), **JSON)
    client.post(
        walk_url(walk, "walk_record"),
        stop_data(None, client_key=planned_key, name="Halt 1"),
        **JSON,
    )
    planned.refresh_from_db()
    assert str(planned.client_key) == planned_key and walk.stops.count() == 2

    # A second issue with its own key, then the first removed.
    second_key = str(uuid.uuid4())
    client.post(
        walk_url(walk, "walk_record"),
        {**new, **issue(0, issue_key), **issue(1, second_key, category="visibility")},
        **JSON,
    )
    assert StopIssue.objects.filter(stop=added).count() == 2
    client.post(
        walk_url(walk, "walk_record"),
        {**new, **issue(0, issue_key, remove="1"), **issue(1, second_key, category="visibility")},
        **JSON,
    )
    assert list(StopIssue.objects.filter(stop=added).values_list("category", flat=True)) == [
        "visibility"
    ]


def test_the_database_keeps_one_stop_per_key(org_a: Any) -> None:
    """Two copies arriving at once: the constraint holds, and record_stop's fallback finds
    the row the other request stored."""
    walk = make_walk(org_a, stops=0)
    key = uuid.uuid4()
    entry, errors = recording.read_stop(
        stop_data(None, client_key=str(key), latitude="49.91", longitude="8.45")
    )
    assert errors == {}
    first = recording.record_stop(walk, entry)
    second = recording.record_stop(walk, entry)
    assert first.created and not second.created and first.stop.pk == second.stop.pk
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Stop.objects.create(walk=walk, position=9, name="copy", client_key=key)


def test_adding_a_stop_here(client: Any, admin_a: Any, org_a: Any) -> None:
    walk = make_walk(org_a, stops=1)
    client.force_login(admin_a)
    key = str(uuid.uuid4())
    data = {
        "intent": "add",
        "client_key": key,
        "name": "Parkhaus",
        "latitude": "49.9102",
        "longitude": "8.4511",
    }
    response = client.post(walk_url(walk, "walk_record"), data, follow=True)
    assert "Stop “Parkhaus” added." in text(response)
    client.post(walk_url(walk, "walk_record"), data)  # again: no second stop
    added = walk.stops.get(client_key=key)
    assert walk.stops.count() == 2 and added.recorded is None  # added, not yet recorded
    # no position at all: a message, the add form keeps the name
    response = client.post(
        walk_url(walk, "walk_record"),
        {
            **data,
            "client_key": str(uuid.uuid4()),
            "latitude": "",
            "longitude": "",
            "name": "Ohne Ort",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "Give the stop's position" in page and 'value="Ohne Ort"' in page
    assert walk.stops.count() == 2


def test_bad_input_is_refused_with_messages_and_kept(client: Any, admin_a: Any, org_a: Any):
    walk = make_walk(org_a, stops=1)
    stop = walk.stops.get()
    client.force_login(admin_a)
    data = stop_data(
        stop,
        latitude="49,9x",
        longitude="8.45",
        c_lighting="7",
        notes="Nicht verlieren",
        **issue(0, str(uuid.uuid4()), category=""),
    )
    response = client.post(walk_url(walk, "walk_record"), data)
    assert response.status_code == 400
    page = text(response)
    assert "Latitude must be a number in degrees" in page
    assert "Lighting: choose 0 to 3 or “not assessed”." in page
    assert "Choose the kind of issue." in page
    assert "Nicht verlieren</textarea>" in page and "Laterne reparieren</textarea>" in page
    stop.refresh_from_db()
    assert stop.recorded is None
    # the same for the script: JSON with the problems by field
    answer = client.post(walk_url(walk, "walk_record"), data, **JSON)
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"latitude", "c_lighting", "issue-0-category"}
    # a stop removed meanwhile
    gone = client.post(walk_url(walk, "walk_record"), {**stop_data(None), "stop": "999999"}, **JSON)
    assert gone.status_code == 400 and "no longer exists" in gone.json()["message"]
    # a far-away position is stored, with a warning
    far = client.post(
        walk_url(walk, "walk_record"), stop_data(stop, latitude="52.52", longitude="13.40"), **JSON
    )
    assert far.json()["ok"] and "far outside the district" in far.json()["warnings"][0]


def test_finishing_the_walk(client: Any, admin_a: Any, org_a: Any) -> None:
    walk = make_walk(org_a, stops=2)
    client.force_login(admin_a)
    response = client.post(walk_url(walk, "walk_finish"), follow=True)
    assert "No stop has been recorded yet" in text(response)
    client.post(walk_url(walk, "walk_record"), stop_data(walk.stops.first()))
    response = client.post(walk_url(walk, "walk_finish"), follow=True)
    assert "The walk is marked as recorded." in text(response)
    walk.refresh_from_db()
    assert walk.status == "recorded"
    detail = text(client.get(walk_url(walk, "walk_detail")))
    assert "Dunkle Ecke hinter dem Kiosk" in detail and "Lighting" in detail
    client.post(walk_url(walk, "walk_finish"), {"reopen": "1"})
    walk.refresh_from_db()
    assert walk.status == "planned"


def test_who_may_record(client: Any, org_a: Any, member_a: Any, analyst_a: Any, admin_b: Any):
    walk = make_walk(org_a, stops=1)
    stop = walk.stops.get()
    client.force_login(member_a)
    assert client.post(walk_url(walk, "walk_record"), stop_data(stop)).status_code == 403
    client.force_login(admin_b)
    assert client.post(walk_url(walk, "walk_record"), stop_data(stop)).status_code == 404
    assert client.get(walk_url(walk, "walk_record")).status_code == 404
    client.logout()
    response = client.post(walk_url(walk, "walk_record"), stop_data(stop))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(analyst_a)  # analysts plan and record walks
    assert client.post(walk_url(walk, "walk_record"), stop_data(stop)).status_code == 302
    stop.refresh_from_db()
    assert stop.recorded is not None
