"""Summing closed months into the stored rows (the periodic job and ``refresh_insights_aggregates``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from baton.deals.models import Opportunity
from baton.insights.aggregates import grouping
from baton.insights.aggregates.freshness import stale_months, won_stage_key
from baton.insights.aggregates.models import AggregateMonth, WonFamilyMonth, WonMonth


def window_months(today: dt.date) -> list[dt.date]:
    """The closed months the trend can use: January of last year up to the month before this one."""
    last_start = dt.date(today.year - 1, 1, 1)
    return [m for m in grouping.months_between(last_start, today) if m < grouping.month_start(today)]


@dataclass
class Refreshed:
    months: list[dt.date]
    deals: int


def refresh_month(month: dt.date) -> int:
    """Sum one closed month again (all deals, every owner and team) and replace its stored rows."""
    built_at = timezone.now()  # taken before reading: a change after this is caught by ``freshness``
    won = grouping.won_between(Opportunity.objects.all(), month, grouping.next_month(month))
    deals = grouping.collapse_deals(grouping.deal_rows(won))
    families = grouping.collapse_families(grouping.family_rows(won))
    with transaction.atomic():
        WonMonth.objects.filter(month=month).delete()
        WonFamilyMonth.objects.filter(month=month).delete()
        WonMonth.objects.bulk_create(
            [
                WonMonth(
                    month=r.month,
                    day=r.day,
                    owner_id=r.owner_id,
                    team_id=r.team_id,
                    industry=r.industry,
                    region=r.region,
                    currency=r.currency,
                    deals=r.deals,
                    amount=r.amount,
                )
                for r in deals
            ],
            batch_size=2000,
        )
        WonFamilyMonth.objects.bulk_create(
            [
                WonFamilyMonth(
                    month=r.month,
                    day=r.day,
                    owner_id=r.owner_id,
                    team_id=r.team_id,
                    family_id=r.family_id,
                    currency=r.currency,
                    net=r.net,
                )
                for r in families
            ],
            batch_size=2000,
        )
        count = sum(r.deals for r in deals)
        AggregateMonth.objects.update_or_create(
            month=month, defaults={"built_at": built_at, "deals": count, "won_stages": won_stage_key()}
        )
    return count


def refresh(today: dt.date | None = None, *, everything: bool = False) -> Refreshed:
    """Sum the window's months that are missing or changed since they were summed (all with
    ``everything``); months that left the window are dropped."""
    today = today or timezone.localdate()
    months = window_months(today)
    if everything:
        todo = months
    else:
        built = set(AggregateMonth.objects.filter(month__in=months).values_list("month", flat=True))
        todo = sorted((set(months) - built) | stale_months(months))
    total = sum(refresh_month(m) for m in todo)
    AggregateMonth.objects.exclude(month__in=months).delete()
    WonMonth.objects.exclude(month__in=months).delete()
    WonFamilyMonth.objects.exclude(month__in=months).delete()
    return Refreshed(todo, total)
