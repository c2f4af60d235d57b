"""Working days in Korea, the one definition every deadline uses: not Saturday or Sunday, not a public
holiday (lunar ones such as 설날 and 추석 included, and substitute holidays, via the ``holidays``
package's South Korea calendar). Times are judged by their local date (``TIME_ZONE``)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("KR", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """``start`` plus ``days`` working days, at the same time of day (a hand-off's acceptance deadline)."""
    local = timezone.localtime(start) if timezone.is_aware(start) else start
    current = local
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current.date()):
            remaining -= 1
    return current


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
