"""iCalendar (RFC 5545) output of a user's events and timed tasks, for calendar subscriptions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar
from django.utils import timezone

from baton.activities.models import Activity

PRODID = "-//Baton//Baton CRM activities//EN"


def build_calendar(activities: Iterable[Activity], *, name: str, host: str) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    for activity in activities:
        start = activity.start_at or activity.due_at
        if start is None:
            continue
        end = activity.end_at or (start + dt.timedelta(minutes=30))
        if end <= start:
            end = start + dt.timedelta(minutes=30)
        event = icalendar.Event()
        # UID must be globally unique and stable across refreshes (RFC 5545 3.8.4.7).
        event.add("uid", f"activity-{activity.pk}@{host.split(':')[0] or 'baton'}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start.astimezone(dt.UTC))
        event.add("dtend", end.astimezone(dt.UTC))
        event.add("summary", activity.subject)
        description = "\n\n".join(p for p in (activity.preparation, activity.body) if p)
        if description:
            event.add("description", description[:4000])
        if activity.location:
            event.add("location", activity.location)
        event.add("status", "CANCELLED" if activity.status == Activity.Status.CANCELLED else "CONFIRMED")
        event.add("categories", [activity.get_kind_display()])
        event.add("last-modified", activity.updated_at.astimezone(dt.UTC).replace(microsecond=0))
        event.add("sequence", max(activity.version - 1, 0))
        if activity.remind_minutes is not None:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", activity.subject)
            alarm.add("trigger", dt.timedelta(minutes=-activity.remind_minutes))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
