"""The numbers of each role's home page, read through the reader's visibility.

Definitions (shown on the pages too):

- at risk: an open deal whose stay in its stage is longer than the stage allows (``Stage.stale_after_days``),
  that has no open task or event due from now on ("no next activity"), or whose expected close date
  has passed;
- win rate (a window): won ÷ (won + lost + no decision) among deals closed in the window; the
  no-decision rate is no decision ÷ the same denominator;
- sales cycle: the mean of (closed − created) in days over the deals won in the window;
- sales velocity: open deals × average won deal size × win rate ÷ sales cycle, in KRW per day;
- revenue trend: won amounts (in KRW at the close day's rate) per month, this year against the same
  months of last year, and split by product family (line items), industry and region (the account's).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractMonth, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.accounts.models import Account
from baton.activities.models import Activity, OpenQuestion
from baton.core.models import User
from baton.deals.models import Opportunity, Stage
from baton.deals.models_sales import LineItem, line_amounts
from baton.insights.forecast import Rates, scope_user_ids
from baton.insights.models import ActivityTarget

ZERO = Decimal(0)
WINDOW_DAYS = 90
# The activity kinds a rep's week is counted in (meetings are events).
COUNTED_KINDS = (Activity.Kind.CALL, Activity.Kind.EVENT, Activity.Kind.MINUTES, Activity.Kind.EMAIL)


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class Risk:
    opportunity: Opportunity
    reasons: list[str] = field(default_factory=list)


RISK_CANDIDATES = 500
RISK_CHUNK = 100


def deals_at_risk(opportunities: QuerySet[Opportunity], *, now: dt.datetime, limit: int = 50) -> list[Risk]:
    """Open deals with a reason to worry (stale in stage, no next activity, close date passed), the
    earliest expected close first, among the first ``RISK_CANDIDATES`` open deals: read a chunk at a time
    (the deals, then their next activities: two queries a chunk) until ``limit`` are found."""
    today = timezone.localdate(now)
    ordered = (
        opportunities.filter(stage__outcome=Stage.Outcome.OPEN)
        .select_related("stage", "account", "owner")
        .order_by("expected_close_date", "id")
    )
    risks: list[Risk] = []
    for first in range(0, RISK_CANDIDATES, RISK_CHUNK):
        chunk = list(ordered[first : first + RISK_CHUNK])
        if not chunk:
            break
        risks.extend(_risks_of(chunk, now=now, today=today))
        if len(risks) >= limit or len(chunk) < RISK_CHUNK:
            break
    return risks[:limit]


def _risks_of(open_deals: list[Opportunity], *, now: dt.datetime, today: dt.date) -> list[Risk]:
    with_next = set(
        Activity.objects.filter(
            opportunity_id__in=[o.pk for o in open_deals],
            status=Activity.Status.OPEN,
        )
        .filter(Q(due_at__gte=now) | Q(start_at__gte=now))
        .values_list("opportunity_id", flat=True)
    )
    risks = []
    for opp in open_deals:
        reasons = []
        limit_days = opp.stage.stale_after_days
        since = opp.stage_changed_at or opp.created_at
        if limit_days and since and (now - since).days > limit_days:
            reasons.append(
                _("%(days)s days in %(stage)s (limit %(limit)s)")
                % {"days": (now - since).days, "stage": opp.stage, "limit": limit_days}
            )
        if opp.pk not in with_next:
            reasons.append(_("no next activity"))
        if opp.expected_close_date and opp.expected_close_date < today:
            reasons.append(_("close date passed"))
        if reasons:
            risks.append(Risk(opp, reasons))
    return risks


@dataclass
class WinStats:
    won: int = 0
    lost: int = 0
    no_decision: int = 0
    won_amount: Decimal = ZERO
    cycle_days_total: Decimal = ZERO

    @property
    def closed(self) -> int:
        return self.won + self.lost + self.no_decision

    @property
    def win_rate(self) -> Decimal | None:
        return Decimal(self.won) / self.closed if self.closed else None

    @property
    def no_decision_rate(self) -> Decimal | None:
        return Decimal(self.no_decision) / self.closed if self.closed else None

    @property
    def cycle_days(self) -> Decimal | None:
        return self.cycle_days_total / self.won if self.won else None

    @property
    def average_won(self) -> Decimal | None:
        return self.won_amount / self.won if self.won else None


def win_stats_by_owner(
    opportunities: QuerySet[Opportunity], *, start: dt.datetime, end: dt.datetime
) -> dict[int | None, WinStats]:
    """Closed deals of a window grouped by owner, in one grouped query (amounts in KRW at the close
    day's rate: deals in another currency are summed per close day, so the conversion stays exact)."""
    rates = Rates()
    stats: dict[int | None, WinStats] = defaultdict(WinStats)
    rows = (
        opportunities.filter(closed_at__gte=start, closed_at__lt=end)
        .exclude(stage__outcome=Stage.Outcome.OPEN)
        .annotate(
            day=Case(
                When(currency="KRW", then=Value(None, output_field=DateField())),
                default=TruncDate("closed_at"),
                output_field=DateField(),
            )
        )
        .order_by()
        .values_list("owner_id", "stage__outcome", "currency", "day")
        .annotate(
            n=Count("id"),
            total=Sum("amount"),
            cycle=Sum(ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())),
        )
    )
    for owner_id, outcome, currency, day, n, total, cycle in rows:
        s = stats[owner_id]
        if outcome == Stage.Outcome.WON:
            s.won += n
            s.won_amount += rates.to_krw(total or ZERO, currency, day) if day else (total or ZERO)
            s.cycle_days_total += duration_days(cycle)
        elif outcome == Stage.Outcome.LOST:
            s.lost += n
        else:
            s.no_decision += n
    return stats


def duration_days(value: dt.timedelta | None) -> Decimal:
    """A duration in days, exactly (from whole microseconds, not a float)."""
    if not value:
        return ZERO
    micro = (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    return Decimal(micro) / Decimal(86_400_000_000)


def total_stats(stats: dict[Any, WinStats]) -> WinStats:
    total = WinStats()
    for s in stats.values():
        total.won += s.won
        total.lost += s.lost
        total.no_decision += s.no_decision
        total.won_amount += s.won_amount
        total.cycle_days_total += s.cycle_days_total
    return total


def sales_velocity(open_count: int, stats: WinStats) -> Decimal | None:
    """Open deals × average won deal × win rate ÷ cycle days: the KRW the pipeline turns into per day."""
    if not stats.won or not stats.cycle_days or stats.win_rate is None or stats.average_won is None:
        return None
    value = Decimal(open_count) * stats.average_won * stats.win_rate / stats.cycle_days
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass
class ActivityCount:
    kind: str
    label: str
    done: int
    target: int | None


def week_bounds(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    monday = today - dt.timedelta(days=today.weekday())
    return day_start(monday), day_start(monday + dt.timedelta(days=7))


def activity_counts(user: User, *, today: dt.date) -> list[ActivityCount]:
    """This week's completed calls, meetings, minutes and e-mails against the person's weekly targets
    (their own target, else their role's)."""
    start, end = week_bounds(today)
    done = dict(
        Activity.objects.filter(
            owner=user, status=Activity.Status.DONE, completed_at__gte=start, completed_at__lt=end
        )
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    targets: dict[str, int] = {}
    for kind, per_week, user_id in ActivityTarget.objects.filter(
        Q(user=user) | Q(user__isnull=True, role=user.role)
    ).values_list("kind", "per_week", "user_id"):
        if user_id is not None or kind not in targets:
            targets[kind] = per_week
    labels = dict(Activity.Kind.choices)
    return [ActivityCount(k, str(labels[k]), done.get(k, 0), targets.get(k)) for k in COUNTED_KINDS]


def activity_by_rep(user_ids: list[int], *, today: dt.date) -> dict[int, dict[str, int]]:
    """Per person: this week's done activities by kind, plus requests answered (requested tasks done)."""
    start, end = week_bounds(today)
    result: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Activity.objects.filter(
            owner_id__in=user_ids, status=Activity.Status.DONE, completed_at__gte=start, completed_at__lt=end
        )
        .order_by()
        .values_list("owner_id", "kind")
        .annotate(n=Count("id"), requests=Count("id", filter=Q(requested_by__isnull=False)))
    )
    for owner_id, kind, n, requests in rows:
        result[owner_id][kind] += n
        result[owner_id]["requests"] += requests
    return result


def open_questions(user: User, limit: int = 10) -> tuple[int, list[OpenQuestion]]:
    qs = OpenQuestion.objects.filter(owner=user, status=OpenQuestion.Status.OPEN).order_by("due_on", "id")
    return qs.count(), list(qs[:limit])


def pipeline_matrix(user: User, opportunities: QuerySet[Opportunity], *, today: dt.date) -> dict[str, Any]:
    """Open pipeline by rep (rows) and stage (columns), in KRW at today's rate, with the deal counts."""
    rates = Rates()
    scope = scope_user_ids(user)
    rows = (
        opportunities.filter(stage__outcome=Stage.Outcome.OPEN, owner_id__in=scope)
        .order_by()
        .values_list("owner_id", "stage_id", "currency")
        .annotate(total=Sum("amount"), n=Count("id"))
    )
    cells: dict[tuple[int, int], list[Decimal | int]] = defaultdict(lambda: [ZERO, 0])
    for owner_id, stage_id, currency, total, n in rows:
        cell = cells[(owner_id, stage_id)]
        cell[0] = Decimal(cell[0]) + rates.to_krw(total or ZERO, currency, today)
        cell[1] = int(cell[1]) + n
    stage_ids = {s for (_o, s) in cells}
    stages = list(Stage.objects.filter(pk__in=stage_ids).order_by("pipeline_id", "sequence", "id"))
    people = list(User.objects.filter(pk__in={o for (o, _s) in cells}).order_by("display_name", "id"))
    return {
        "stages": stages,
        "rows": [
            {
                "user": person,
                "cells": [cells.get((person.pk, s.pk), [ZERO, 0]) for s in stages],
                "total": sum((Decimal(cells.get((person.pk, s.pk), [ZERO, 0])[0]) for s in stages), ZERO),
            }
            for person in people
        ],
    }


@dataclass
class Trend:
    months: list[dict[str, Any]]
    by_family: list[dict[str, Any]]
    by_industry: list[dict[str, Any]]
    by_region: list[dict[str, Any]]


def revenue_trend(opportunities: QuerySet[Opportunity], *, today: dt.date) -> Trend:
    """Won revenue per month this year against last year (to the same day), and year-to-date splits.

    Grouped in SQL, exactly: KRW deals by (month, which year, industry, region); deals in another currency
    by close day and currency, so each sum is converted at that day's rate (a conversion is a plain
    multiplication, so converting a day's sum equals summing the converted deals). Line items are grouped
    by (family, quantity, list price, discount): identical lines have the identical rounded net amount,
    which is worked out once per group and multiplied by the group's count."""
    rates = Rates()
    this_start = dt.date(today.year, 1, 1)
    last_start = dt.date(today.year - 1, 1, 1)
    try:
        last_same_day = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        last_same_day = today.replace(year=today.year - 1, day=28)
    won = opportunities.filter(
        stage__outcome=Stage.Outcome.WON,
        closed_at__gte=day_start(last_start),
        closed_at__lt=day_start(today + dt.timedelta(days=1)),
    )
    # 0: this year to date; 1: last year up to the same day; 2: the rest of last year (monthly chart only)
    bucket = Case(
        When(closed_at__gte=day_start(this_start), then=Value(0)),
        When(closed_at__lt=day_start(last_same_day + dt.timedelta(days=1)), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    this_months = [ZERO] * 12
    last_months = [ZERO] * 12
    industry: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    region: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    family: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])

    def add(kind: int, month: int, ind: str | None, reg: str | None, value: Decimal) -> None:
        if kind == 0:
            this_months[month - 1] += value
        else:
            last_months[month - 1] += value
        if kind < 2:
            industry[ind or ""][kind] += value
            region[reg or ""][kind] += value

    krw = (
        won.filter(currency="KRW")
        .annotate(kind=bucket, month=ExtractMonth("closed_at"))
        .order_by()
        .values_list("kind", "month", "account__industry", "account__region")
        .annotate(total=Sum("amount"))
    )
    for kind, month, ind, reg, total in krw:
        add(kind, month, ind, reg, total or ZERO)
    foreign = (
        won.exclude(currency="KRW")
        .annotate(kind=bucket, day=TruncDate("closed_at"))
        .order_by()
        .values_list("kind", "day", "currency", "account__industry", "account__region")
        .annotate(total=Sum("amount"))
    )
    for kind, day, currency, ind, reg, total in foreign:
        add(kind, day.month, ind, reg, rates.to_krw(total or ZERO, currency, day))
    line_rows = (
        LineItem.objects.filter(opportunity__in=won.values("pk"))
        .annotate(
            kind=Case(
                When(opportunity__closed_at__gte=day_start(this_start), then=Value(0)),
                When(
                    opportunity__closed_at__lt=day_start(last_same_day + dt.timedelta(days=1)), then=Value(1)
                ),
                default=Value(2),
                output_field=IntegerField(),
            ),
            day=Case(
                When(opportunity__currency="KRW", then=Value(None, output_field=DateField())),
                default=TruncDate("opportunity__closed_at"),
                output_field=DateField(),
            ),
        )
        .filter(kind__lt=2)
        .order_by()
        .values_list(
            "kind",
            "day",
            "opportunity__currency",
            "product__family__name",
            "quantity",
            "list_price",
            "discount_percent",
        )
        .annotate(n=Count("id"))
    )
    for kind, day, currency, name, quantity, price, discount, n in line_rows:
        net = line_amounts(quantity, price, discount, ZERO, currency)["net"] * n
        family[name or ""][kind] += net if currency == "KRW" else rates.to_krw(net, currency, day)
    industry_labels = dict(Account._meta.get_field("industry").choices or [])
    region_labels = dict(Account._meta.get_field("region").choices or [])

    def rows(data: dict[str, list[Decimal]], labels: dict[Any, Any] | None) -> list[dict[str, Any]]:
        out = []
        for key, (this, last) in data.items():
            label = (labels or {}).get(key, key) if key else "–"
            growth = (this - last) / last if last else None
            out.append({"key": key, "label": str(label), "this": this, "last": last, "growth": growth})
        return sorted(out, key=lambda r: -r["this"])

    months = [{"month": m + 1, "this": this_months[m], "last": last_months[m]} for m in range(12)]
    return Trend(months, rows(family, None), rows(industry, industry_labels), rows(region, region_labels))
