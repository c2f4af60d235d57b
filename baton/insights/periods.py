"""Calendar periods of the forecast: a month, a quarter or a year, named by its first day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from baton.insights.models import PeriodKind


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date

    @property
    def end(self) -> dt.date:
        """The first day after the period (half-open: start <= day < end)."""
        months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[PeriodKind(self.kind)]
        return add_months(self.start, months)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def key(self) -> str:
        """The stable code used in URLs and the API: 2026-12, 2026-Q4, 2026."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return _("%(year)s-%(month)02d") % {"year": self.start.year, "month": self.start.month}
        if self.kind == PeriodKind.QUARTER:
            return _("Q%(q)s %(year)s") % {"q": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        return str(self.start.year)

    def previous(self) -> Period:
        return period_containing(self.kind, self.start - dt.timedelta(days=1))

    def next(self) -> Period:
        return Period(self.kind, self.end)

    def contains(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day < self.end


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_containing(kind: str, day: dt.date) -> Period:
    if kind == PeriodKind.MONTH:
        return Period(kind, dt.date(day.year, day.month, 1))
    if kind == PeriodKind.QUARTER:
        return Period(kind, dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1))
    if kind == PeriodKind.YEAR:
        return Period(kind, dt.date(day.year, 1, 1))
    raise ValueError(kind)


def parse_period(key: str | None, *, today: dt.date) -> Period | None:
    """``2026-12``, ``2026-Q4`` or ``2026``; None when the text names no period (the caller says so)."""
    key = (key or "").strip().upper()
    try:
        if len(key) == 7 and key[4] == "-" and key[5:].isdigit():
            year, month = int(key[:4]), int(key[5:])
            if 1 <= month <= 12 and 1900 <= year <= 2999:
                return Period(PeriodKind.MONTH, dt.date(year, month, 1))
        elif len(key) == 7 and key[4:6] == "-Q" and key[6] in "1234":
            year = int(key[:4])
            if 1900 <= year <= 2999:
                return Period(PeriodKind.QUARTER, dt.date(year, (int(key[6]) - 1) * 3 + 1, 1))
        elif len(key) == 4 and key.isdigit() and 1900 <= int(key) <= 2999:
            return Period(PeriodKind.YEAR, dt.date(int(key), 1, 1))
    except ValueError:
        return None
    return None


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week of ``day``."""
    return day - dt.timedelta(days=day.weekday())
