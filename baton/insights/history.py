"""How the forecast of a period moved, read from its immutable weekly snapshots."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from baton.core.models import User
from baton.deals.models import ForecastCategory
from baton.insights.forecast import scope_user_ids
from baton.insights.models import ForecastSnapshot, ForecastSnapshotLine
from baton.insights.periods import Period

OPEN_CATEGORIES = {ForecastCategory.COMMIT, ForecastCategory.BEST_CASE, ForecastCategory.PIPELINE}


@dataclass
class Week:
    """The forecast as it stood in one week, and what changed since the week before."""

    week: dt.date
    won: Decimal = Decimal(0)
    commit: Decimal = Decimal(0)
    best_case: Decimal = Decimal(0)
    pipeline: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    added: list[int] = field(default_factory=list)
    slipped: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    amount_change: Decimal = Decimal(0)
    accuracy: Decimal | None = None

    @property
    def called(self) -> Decimal:
        """What the forecast said the period would bring: won so far plus commit."""
        return self.won + self.commit


def _counts(line: ForecastSnapshotLine, period: Period) -> bool:
    if line.category == ForecastCategory.CLOSED:
        return True
    return line.category in OPEN_CATEGORIES and period.contains(line.expected_close_date)


def forecast_history(user: User, period: Period, *, actual_won: Decimal) -> list[Week]:
    """Every snapshot of the period, for the people the reader may see. ``actual_won`` is what the
    period has brought so far (its final figure once the period is over): the accuracy of week k is
    (won + commit at week k) ÷ actual."""
    snapshots = list(
        ForecastSnapshot.objects.filter(period_kind=period.kind, period_start=period.start).order_by(
            "week_start"
        )
    )
    if not snapshots:
        return []
    owners = scope_user_ids(user)
    lines = ForecastSnapshotLine.objects.filter(snapshot__in=snapshots)
    if not user.is_admin:
        lines = lines.filter(owner_id__in=owners)
    by_snapshot: dict[int, dict[int, ForecastSnapshotLine]] = defaultdict(dict)
    for line in lines.only(
        "snapshot_id",
        "opportunity_id",
        "category",
        "amount_krw",
        "weighted_krw",
        "expected_close_date",
        "is_won",
    ).iterator(chunk_size=5000):
        by_snapshot[line.snapshot_id][line.opportunity_id] = line
    weeks: list[Week] = []
    previous: dict[int, ForecastSnapshotLine] = {}
    for snap in snapshots:
        current = by_snapshot.get(snap.pk, {})
        week = Week(week=snap.week_start)
        for line in current.values():
            if not _counts(line, period):
                continue
            if line.category == ForecastCategory.CLOSED:
                week.won += line.amount_krw
            elif line.category == ForecastCategory.COMMIT:
                week.commit += line.amount_krw
            elif line.category == ForecastCategory.BEST_CASE:
                week.best_case += line.amount_krw
            else:
                week.pipeline += line.amount_krw
            week.weighted += line.weighted_krw
        if weeks:
            for opp_id, line in current.items():
                before = previous.get(opp_id)
                now_in = _counts(line, period)
                was_in = before is not None and _counts(before, period)
                if now_in and not was_in:
                    week.added.append(opp_id)
                elif was_in and not now_in:
                    if (
                        line.category in OPEN_CATEGORIES
                        and line.expected_close_date
                        and (line.expected_close_date >= period.end)
                    ):
                        week.slipped.append(opp_id)
                    else:
                        week.removed.append(opp_id)
                elif now_in and was_in and before is not None:
                    week.amount_change += line.amount_krw - before.amount_krw
            for opp_id, before in previous.items():
                if opp_id not in current and _counts(before, period):
                    week.removed.append(opp_id)
        if actual_won:
            week.accuracy = week.called / actual_won
        weeks.append(week)
        previous = current
    return weeks
