"""The grouped reads behind the won-revenue trend, shared by the monthly build and the live remainder so
that a stored month and a live month are summed by the same code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from baton.deals.models import Opportunity, Pipeline, Stage
from baton.deals.models_sales import LineItem, line_amounts

ZERO = Decimal(0)


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every first-of-month from ``first``'s month to ``last``'s month, inclusive."""
    out, month = [], month_start(first)
    while month <= last:
        out.append(month)
        month = next_month(month)
    return out


def won_between(opportunities: QuerySet[Opportunity], start: dt.date, end: dt.date) -> QuerySet[Opportunity]:
    """Won deals closed on local days ``start`` <= day < ``end``."""
    return won_in(opportunities, [(start, end)])


def won_in(
    opportunities: QuerySet[Opportunity], ranges: list[tuple[dt.date, dt.date]]
) -> QuerySet[Opportunity]:
    """Won deals closed in any of the local day ranges [start, end), in one statement. The pipeline list
    lets PostgreSQL range-scan the (pipeline, closed_at, ...) index instead of reading every deal."""
    when = Q(pk__in=[])
    for start, end in ranges:
        when |= Q(closed_at__gte=day_start(start), closed_at__lt=day_start(end))
    pipelines = list(Pipeline.objects.order_by("pk").values_list("pk", flat=True))
    return opportunities.filter(when, stage__outcome=Stage.Outcome.WON, pipeline_id__in=pipelines)


@dataclass(frozen=True)
class DealRow:
    """Won deals of one close day (or month, for stored KRW rows: ``day`` is None) with one key."""

    month: dt.date
    day: dt.date | None
    owner_id: int | None
    team_id: int | None
    industry: str
    region: str
    currency: str
    deals: int
    amount: Decimal


@dataclass(frozen=True)
class FamilyRow:
    month: dt.date
    day: dt.date | None
    owner_id: int | None
    team_id: int | None
    family_id: int | None
    currency: str
    net: Decimal


def deal_rows(won: QuerySet[Opportunity]) -> Iterator[DealRow]:
    """One row per (local close day, owner, team, industry, region, currency), in one grouped query."""
    rows = (
        won.annotate(day=TruncDate("closed_at"))
        .order_by()
        .values_list("day", "owner_id", "team_id", "account__industry", "account__region", "currency")
        .annotate(n=Count("id"), total=Sum("amount"))
    )
    for day, owner_id, team_id, industry, region, currency, n, total in rows.iterator(chunk_size=5000):
        yield DealRow(
            month_start(day), day, owner_id, team_id, industry or "", region or "", currency, n, total or ZERO
        )


def family_rows(won: QuerySet[Opportunity]) -> Iterator[FamilyRow]:
    """Net line amounts per (local close day, owner, team, product family, currency). Identical lines
    (quantity, list price, discount) have the identical rounded net, worked out once per group."""
    rows = (
        LineItem.objects.filter(opportunity__in=won.values("pk"))
        .annotate(day=TruncDate("opportunity__closed_at"))
        .order_by()
        .values_list(
            "day",
            "opportunity__owner_id",
            "opportunity__team_id",
            "product__family_id",
            "opportunity__currency",
            "quantity",
            "list_price",
            "discount_percent",
        )
        .annotate(n=Count("id"))
    )
    for day, owner_id, team_id, family_id, currency, quantity, price, discount, n in rows.iterator(
        chunk_size=5000
    ):
        net = line_amounts(quantity, price, discount, ZERO, currency)["net"] * n
        yield FamilyRow(month_start(day), day, owner_id, team_id, family_id, currency, net)


def collapse_deals(rows: Iterable[DealRow]) -> list[DealRow]:
    """KRW rows summed to the month (no rate to apply); other currencies keep their close day."""
    sums: dict[DealRow, DealRow] = {}
    for r in rows:
        day = None if r.currency == "KRW" else r.day
        key = DealRow(r.month, day, r.owner_id, r.team_id, r.industry, r.region, r.currency, 0, ZERO)
        held = sums.get(key)
        sums[key] = replace(
            key,
            deals=r.deals + (held.deals if held else 0),
            amount=r.amount + (held.amount if held else ZERO),
        )
    return list(sums.values())


def collapse_families(rows: Iterable[FamilyRow]) -> list[FamilyRow]:
    sums: dict[FamilyRow, Decimal] = {}
    for r in rows:
        key = replace(r, day=None if r.currency == "KRW" else r.day, net=ZERO)
        sums[key] = sums.get(key, ZERO) + r.net
    return [replace(key, net=net) for key, net in sums.items()]
