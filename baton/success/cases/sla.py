"""SLA clock arithmetic: adding business minutes to a moment and counting the business minutes between
two moments, in the support calendar (working days of ``core.workdays`` between the daily start and end,
local time) or round the clock. Pure functions of their arguments; the calendar row is read by
``support_hours()``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from baton.core.workdays import is_working_day
from baton.success.cases.models import SlaPolicy, SupportHours

# Far enough for any target an admin can enter (a year of business days); a loop never runs away.
MAX_DAYS = 3660


@dataclass(frozen=True)
class Hours:
    """A business day's window, and whether the calendar counts only it (``always`` counts every minute)."""

    start: dt.time = dt.time(9)
    end: dt.time = dt.time(18)
    always: bool = False


def support_hours(calendar: str) -> Hours:
    if calendar == SlaPolicy.Calendar.ALWAYS:
        return Hours(always=True)
    row = SupportHours.objects.order_by("pk").first()
    return Hours() if row is None else Hours(row.day_start, row.day_end)


def _window(day: dt.date, hours: Hours) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(day, hours.start), tz),
        timezone.make_aware(dt.datetime.combine(day, hours.end), tz),
    )


def add_business_minutes(start: dt.datetime, minutes: int, hours: Hours) -> dt.datetime:
    """The moment ``minutes`` business minutes after ``start`` (a clock started outside business hours
    starts at the next business day's opening)."""
    if hours.always or minutes <= 0:
        return start + dt.timedelta(minutes=max(minutes, 0))
    local = timezone.localtime(start)
    day = local.date()
    remaining = dt.timedelta(minutes=minutes)
    for _ in range(MAX_DAYS):
        if is_working_day(day):
            opens, closes = _window(day, hours)
            begin = max(local, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += dt.timedelta(days=1)
    raise ValueError("SLA target beyond the calendar's range")


def business_minutes_between(start: dt.datetime, end: dt.datetime, hours: Hours) -> int:
    """Whole business minutes from ``start`` to ``end`` (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0
    if hours.always:
        return int((end - start).total_seconds() // 60)
    first = timezone.localtime(start).date()
    last = timezone.localtime(end).date()
    if (last - first).days > MAX_DAYS:
        raise ValueError("SLA period beyond the calendar's range")
    total = dt.timedelta(0)
    day = first
    while day <= last:
        if is_working_day(day):
            opens, closes = _window(day, hours)
            begin, finish = max(start, opens), min(end, closes)
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return int(total.total_seconds() // 60)
