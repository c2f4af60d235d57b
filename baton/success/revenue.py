"""Recurring revenue computed from the dated contract changes: ARR (and MRR) on any day, and the
revenue movements of a period: new, expansion, contraction, churn and reactivation; GRR, NRR and logo
churn, overall or by segment, product family, owner or CSM; retention per account cohort.

Definitions (seed 002's KPI list). A *customer* is an account (within a group when grouped: an account
buying two product families is two customers of the family view). For the period [first, last]:

- opening ARR ``s``: the customer's ARR at the end of the day before ``first``; closing ARR ``e``: at
  the end of ``last``.
- new: ``s = 0 < e`` and the customer never had ARR before ``first``; reactivation: the same, but it
  had; churn: ``s > 0 = e`` (amount ``s``); expansion: ``e > s > 0`` (``e - s``); contraction:
  ``0 < e < s`` (``s - e``).
- GRR = (opening − contraction − churn) / opening, capped at 100 %; NRR = (opening + expansion −
  contraction − churn) / opening; logo churn = churned customers / customers at the opening.

ARR of a contract on day D = the sum of its rows' ``arr_delta`` effective on or before D, when its term
covers D (``start_date <= D <= end_date``). Everything here is one grouped query per call.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Case, DecimalField, F, Min, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from baton.core.records import visible_team_ids
from baton.success.models import CENT, Contract, ContractChange, monthly

ZERO = Decimal(0)
MONEY = DecimalField(max_digits=18, decimal_places=2)

# What a movement table can be grouped by: the code, its label, and the column on a change row.
DIMENSIONS: dict[str, tuple[Any, str | None]] = {
    "": (_("All customers"), None),
    "segment": (_("Segment (company size)"), "contract__account__size"),
    "industry": (_("Industry"), "contract__account__industry"),
    "family": (_("Product family"), "line__family_id"),
    "owner": (_("Owner"), "contract__owner_id"),
    "csm": (_("CSM"), "contract__csm_id"),
}
MOVEMENTS = ("new", "expansion", "contraction", "churn", "reactivation")


def _in_term(day: dt.date, prefix: str = "contract__") -> Q:
    return Q(**{f"{prefix}start_date__lte": day, f"{prefix}end_date__gte": day})


def _arr_at(day: dt.date) -> Sum:
    return Sum(
        Case(
            When(Q(effective_date__lte=day) & _in_term(day), then=F("arr_delta")),
            default=Value(ZERO),
            output_field=MONEY,
        )
    )


def arr_on(contracts: QuerySet[Contract] | None, day: dt.date) -> Decimal:
    """Total ARR of the contracts (all when None) on ``day``, from the change rows."""
    rows = ContractChange.objects.filter(effective_date__lte=day).filter(_in_term(day))
    if contracts is not None:
        rows = rows.filter(contract__in=contracts)
    return _cents(rows.aggregate(s=Sum("arr_delta"))["s"])


def _cents(value: Decimal | None) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def contract_arr_on(contract: Contract, day: dt.date) -> Decimal:
    if not contract.start_date <= day <= contract.end_date:
        return ZERO
    return _cents(
        ContractChange.objects.filter(contract=contract, effective_date__lte=day).aggregate(
            s=Sum("arr_delta")
        )["s"]
    )


def mrr_on(contracts: QuerySet[Contract] | None, day: dt.date) -> Decimal:
    return monthly(arr_on(contracts, day))


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Customer:
    """One customer's opening and closing ARR in the period and what moved."""

    account_id: int
    group: Any
    opening: Decimal
    closing: Decimal
    movement: str = ""
    amount: Decimal = ZERO


@dataclass
class Movements:
    """The revenue movements of one group (or of everything) in a period."""

    group: Any = None
    label: str = ""
    opening: Decimal = ZERO
    closing: Decimal = ZERO
    new: Decimal = ZERO
    expansion: Decimal = ZERO
    contraction: Decimal = ZERO
    churn: Decimal = ZERO
    reactivation: Decimal = ZERO
    logos_opening: int = 0
    logos_churned: int = 0
    customers: list[Customer] = field(default_factory=list)

    def add(self, c: Customer) -> None:
        self.opening += c.opening
        self.closing += c.closing
        if c.opening > 0:
            self.logos_opening += 1
        if c.movement:
            setattr(self, c.movement, getattr(self, c.movement) + c.amount)
            if c.movement == "churn":
                self.logos_churned += 1
            self.customers.append(c)

    @property
    def grr(self) -> Decimal | None:
        value = percent(self.opening - self.contraction - self.churn, self.opening)
        return min(value, Decimal(100)) if value is not None else None

    @property
    def nrr(self) -> Decimal | None:
        return percent(self.opening + self.expansion - self.contraction - self.churn, self.opening)

    @property
    def logo_churn(self) -> Decimal | None:
        return percent(Decimal(self.logos_churned), Decimal(self.logos_opening))

    @property
    def opening_mrr(self) -> Decimal:
        return monthly(self.opening)

    @property
    def closing_mrr(self) -> Decimal:
        return monthly(self.closing)

    def of(self, movement: str) -> list[Customer]:
        return [c for c in self.customers if c.movement == movement]


def classify(opening: Decimal, closing: Decimal, had_before: bool) -> tuple[str, Decimal]:
    if opening <= 0 < closing:
        return ("reactivation" if had_before else "new"), closing
    if opening > 0 >= closing:
        return "churn", opening
    if closing > opening:
        return "expansion", closing - opening
    if closing < opening:
        return "contraction", opening - closing
    return "", ZERO


def movements(
    contracts: QuerySet[Contract] | None, first: dt.date, last: dt.date, by: str = ""
) -> tuple[Movements, list[Movements]]:
    """The period's movements in total and per group: (total, groups sorted by opening ARR).

    One grouped query over the change rows of the contracts whose term touches the period (the others
    add nothing to the opening or closing ARR), and one more, only when a customer starts in the
    period, to tell new from reactivated (had ARR before, on a contract that ended earlier)."""
    if by not in DIMENSIONS:
        raise ValueError(by)
    opening_day = first - dt.timedelta(days=1)
    column = DIMENSIONS[by][1]
    keys = ["contract__account_id"] + ([column] if column else [])
    scope = ContractChange.objects.all()
    if contracts is not None:
        scope = scope.filter(contract__in=contracts)
    rows = scope.filter(
        effective_date__lte=last, contract__end_date__gte=opening_day, contract__start_date__lte=last
    )
    data = (
        rows.order_by()
        .values(*keys)
        .annotate(
            s=_arr_at(opening_day),
            e=_arr_at(last),
            since=Min(Case(When(arr_delta__gt=0, then=F("effective_date")))),
        )
    )
    found: list[tuple[Any, Any, Decimal, Decimal, bool]] = []
    starting: set[int] = set()
    for row in data:
        opening, closing = _cents(row["s"]), _cents(row["e"])
        if not opening and not closing:
            continue
        group = row[column] if column else None
        before = row["since"] is not None and row["since"] < first
        found.append((row["contract__account_id"], group, opening, closing, before))
        if opening <= 0 < closing and not before:
            starting.add(row["contract__account_id"])
    earlier: set[tuple[Any, Any]] = set()
    if starting:
        for row in (
            scope.filter(arr_delta__gt=0, effective_date__lt=first, contract__account_id__in=starting)
            .order_by()
            .values(*keys)
            .distinct()
        ):
            earlier.add((row["contract__account_id"], row[column] if column else None))
    total = Movements(label=str(_("All customers")))
    groups: dict[Any, Movements] = {}
    for account_id, group, opening, closing, before in found:
        movement, amount = classify(opening, closing, before or (account_id, group) in earlier)
        customer = Customer(account_id, group, opening, closing, movement, amount)
        total.add(customer)
        if column:
            groups.setdefault(group, Movements(group=group)).add(customer)
    ordered = sorted(groups.values(), key=lambda m: (-m.opening, -m.closing, str(m.group)))
    return total, ordered


def contracts_behind(
    contracts: QuerySet[Contract], customers: list[Customer], by: str, first: dt.date, last: dt.date
) -> dict[tuple[int, Any], list[Contract]]:
    """The contracts behind each customer of a drill-down: those of the account (and group) whose term
    touches the period or the day before it. One query."""
    if not customers:
        return {}
    column = DIMENSIONS[by][1]
    account_ids = {c.account_id for c in customers}
    qs = (
        contracts.filter(account_id__in=account_ids)
        .filter(start_date__lte=last, end_date__gte=first - dt.timedelta(days=1))
        .select_related("account", "owner", "csm")
        .order_by("account_id", "start_date", "id")
    )
    out: dict[tuple[int, Any], list[Contract]] = defaultdict(list)
    if column == "line__family_id":
        qs = qs.prefetch_related("lines")
    for contract in qs:
        if not column:
            groups: list[Any] = [None]
        elif column == "line__family_id":
            groups = list({line.family_id for line in contract.lines.all()})
        else:
            attr = column.removeprefix("contract__").replace("account__", "account.")
            groups = [_dig(contract, attr)]
        for group in groups:
            out[(contract.account_id, group)].append(contract)
    return out


def _dig(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


# --- cohorts -----------------------------------------------------------------------------------------------


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_end(year: int, q: int) -> dt.date:
    month = q * 3
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def add_quarters(year: int, q: int, n: int) -> tuple[int, int]:
    index = year * 4 + (q - 1) + n
    return index // 4, index % 4 + 1


@dataclass
class Cohort:
    """Accounts whose first contract started in one quarter, and their ARR at each later quarter end
    as a share of their ARR at the end of the starting quarter."""

    year: int
    quarter: int
    accounts: int
    base: Decimal
    retention: list[Decimal | None]

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.quarter}"


def cohorts(contracts: QuerySet[Contract] | None, today: dt.date, quarters: int = 8) -> list[Cohort]:
    """Retention per account cohort (start quarter) for the last ``quarters`` cohorts: one query."""
    last_q = quarter_of(today)
    first_q = add_quarters(*last_q, -(quarters - 1))
    ends = [quarter_end(*add_quarters(*first_q, i)) for i in range(quarters)]
    ends[-1] = min(ends[-1], today)
    window_start = dt.date(first_q[0], first_q[1] * 3 - 2, 1)
    older = Contract.objects.filter(start_date__lt=window_start)
    rows = ContractChange.objects.filter(contract__start_date__gte=window_start)
    if contracts is not None:
        rows = rows.filter(contract__in=contracts)
        older = older.filter(pk__in=contracts.values("pk"))
    # An account with a contract that started before the window belongs to an older cohort.
    rows = rows.exclude(contract__account_id__in=older.values("account_id"))
    data = (
        rows.order_by()
        .values("contract__account_id")
        .annotate(since=Min("contract__start_date"), **{f"q{i}": _arr_at(day) for i, day in enumerate(ends)})
    )
    by_cohort: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for row in data:
        start_q = quarter_of(row["since"])
        if start_q >= first_q:
            by_cohort[start_q].append(row)
    result = []
    for i in range(quarters):
        key = add_quarters(*first_q, i)
        members = by_cohort.get(key, [])
        base = sum((r[f"q{i}"] or ZERO for r in members), ZERO)
        retention: list[Decimal | None] = []
        for j in range(i, quarters):
            value = sum((r[f"q{j}"] or ZERO for r in members), ZERO)
            retention.append(percent(value, base))
        result.append(Cohort(key[0], key[1], len(members), base, retention))
    return result


# --- a warm page ------------------------------------------------------------------------------------------

VERSION_KEY = "success:revenue:version"
CACHE_SECONDS = 600


def bump_version() -> None:
    """Every write that changes revenue history calls this (at once, and again after its commit, so a
    reader between the two cannot keep old numbers): cached results of the NRR page are keyed by the
    version, so they are never read again once anything changed."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def reader_key(user: Any) -> str:
    """Who the numbers are for: everything (administrators), or the reader with their teams and role
    (their visible contracts follow from those and from grants; a short lifetime bounds a grant change)."""
    if user.is_admin:
        return "all"
    teams = ",".join(str(t) for t in sorted(visible_team_ids(user)))
    return f"u{user.pk}:{user.role}:{teams}"


def cache_stamp(user: Any) -> str:
    """The part of the cache key that changes with the data and the reader: the version, the newest
    change row (an index-only look-up: a cache shared with another database, or a write that did not
    pass through the services, cannot serve old numbers) and who reads."""
    version = cache.get_or_set(VERSION_KEY, 1, None)
    newest = ContractChange.objects.order_by("-id").values_list("id", flat=True).first()
    return f"success:revenue:{version}:{newest}:{reader_key(user)}"


def cached(stamp: str, name: str, compute: Any, *parts: Any) -> Any:
    """``compute()`` once per stamp (see ``cache_stamp``) and arguments; ten minutes for
    administrators, one for everyone else (whose grants may change)."""
    key = f"{stamp}:{name}:" + ":".join(str(p) for p in parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS if stamp.endswith(":all") else 60)
    return value
