"""iCalendar (RFC 5545) for one event or the whole calendar, with a VTIMEZONE for
Europe/Berlin so that calendars show the right local time on either side of a DST change."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

import icalendar
from django.urls import reverse
from django.utils import timezone

from defus.core.links import absolute_url

from .models import Event

BERLIN = ZoneInfo("Europe/Berlin")
PRODID = "-//DEFUS//Events//DE"


def _vevent(event: Event, language: str, online_link: str = "") -> icalendar.Event:
    item = icalendar.Event()
    item.add("uid", f"event-{event.pk}-{event.slug}@defus")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", event.start.astimezone(BERLIN))
    item.add("dtend", event.end.astimezone(BERLIN))
    item.add("summary", event.title_text(language))
    description = event.description_text(language)
    if online_link:
        description = f"{description}\n\n{online_link}".strip()
    if description:
        item.add("description", description)
    location = ", ".join(part for part in (event.venue, event.address) if part)
    if online_link and not location:
        location = online_link
    if location:
        item.add("location", location)
    path = reverse("events:detail", kwargs={"event": event.slug})
    item.add("url", absolute_url(path))
    return item


def calendar(events: Iterable[Event], language: str, online_link_for: Event | None = None) -> bytes:
    """The .ics of `events`; the online link only for `online_link_for` (a confirmed
    registrant's own calendar entry)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "DEFUS")
    cal.add("x-wr-timezone", "Europe/Berlin")
    for event in events:
        link = event.online_link if online_link_for is not None and event == online_link_for else ""
        cal.add_component(_vevent(event, language, link))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
