"""Times as a reader reads them: in their time zone, in their language's format, and relative
("3분 전" / "3 minutes ago") where recency matters. The API keeps ISO 8601; only pages use this.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Absolute formats per language (Django date-format characters).
DATETIME_FORMATS = {"ko": "Y년 n월 j일 H:i", "en": "M j, Y, H:i"}
DATE_FORMATS = {"ko": "Y년 n월 j일", "en": "M j, Y"}
# Older than this, a relative time says less than the date itself.
RELATIVE_LIMIT = dt.timedelta(days=7)


@functools.cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_time_zones()) if "/" in name]


def _language() -> str:
    return (translation.get_language() or "ko").split("-")[0]


def as_datetime(value: Any) -> dt.datetime | dt.date | None:
    """A datetime or date from a model value or an ISO string stored in JSON (change-log values)."""
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10 and value[:4].isdigit() and value[4:5] == "-":
        try:
            return parse_datetime(value) or parse_date(value)
        except ValueError:
            return None
    return None


def absolute(value: dt.datetime | dt.date) -> str:
    """The time in the reader's zone and language, e.g. "2026년 12월 1일 16:03" / "Dec 1, 2026, 16:03"."""
    lang = _language()
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, DATETIME_FORMATS.get(lang, DATETIME_FORMATS["en"]))
    return formats.date_format(value, DATE_FORMATS.get(lang, DATE_FORMATS["en"]))


def relative(value: dt.datetime, now: dt.datetime | None = None) -> str:
    """ "3분 전" / "3 minutes ago" (or "in 3 minutes"), falling back to the absolute time past a week."""
    now = now or timezone.now()
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    delta = now - value
    future = delta.total_seconds() < 0
    seconds = int(abs(delta.total_seconds()))
    if abs(delta) >= RELATIVE_LIMIT:
        return absolute(value)
    if seconds < 45:
        return _("just now")
    minutes, hours, days = round(seconds / 60), round(seconds / 3600), round(seconds / 86400)
    if seconds < 45 * 60:
        n = max(1, minutes)
        if future:
            return ngettext("in %(n)d minute", "in %(n)d minutes", n) % {"n": n}
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", n) % {"n": n}
    if seconds < 22 * 3600:
        n = max(1, hours)
        if future:
            return ngettext("in %(n)d hour", "in %(n)d hours", n) % {"n": n}
        return ngettext("%(n)d hour ago", "%(n)d hours ago", n) % {"n": n}
    n = max(1, days)
    if future:
        return ngettext("in %(n)d day", "in %(n)d days", n) % {"n": n}
    return ngettext("%(n)d day ago", "%(n)d days ago", n) % {"n": n}


def display_value(value: Any) -> Any:
    """A change-log value for a page: ISO timestamps become the reader's local time."""
    moment = as_datetime(value)
    return absolute(moment) if moment is not None else value
