# mypy: disable-error-code="valid-type"
"""What every part of the insights API shares: its router and the period parameter."""

from __future__ import annotations

from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError

from baton.insights.models import PeriodKind
from baton.insights.periods import Period, parse_period, period_containing

router = Router(tags=["insights"])

PERIOD_HELP = "`2026-12` (month), `2026-Q4` (quarter) or `2026` (year); default: this quarter."


def _period(raw: str | None) -> Period:
    today = timezone.localdate()
    if not raw:
        return period_containing(PeriodKind.QUARTER, today)
    period = parse_period(raw, today=today)
    if period is None:
        raise HttpError(422, "period: use 2026-12, 2026-Q4 or 2026.")
    return period
