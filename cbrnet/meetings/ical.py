"""Calendar events as an RFC 5545 iCalendar document (the feeds calendar applications subscribe to).

Times are written in UTC ("…Z"), so no VTIMEZONE is needed; whole-day events (action items' due
dates, activities without times) are DATE values with an exclusive DTEND. Each event's UID is
stable (it names the record), DTSTAMP and LAST-MODIFIED are the record's last change, so an
unchanged event reads the same on every fetch.
"""

import datetime

from django.utils import timezone
from icalendar import Calendar, Event

from cbrnet.meetings.selectors import CalendarEvent

PRODID = "-//cbrnet//Meetings and activities//EN"


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def calendar_document(events: list[CalendarEvent], *, name: str, base_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "UTC")
    now = timezone.now()
    for event in events:
        entry = Event()
        entry.add("uid", event.uid)
        stamp = _utc(event.updated or now)
        entry.add("dtstamp", stamp)
        entry.add("last-modified", stamp)
        if event.all_day:
            entry.add("dtstart", event.first_day)
            entry.add("dtend", event.last_day + datetime.timedelta(days=1))
            entry.add("transp", "TRANSPARENT")
        else:
            entry.add("dtstart", _utc(event.start))
            entry.add("dtend", _utc(event.end))
        entry.add("summary", event.title)
        entry.add("categories", [event.kind_label])
        if event.location:
            entry.add("location", event.location)
        if event.url:
            url = base_url.rstrip("/") + event.url
            entry.add("url", url)
            entry.add("description", "\n".join(part for part in (event.description, url) if part))
        elif event.description:
            entry.add("description", event.description)
        entry.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
        calendar.add_component(entry)
    return calendar.to_ical()
