"""Recording a walk on a phone in a real Chromium, with the network switched off on the way.

A facilitator records four stops (three planned, one added with the phone's location), one
with a photo that carries EXIF and GPS; the network goes off while stop 3 is saved, the page
says it is kept on the phone, the network comes back and the queue is sent. The server then
holds exactly four stops and one photo, stored without any metadata. axe-core checks the
planning form, the route page and the recording page.

Set DEFUS_SCREENSHOTS=<folder> to keep screenshots of the pages.
"""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image

from defus.walks.models import Stop, StopIssue, StopPhoto, Walk
from tests.conftest import PASSWORD, make_person
from tests.support import check_axe
from tests.walks.support import centre, jpeg_with_gps, make_walk, media_root, walk_url

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english", "media_root"),
]
__all__ = ["media_root"]

PHONE = {"width": 390, "height": 844}
SAVED = "Saved on the server."
QUEUED = "Saved on this phone, will be sent when there is a connection."


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/en/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def wait_for(condition: Any, what: str, timeout: float = 30.0) -> None:
    """Poll the database until `condition()` holds (the server works in its own thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def record(section: Any, scores: dict[str, str], feeling: str, notes: str) -> None:
    for key, value in scores.items():
        section.locator(f"input[name=c_{key}][value='{value}']").check()
    section.locator(f"input[name=feeling][value='{feeling}']").check()
    section.locator("textarea[name=notes]").fill(notes)


def test_recording_four_stops_on_a_phone_through_a_lost_connection(
    chromium: Any, live_server: Any, org_a: Any
) -> None:
    make_person("admin@musterstadt.example", org_a, "admin")
    walk = make_walk(org_a, stops=3)
    planned = list(walk.stops.all())
    latitude, longitude = centre(1)
    context = chromium.new_context(
        locale="en-GB",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": latitude + 0.004, "longitude": longitude - 0.003},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        base = live_server.url
        log_in(page, base, "admin@musterstadt.example")

        page.goto(base + reverse("walks:walk_create", kwargs={"org": org_a.slug}))
        check_axe(page, "planning form", "walks")
        page.goto(base + walk_url(walk, "walk_route"))
        check_axe(page, "route", "walks")

        page.goto(base + walk_url(walk, "walk_record"))
        check_axe(page, "recording page", "walks")
        # The script is running: the buttons that need it are shown.
        assert page.locator("#add-stop .locate").is_visible()

        # Stop 1, with a photo straight from the phone (EXIF with GPS) and an issue.
        first = page.locator(f"#stop-s{planned[0].pk}")
        record(first, {"lighting": "0", "visibility": "1", "people": "1"}, "1", "Sehr dunkel")
        first.locator("select[name='issue-0-category']").select_option("lighting")
        first.locator("textarea[name='issue-0-action']").fill("Zwei Laternen ergänzen")
        first.locator("input[name='issue-0-department']").fill("Tiefbauamt")
        first.locator("input[type=file]").set_input_files(
            {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
        )
        first.locator("button.save").tap()
        first.locator(".stop-status").filter(has_text=SAVED).wait_for()
        first.locator(".photo-queue").filter(has_text="Photo IMG_2041.jpg saved.").wait_for()

        # Stop 2.
        second = page.locator(f"#stop-s{planned[1].pk}")
        record(second, {"lighting": "2", "openness": "3"}, "3", "Belebt")
        second.locator("button.save").tap()
        second.locator(".stop-status").filter(has_text=SAVED).wait_for()

        # Stop 3 while the network is off: kept on the phone.
        context.set_offline(True)
        third = page.locator(f"#stop-s{planned[2].pk}")
        record(third, {"lighting": "1", "ways_out": "0"}, "2", "Kein Empfang hier")
        third.locator("button.save").tap()
        third.locator(".stop-status").filter(has_text=QUEUED).wait_for()
        assert "not yet sent" in page.locator("#queue-status").inner_text()
        assert Stop.objects.get(pk=planned[2].pk).recorded is None
        stored = page.evaluate("JSON.stringify(localStorage)")
        assert "Kein Empfang hier" in stored

        # The network returns: the queue is sent without a click.
        context.set_offline(False)
        third.locator(".stop-status").filter(has_text=SAVED).wait_for(timeout=30000)
        wait_for(lambda: Stop.objects.get(pk=planned[2].pk).recorded is not None, "stop 3")

        # Stop 4: not on the route; added here with the phone's location.
        page.locator("#add-name").fill("Parkhaus Einfahrt")
        page.locator("#add-stop .locate").tap()
        page.wait_for_function("document.getElementById('add-latitude').value !== ''")
        page.locator("#add-stop button[type=submit]").tap()
        fourth = page.locator("#stops > section.stop").nth(3)
        fourth.locator(".stop-status").filter(has_text=SAVED).wait_for()
        assert fourth.locator(".stop-name").inner_text() == "Parkhaus Einfahrt"
        record(fourth, {"lighting": "1", "path": "2"}, "2", "Einfahrt unübersichtlich")
        fourth.locator("button.save").tap()
        wait_for(
            lambda: Stop.objects.filter(walk=walk, recorded__isnull=False).count() == 4,
            "four recorded stops",
        )
        fourth.locator(".stop-status").filter(has_text=SAVED).wait_for()
        page.wait_for_function("document.getElementById('queue-status').textContent === ''")

        # Finish the walk.
        with page.expect_navigation():
            page.locator("#finish-form button").tap()
        assert "The walk is marked as recorded." in page.content()
    finally:
        context.close()

    stops = list(Stop.objects.filter(walk=walk))
    assert len(stops) == 4
    added = stops[3]
    assert added.name == "Parkhaus Einfahrt" and added.position == 4
    assert abs(added.latitude - (latitude + 0.004)) < 1e-5
    assert stops[0].checklist["lighting"] == 0 and stops[0].feeling == 1
    assert stops[2].notes == "Kein Empfang hier" and stops[2].checklist["ways_out"] == 0
    assert added.checklist["path"] == 2
    assert StopIssue.objects.get().action == "Zwei Laternen ergänzen"
    photo = StopPhoto.objects.get()
    assert photo.stop == stops[0]
    with photo.image.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert Walk.objects.get(pk=walk.pk).status == "recorded"
