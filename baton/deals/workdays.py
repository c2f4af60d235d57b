"""How early a deal-team request must be made, in working days (the calendar itself is
``baton.core.workdays``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from baton.core.workdays import is_working_day, subtract_working_days, working_days_between

__all__ = ["is_working_day", "latest_on_time", "lead_days", "subtract_working_days", "working_days_between"]


def lead_days() -> int:
    """How many working days before the customer's deadline a request must be made (setting
    ``BATON_REQUEST_LEAD_WORKING_DAYS``, default 3)."""
    return int(getattr(settings, "BATON_REQUEST_LEAD_WORKING_DAYS", 3))


def latest_on_time(deadline: dt.date, count: int | None = None) -> dt.date:
    """The last day a request for ``deadline`` is still on time."""
    return subtract_working_days(deadline, lead_days() if count is None else count)
