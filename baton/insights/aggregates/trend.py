"""The executive's won-revenue trend from the stored months where they hold, live elsewhere.

Gives the same ``dashboards.Trend`` as ``dashboards.revenue_trend`` over the reader's visible deals,
number for number (tests compare the two on a generated history for several readers)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from baton.accounts.models import Account
from baton.core.models import SharingDefault, SharingMode, User
from baton.core.partner_fence import is_partner_user
from baton.core.records import managed_team_ids, sharing_q, visible_team_ids
from baton.deals.models import Opportunity
from baton.deals.models.catalog import ProductFamily
from baton.insights.aggregates import grouping
from baton.insights.aggregates.build import window_months
from baton.insights.aggregates.freshness import stale_months
from baton.insights.aggregates.grouping import ZERO, DealRow, FamilyRow
from baton.insights.aggregates.models import AggregateMonth, WonFamilyMonth, WonMonth
from baton.insights.dashboards import Trend, revenue_trend
from baton.insights.forecast import Rates


def same_day_last_year(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def usable_months(today: dt.date) -> list[dt.date]:
    """Stored months the trend may read: summed, unchanged since, and not last year's month of today
    (that one is split at today's day, so it is read live by day)."""
    split = grouping.month_start(same_day_last_year(today))
    months = [m for m in window_months(today) if m != split]
    stored = set(AggregateMonth.objects.filter(month__in=months).values_list("month", flat=True))
    months = [m for m in months if m in stored]
    if not months:
        return []
    stale = stale_months(months)
    return [m for m in months if m not in stale]


@dataclass(frozen=True)
class Scope:
    """A reader's visible deals as stored keys: ``keys`` selects stored rows by owner and team (None: all
    of them); ``extra`` selects the visible deals outside those keys (shares, grants), read live."""

    keys: Q | None
    extra: Q | None


def scope_for(user: User) -> Scope | None:
    """The reader's scope over the stored rows, or None when it cannot be expressed (read live)."""
    if not (user.is_authenticated and user.is_active) or is_partner_user(user):
        return None
    if user.is_admin:
        return Scope(None, None)
    mode = None
    if sharing_q(Opportunity, user) is not None:  # deals follow the organisation-wide default
        defaults = SharingDefault.objects.filter(record_type=Opportunity._meta.label_lower)
        mode = defaults.values_list("mode", flat=True).first()
    if mode == SharingMode.READ_ALL:
        return Scope(None, None)
    managed = managed_team_ids(user)
    teams = set(managed) if mode == SharingMode.PRIVATE else set(visible_team_ids(user))
    keys = Q(owner_id=user.pk) | Q(team_id__in=sorted(teams))
    # Every deal the keys select is visible (owner, managed team, own team unless private); the reader's
    # other visible deals (shared with them, deal-team grants ...) are added live.
    return Scope(keys, ~keys)


def revenue_trend_for(user: User, *, today: dt.date) -> Trend:
    """The trend for ``user``: stored months (within the reader's owner/team keys, plus their other
    visible deals read live) where they hold, the rest live."""
    visible = Opportunity.objects.visible_to(user)
    scope = scope_for(user)
    months = usable_months(today) if scope is not None else []
    if scope is None or not months:
        return revenue_trend(visible, today=today)
    return combined_trend(visible, today=today, stored=months, scope=scope)


def _ranges_without(first: dt.date, end: dt.date, stored: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Day ranges [start, end) covering first..end minus the stored months, merged."""
    ranges: list[tuple[dt.date, dt.date]] = []
    cursor = first
    for month in sorted(stored):
        if month > cursor:
            ranges.append((cursor, month))
        cursor = max(cursor, grouping.next_month(month))
    if cursor < end:
        ranges.append((cursor, end))
    return ranges


def combined_trend(
    visible: QuerySet[Opportunity], *, today: dt.date, stored: list[dt.date], scope: Scope
) -> Trend:
    """Stored rows of ``stored`` months within the scope's keys, the reader's other visible deals of those
    months live, and every visible deal of the rest of the window live."""
    first = dt.date(today.year - 1, 1, 1)
    end = today + dt.timedelta(days=1)
    deals: list[DealRow] = []
    families: list[FamilyRow] = []
    live_ranges = _ranges_without(first, end, stored)
    if live_ranges:  # the open month, last year's split month, stale months: one statement
        won = grouping.won_in(visible, live_ranges)
        deals.extend(grouping.deal_rows(won))
        families.extend(grouping.family_rows(won))
    if scope.extra is not None:
        won = grouping.won_in(visible.filter(scope.extra), _merged(stored))
        deals.extend(grouping.deal_rows(won))
        families.extend(grouping.family_rows(won))
    stored_rows = WonMonth.objects.filter(month__in=stored)
    stored_families = WonFamilyMonth.objects.filter(month__in=stored)
    if scope.keys is not None:
        stored_rows, stored_families = stored_rows.filter(scope.keys), stored_families.filter(scope.keys)
    # Summed over owners and teams in SQL: the trend needs neither, only the reader's keys above.
    for month, day, industry, region, currency, n, amount in (
        stored_rows.order_by()
        .values_list("month", "day", "industry", "region", "currency")
        .annotate(n=Sum("deals"), total=Sum("amount"))
    ):
        deals.append(DealRow(month, day, None, None, industry, region, currency, n, amount))
    for month, day, family_id, currency, net in (
        stored_families.order_by()
        .values_list("month", "day", "family_id", "currency")
        .annotate(total=Sum("net"))
    ):
        families.append(FamilyRow(month, day, None, None, family_id, currency, net))
    return assemble(deals, families, today=today)


def _merged(months: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive months as day ranges [start, end)."""
    ranges: list[tuple[dt.date, dt.date]] = []
    for month in sorted(months):
        if ranges and ranges[-1][1] == month:
            ranges[-1] = (ranges[-1][0], grouping.next_month(month))
        else:
            ranges.append((month, grouping.next_month(month)))
    return ranges


def assemble(deals: Iterable[DealRow], families: Iterable[FamilyRow], *, today: dt.date) -> Trend:
    """The trend's figures from grouped rows, with ``dashboards.revenue_trend``'s definitions: this year
    to date (0), last year up to the same day (1), the rest of last year (2, monthly chart only)."""
    rates = Rates()
    this_start = dt.date(today.year, 1, 1)
    last_same_day = same_day_last_year(today)
    split = grouping.month_start(last_same_day)

    def kind_of(month: dt.date, day: dt.date | None) -> int:
        if month >= this_start:
            return 0
        if day is not None:
            return 1 if day <= last_same_day else 2
        # A stored month of last year: never the split month (read live by day).
        return 1 if month < split else 2

    def krw(amount: Decimal, currency: str, month: dt.date, day: dt.date | None) -> Decimal:
        return amount if currency == "KRW" else rates.to_krw(amount, currency, day or month)

    this_months = [ZERO] * 12
    last_months = [ZERO] * 12
    industry: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    region: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    family: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for r in deals:
        kind = kind_of(r.month, r.day)
        value = krw(r.amount, r.currency, r.month, r.day)
        (this_months if kind == 0 else last_months)[r.month.month - 1] += value
        if kind < 2:
            industry[r.industry][kind] += value
            region[r.region][kind] += value
    family_rows = list(families)
    names = dict(
        ProductFamily.objects.filter(pk__in={f.family_id for f in family_rows if f.family_id}).values_list(
            "pk", "name"
        )
    )
    for f in family_rows:
        kind = kind_of(f.month, f.day)
        if kind < 2:
            family[names.get(f.family_id, "") if f.family_id else ""][kind] += krw(
                f.net, f.currency, f.month, f.day
            )
    industry_labels = dict(Account._meta.get_field("industry").choices or [])
    region_labels = dict(Account._meta.get_field("region").choices or [])

    def rows(data: dict[str, list[Decimal]], labels: dict[Any, Any] | None) -> list[dict[str, Any]]:
        out = []
        for key, (this, last) in data.items():
            label = (labels or {}).get(key, key) if key else "–"
            growth = (this - last) / last if last else None
            out.append({"key": key, "label": str(label), "this": this, "last": last, "growth": growth})
        return sorted(out, key=lambda r: (-r["this"], r["key"]))

    months = [{"month": m + 1, "this": this_months[m], "last": last_months[m]} for m in range(12)]
    return Trend(months, rows(family, None), rows(industry, industry_labels), rows(region, region_labels))
