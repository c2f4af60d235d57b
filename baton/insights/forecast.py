"""The forecast of a period, read through the reader's visibility and rolled up the team hierarchy.

Numbers per person, from the opportunities they own (amounts in KRW):

- closed won: won deals whose close time falls in the period (converted at the rate of their close day);
- commit / best case / pipeline: open deals expected to close in the period, by their forecast
  category (omitted deals count nowhere), converted at today's rate;
- weighted: Σ amount × the stage's probability over those open deals;
- quota, attainment (won ÷ quota), gap (quota − won), coverage (open pipeline ÷ remaining quota).

A team's numbers are the sum of its members' and of its sub-teams'; a manager's adjustment of a
person's commit or best case is shown beside the person's own number and is what rolls up.
The reader sees themselves and the teams they may read (their own team, and the teams they manage
with every sub-team); administrators see every team. The deals counted are exactly those the reader
may read (``visible_to``: ownership, grants, organisation-wide defaults and shares), so a deal of
another team the reader may read (a *read-all* default, a share) counts too: its owner is listed in a
"Shared with you" group, without a quota. Nothing above the reader's visibility is shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from baton.core.models import Team, User
from baton.core.records import visible_team_ids
from baton.deals.models import ForecastCategory, Opportunity, Stage
from baton.insights.models import ExchangeRate, ForecastAdjustment, PeriodKind, Quota
from baton.insights.periods import Period, add_months

ZERO = Decimal(0)
MEASURES = ("won", "commit", "best_case", "pipeline", "open")


def krw(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


class Rates:
    """Dated exchange rates, loaded once per forecast (KRW is always 1)."""

    def __init__(self) -> None:
        self._rates: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for currency, day, rate in ExchangeRate.objects.order_by("currency", "valid_from").values_list(
            "currency", "valid_from", "krw_per_unit"
        ):
            self._rates[currency].append((day, rate))

    def to_krw(self, amount: Decimal, currency: str, on: dt.date) -> Decimal:
        if currency == "KRW":
            return amount
        rate = None
        for day, value in self._rates.get(currency, []):
            if day <= on:
                rate = value
            else:
                break
        if rate is None:
            # No rate known yet for that day: the earliest one is the best we have (and it is shown as
            # a warning on the page, see `missing_rates`).
            history = self._rates.get(currency)
            if not history:
                return ZERO
            rate = history[0][1]
        return amount * rate

    def known(self, currency: str) -> bool:
        return currency == "KRW" or bool(self._rates.get(currency))


@dataclass
class Numbers:
    won: Decimal = ZERO
    commit: Decimal = ZERO
    best_case: Decimal = ZERO
    pipeline: Decimal = ZERO
    weighted: Decimal = ZERO
    quota: Decimal | None = None
    # The manager's call where one was made; otherwise the same as the rep's own number.
    commit_call: Decimal = ZERO
    best_case_call: Decimal = ZERO
    adjusted: bool = False

    @property
    def open(self) -> Decimal:
        return self.commit + self.best_case + self.pipeline

    @property
    def attainment(self) -> Decimal | None:
        if not self.quota:
            return None
        return self.won / self.quota

    @property
    def gap(self) -> Decimal | None:
        return None if self.quota is None else self.quota - self.won

    @property
    def coverage(self) -> Decimal | None:
        if self.quota is None:
            return None
        remaining = self.quota - self.won
        if remaining <= 0:
            return None
        return self.open / remaining

    def add(self, other: Numbers) -> None:
        self.won += other.won
        self.commit += other.commit
        self.best_case += other.best_case
        self.pipeline += other.pipeline
        self.weighted += other.weighted
        self.commit_call += other.commit_call
        self.best_case_call += other.best_case_call
        self.adjusted = self.adjusted or other.adjusted

    def rounded(self) -> Numbers:
        return Numbers(
            won=krw(self.won),
            commit=krw(self.commit),
            best_case=krw(self.best_case),
            pipeline=krw(self.pipeline),
            weighted=krw(self.weighted),
            quota=self.quota,
            commit_call=krw(self.commit_call),
            best_case_call=krw(self.best_case_call),
            adjusted=self.adjusted,
        )


@dataclass
class Row:
    """One line of the forecast: a person, or a team with its people and sub-teams under it."""

    kind: str  # "user" | "team" | "shared" (the people outside the reader's teams whose deals they read)
    id: int
    name: str
    depth: int
    numbers: Numbers
    children: list[Row] = field(default_factory=list)
    adjustments: list[ForecastAdjustment] = field(default_factory=list)
    can_adjust: bool = False

    def flatten(self) -> list[Row]:
        rows = [self]
        for child in self.children:
            rows.extend(child.flatten())
        return rows


@dataclass
class Forecast:
    period: Period
    rows: list[Row]
    total: Numbers
    missing_rates: list[str]


def scope_team_ids(user: User) -> set[int]:
    if user.is_admin:
        return set(Team.objects.values_list("id", flat=True))
    return set(visible_team_ids(user))


def scope_user_ids(user: User) -> set[int]:
    """The people whose numbers the reader may see: themselves and the members of teams they read."""
    ids = set(User.objects.filter(team_id__in=scope_team_ids(user)).values_list("id", flat=True))
    ids.add(user.pk)
    return ids


def period_filter(period: Period) -> Q:
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end, dt.time.min))
    won = Q(stage__outcome=Stage.Outcome.WON, closed_at__gte=start, closed_at__lt=end)
    open_in_period = Q(
        stage__outcome=Stage.Outcome.OPEN,
        expected_close_date__gte=period.start,
        expected_close_date__lt=period.end,
    ) & ~Q(forecast_category=ForecastCategory.OMITTED)
    return won | open_in_period


def period_opportunities(user: User, period: Period) -> QuerySet[Opportunity]:
    """The opportunities behind the reader's forecast of a period: every owned deal the reader may read."""
    return Opportunity.objects.visible_to(user).filter(period_filter(period), owner_id__isnull=False)


def opportunities_behind(user: User, period: Period, *, measure: str, owner_ids: Iterable[int]):
    """Drill-down: the deals a number was computed from (the same filters as the number itself)."""
    qs = period_opportunities(user, period).filter(owner_id__in=list(owner_ids))
    if measure == "won":
        qs = qs.filter(stage__outcome=Stage.Outcome.WON)
    elif measure in ("commit", "best_case", "pipeline"):
        qs = qs.filter(stage__outcome=Stage.Outcome.OPEN, forecast_category=measure)
    elif measure == "open":
        qs = qs.filter(stage__outcome=Stage.Outcome.OPEN)
    else:
        raise ValueError(measure)
    return qs.select_related("owner", "account", "stage").order_by("-amount", "id")


def _numbers_by_owner(
    user: User, period: Period, rates: Rates, today: dt.date, currencies: set[str] | None = None
) -> dict[int, Numbers]:
    """Two grouped queries: open deals by (owner, currency, category) and won deals by (owner, currency,
    close day); the rows are few whatever the number of deals."""
    result: dict[int, Numbers] = defaultdict(Numbers)
    # Each query carries only its own half of ``period_filter`` (same rows as filtering the union by
    # outcome), so the database can use the close-date indexes instead of scanning the OR.
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end, dt.time.min))
    scoped = Opportunity.objects.visible_to(user).filter(owner_id__isnull=False)
    open_base = scoped.filter(
        stage_id__in=Stage.objects.filter(outcome=Stage.Outcome.OPEN).values("pk"),
        expected_close_date__gte=period.start,
        expected_close_date__lt=period.end,
    ).exclude(forecast_category=ForecastCategory.OMITTED)
    won_base = scoped.filter(
        stage_id__in=Stage.objects.filter(outcome=Stage.Outcome.WON).values("pk"),
        closed_at__gte=start,
        closed_at__lt=end,
    )
    weighted = ExpressionWrapper(
        F("amount") * F("stage__probability") / 100,
        output_field=DecimalField(max_digits=24, decimal_places=4),
    )
    open_rows = (
        open_base.order_by()
        .values("owner_id", "currency", "forecast_category")
        .annotate(total=Sum("amount"), weighted=Sum(weighted))
    )
    seen = currencies if currencies is not None else set()
    for row in open_rows:
        seen.add(row["currency"])
        numbers = result[row["owner_id"]]
        total = rates.to_krw(row["total"] or ZERO, row["currency"], today)
        w = rates.to_krw(row["weighted"] or ZERO, row["currency"], today)
        category = row["forecast_category"]
        if category == ForecastCategory.COMMIT:
            numbers.commit += total
        elif category == ForecastCategory.BEST_CASE:
            numbers.best_case += total
        else:
            # "closed" on an open deal cannot happen through the services; count it as pipeline.
            numbers.pipeline += total
        numbers.weighted += w
    won_rows = won_base.order_by().values("owner_id", "currency")
    krw_won = won_rows.filter(currency="KRW").annotate(total=Sum("amount"))
    for won_row in krw_won:
        result[won_row["owner_id"]].won += won_row["total"] or ZERO
    for owner_id, currency, amount, closed_at in won_base.exclude(currency="KRW").values_list(
        "owner_id", "currency", "amount", "closed_at"
    ):
        day = timezone.localdate(closed_at) if closed_at else today
        seen.add(currency)
        result[owner_id].won += rates.to_krw(amount, currency, day)
    return result


def _quota_lookup(period: Period) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Quota per user and per team for the period: a quota set for exactly this period, else the sum of
    the finer ones inside it (quarters of a year, months of a quarter or year)."""
    kinds = [period.kind]
    if period.kind == PeriodKind.YEAR:
        kinds += [PeriodKind.QUARTER, PeriodKind.MONTH]
    elif period.kind == PeriodKind.QUARTER:
        kinds += [PeriodKind.MONTH]
    rows = Quota.objects.filter(
        period_kind__in=kinds, period_start__gte=period.start, period_start__lt=period.end
    ).values_list("user_id", "team_id", "period_kind", "amount")
    by_kind: dict[tuple[str, int, str], Decimal] = defaultdict(Decimal)
    for user_id, team_id, kind, amount in rows:
        key = ("u", user_id, kind) if user_id else ("t", team_id, kind)
        by_kind[key] += amount
    users: dict[int, Decimal] = {}
    teams: dict[int, Decimal] = {}
    for who, target in (("u", users), ("t", teams)):
        for pk in {pk for (w, pk, _kind) in by_kind if w == who}:
            # The coarsest kind given wins (a quarterly quota over the sum of its months).
            for kind in kinds:
                if (who, pk, kind) in by_kind:
                    target[pk] = by_kind[(who, pk, kind)]
                    break
    return users, teams


def latest_adjustments(
    period: Period, subject_ids: Iterable[int]
) -> dict[tuple[int, str], ForecastAdjustment]:
    latest: dict[tuple[int, str], ForecastAdjustment] = {}
    for adj in (
        ForecastAdjustment.objects.filter(
            period_kind=period.kind, period_start=period.start, subject_id__in=list(subject_ids)
        )
        .select_related("adjusted_by")
        .order_by("created_at", "id")
    ):
        latest[(adj.subject_id, adj.category)] = adj
    return latest


def managed_team_ids(manager: User) -> set[int]:
    """The teams a person manages, with every sub-team below them (cached on the user object)."""
    cached = getattr(manager, "_baton_managed_team_ids", None)
    if cached is not None:
        return set(cached)
    children: dict[int | None, list[int]] = defaultdict(list)
    roots: list[int] = []
    for pk, parent_id, manager_id in Team.objects.values_list("id", "parent_id", "manager_id"):
        children[parent_id].append(pk)
        if manager_id == manager.pk:
            roots.append(pk)
    result: set[int] = set()
    stack = list(roots)
    while stack:
        pk = stack.pop()
        if pk not in result:
            result.add(pk)
            stack.extend(children.get(pk, []))
    manager._baton_managed_team_ids = frozenset(result)  # type: ignore[attr-defined]
    return result


def can_adjust(manager: User, subject: User, managed: set[int] | None = None) -> bool:
    """A manager may adjust the people of the teams they manage (and sub-teams), never their own number."""
    if manager.pk == subject.pk or not manager.is_active:
        return False
    if manager.is_admin:
        return True
    if managed is None:
        managed = managed_team_ids(manager)
    return subject.team_id is not None and subject.team_id in managed


def compute_forecast(user: User, period: Period, *, today: dt.date | None = None) -> Forecast:
    today = today or timezone.localdate()
    rates = Rates()
    currencies: set[str] = set()  # the currencies of the deals counted, for the missing-rate warning
    by_owner = _numbers_by_owner(user, period, rates, today, currencies)
    user_quotas, team_quotas = _quota_lookup(period)
    team_ids = scope_team_ids(user)
    teams = {t.pk: t for t in Team.objects.filter(pk__in=team_ids).order_by("name")}
    people = list(User.objects.filter(Q(team_id__in=team_ids) | Q(pk=user.pk)).order_by("display_name", "id"))
    adjustments = latest_adjustments(period, [p.pk for p in people])
    managed = managed_team_ids(user)

    def person_row(person: User, depth: int) -> Row:
        numbers = Numbers()
        numbers.add(by_owner.get(person.pk, Numbers()))
        numbers.quota = user_quotas.get(person.pk)
        numbers.commit_call = numbers.commit
        numbers.best_case_call = numbers.best_case
        adj_rows = []
        for category in (ForecastAdjustment.Category.COMMIT, ForecastAdjustment.Category.BEST_CASE):
            adj = adjustments.get((person.pk, category))
            if adj is not None:
                adj_rows.append(adj)
                numbers.adjusted = True
                if category == ForecastAdjustment.Category.COMMIT:
                    numbers.commit_call = adj.amount
                else:
                    numbers.best_case_call = adj.amount
        return Row(
            "user",
            person.pk,
            str(person),
            depth,
            numbers,
            adjustments=adj_rows,
            can_adjust=can_adjust(user, person, managed),
        )

    members: dict[int | None, list[User]] = defaultdict(list)
    for person in people:
        members[person.team_id if person.team_id in teams else None].append(person)

    def team_row(team: Team, depth: int) -> Row:
        row = Row("team", team.pk, team.name, depth, Numbers())
        for person in members.get(team.pk, []):
            row.children.append(person_row(person, depth + 1))
        for child in teams.values():
            if child.parent_id == team.pk:
                row.children.append(team_row(child, depth + 1))
        child_quota = ZERO
        any_quota = False
        for child_row in row.children:
            row.numbers.add(child_row.numbers)
            if child_row.numbers.quota is not None:
                child_quota += child_row.numbers.quota
                any_quota = True
        own = team_quotas.get(team.pk)
        row.numbers.quota = own if own is not None else (child_quota if any_quota else None)
        return row

    roots = [t for t in teams.values() if t.parent_id not in teams]
    rows = [team_row(t, 0) for t in roots]
    for person in members.get(None, []):
        rows.insert(0, person_row(person, 0))
    # Deals the reader may read through a share or an organisation-wide default, owned by people
    # outside the teams above: their owners under one group, with no quota (not the reader's to see).
    outside = set(by_owner) - {p.pk for p in people}
    if outside:
        shared = Row("shared", 0, gettext("Shared with you"), 0, Numbers())
        for person in User.objects.filter(pk__in=outside).order_by("display_name", "id"):
            row = person_row(person, 1)
            row.numbers.quota = None
            row.can_adjust = False
            shared.children.append(row)
            shared.numbers.add(row.numbers)
        rows.append(shared)
    total = Numbers()
    quota_total = ZERO
    any_quota = False
    for row in rows:
        total.add(row.numbers)
        if row.numbers.quota is not None:
            quota_total += row.numbers.quota
            any_quota = True
    total.quota = quota_total if any_quota else None
    missing = sorted({c for c in currencies if not rates.known(c)})
    return Forecast(period=period, rows=rows, total=total, missing_rates=missing)


def owners_of(row: Row) -> list[int]:
    """The people whose deals make up a row's numbers (the row itself, or every person under a team)."""
    return [r.id for r in row.flatten() if r.kind == "user"]


def find_row(forecast: Forecast, kind: str, pk: int) -> Row | None:
    for root in forecast.rows:
        for row in root.flatten():
            if row.kind == kind and row.id == pk:
                return row
    return None


__all__ = ["MEASURES", "Forecast", "Numbers", "Row", "add_months", "compute_forecast"]
