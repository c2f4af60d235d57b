"""Working days in Korea: not Saturday or Sunday, not a public holiday (lunar ones included, via the
``holidays`` package's South Korea calendar, which also knows substitute holidays)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.conf import settings


def lead_days() -> int:
    """How many working days before the customer's deadline a request must be made (setting
    ``BATON_REQUEST_LEAD_WORKING_DAYS``, default 3)."""
    return int(getattr(settings, "BATON_REQUEST_LEAD_WORKING_DAYS", 3))


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("KR", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def subtract_working_days(day: dt.date, count: int) -> dt.date:
    """The working day ``count`` working days before ``day`` (``day`` itself does not count)."""
    current = day
    remaining = count
    while remaining > 0:
        current -= dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days from ``start`` (included) to ``end`` (excluded): the time someone has to help."""
    days = 0
    current = start
    while current < end:
        if is_working_day(current):
            days += 1
        current += dt.timedelta(days=1)
    return days


def latest_on_time(deadline: dt.date, count: int | None = None) -> dt.date:
    """The last day a request for ``deadline`` is still on time."""
    return subtract_working_days(deadline, lead_days() if count is None else count)
