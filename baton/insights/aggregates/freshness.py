"""Which stored months still equal the live numbers.

Every write to a deal, its line items or an account goes through a service that writes a ChangeLog row
(imports, tasks and the shell included), so a month is *stale* when a change logged since it was summed
touches one of its won deals: the deal's close month now, and the close months in the change's
before/after (a deal moved out of a month, or deleted). A change to an account marks the months of its
won deals (industry and region are read from the account); a change to a product, a product family or a
stage, or a different set of won stages, marks every month. ``MARGIN`` covers a transaction that logged
its change before the month was summed but committed after; more than ``MAX_CHANGES`` changes since the
oldest sum mark every month (the job re-sums them)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from baton.accounts.models import Account
from baton.core.models import ChangeLog
from baton.deals.models import Opportunity, Stage
from baton.deals.models.catalog import Product, ProductFamily
from baton.insights.aggregates.grouping import month_start
from baton.insights.aggregates.models import AggregateMonth

MARGIN = dt.timedelta(hours=1)
MAX_CHANGES = 5000


def won_stage_key() -> str:
    return ",".join(
        str(pk)
        for pk in Stage.objects.filter(outcome=Stage.Outcome.WON).order_by("pk").values_list("pk", flat=True)
    )


def _local_month(value: object) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return month_start(timezone.localtime(parsed).date())


def stale_months(months: list[dt.date]) -> set[dt.date]:
    """The months among ``months`` whose stored rows may differ from the live numbers (missing ones
    included)."""
    built = dict(AggregateMonth.objects.filter(month__in=months).values_list("month", "built_at"))
    stages = set(AggregateMonth.objects.filter(month__in=months).values_list("won_stages", flat=True))
    stale = {m for m in months if m not in built}
    if not built:
        return stale
    if stages != {won_stage_key()}:
        return set(months)
    since = min(built.values()) - MARGIN
    types = ContentType.objects.get_for_models(Opportunity, Account, Product, ProductFamily, Stage)
    opp_type, account_type = types[Opportunity].pk, types[Account].pk
    everything_types = {types[Product].pk, types[ProductFamily].pk, types[Stage].pk}
    changes = list(
        ChangeLog.objects.filter(time__gte=since)
        .filter(
            Q(content_type_id__in=[opp_type, account_type, *everything_types]) | Q(parent_type_id=opp_type)
        )
        .values_list(
            "time", "content_type_id", "object_id", "parent_type_id", "parent_id", "before", "after"
        )[: MAX_CHANGES + 1]
    )
    if not changes:
        return stale
    if len(changes) > MAX_CHANGES:
        return set(months)
    # month -> the latest change time touching it
    touched: dict[dt.date, dt.datetime] = {}
    latest_all: dt.datetime | None = None
    by_opp: dict[int, dt.datetime] = defaultdict(lambda: since)
    by_account: dict[int, dt.datetime] = defaultdict(lambda: since)

    def touch(month: dt.date | None, when: dt.datetime) -> None:
        if month is not None and (month not in touched or touched[month] < when):
            touched[month] = when

    for when, type_id, object_id, parent_type_id, parent_id, before, after in changes:
        if type_id in everything_types:
            latest_all = max(latest_all or when, when)
            continue
        if type_id == account_type:
            by_account[object_id] = max(by_account[object_id], when)
            continue
        opp_id = object_id if type_id == opp_type else parent_id
        if opp_id is None or (type_id != opp_type and parent_type_id != opp_type):
            continue
        by_opp[opp_id] = max(by_opp[opp_id], when)
        for snapshot in (before or {}, after or {}):
            if isinstance(snapshot, dict) and "closed_at" in snapshot:
                touch(_local_month(snapshot["closed_at"]), when)
    found = set()
    if by_opp:
        for pk, closed_at in Opportunity.objects.filter(pk__in=list(by_opp)).values_list("pk", "closed_at"):
            found.add(pk)
            if closed_at is not None:
                touch(month_start(timezone.localtime(closed_at).date()), by_opp[pk])
    if by_account:
        first = min(months)
        rows = Opportunity.objects.filter(
            account_id__in=list(by_account), closed_at__gte=_start_of(first), stage__outcome=Stage.Outcome.WON
        ).values_list("account_id", "closed_at")
        for account_id, closed_at in rows:
            touch(month_start(timezone.localtime(closed_at).date()), by_account[account_id])
    # A deal that is gone and whose change did not say when it closed: any month may have lost it.
    for pk, when in by_opp.items():
        if pk not in found and not _said_when(changes, pk, opp_type):
            latest_all = max(latest_all or when, when)
    for month, built_at in built.items():
        limit = built_at - MARGIN
        if (latest_all is not None and latest_all >= limit) or (month in touched and touched[month] >= limit):
            stale.add(month)
    return stale


def _start_of(month: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(month, dt.time.min))


def _said_when(changes: list[tuple], pk: int, opp_type: int) -> bool:
    """Whether a change of deal ``pk`` recorded its close time (then its months are known)."""
    return any(
        type_id == opp_type and object_id == pk and any(isinstance(s, dict) and "closed_at" in s for s in ba)
        for _when, type_id, object_id, _pt, _pid, *ba in changes
    )
