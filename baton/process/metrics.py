"""Flow metrics of the revenue factory, per stage and per transition, from the stage history.

Definitions (a period is ``[start, end)``):

- arrivals(S): stays that entered S in the period.
- conversions(S→T): of those arrivals, the ones whose next stage was T (a cohort, so the rate is
  conversions / arrivals and never exceeds 100 %). conversion rate(S) counts forward moves only
  (to a later open or won stage), not recycles, regressions or losses.
- flow(S→T): transitions from S to T that happened in the period (the number on an arrow).
- dwell median / p90: durations of the stays in S that ended in the period (continuous percentiles,
  like PostgreSQL's ``percentile_cont``).
- WIP: stays open now. throughput: forward exits in the period (and per week).
- SLA breaches: stays that ended in the period after more than the stage's maximum days, plus open
  stays already older than that; hand-offs decided after (or still pending past) their due time.
- recycle yield: records recycled in the period that later reached a qualified milestone (SQL) or a
  stage after it.
- bottleneck: the open stage with the longest expected wait by Little's law, WIP / daily throughput
  (a stage with WIP and no throughput ranks first); ties broken by the median dwell.

Everything is a handful of grouped SQL aggregates over indexed columns; only the percentiles fall
back to Python on SQLite, which has no ``percentile_cont``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Aggregate, Count, Exists, F, FloatField, OuterRef, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from baton.core.models import User
from baton.process import floor_read
from baton.process.floor_build import range_q
from baton.process.models import HandOff, ProcessStage, Recycle, StageHistory
from baton.process.queries import readable_rows

DAY = 86400


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(f) WITHIN GROUP (ORDER BY expr)``."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentile(values: list[float], fraction: float) -> float | None:
    """Continuous percentile with linear interpolation (same as ``percentile_cont``)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Filters:
    """Team, owner, source and segment (company size, industry): copied onto every stay, hand-off and
    recycle, so each metric filters the same way without joining the record tables."""

    team: int | None = None
    owner: int | None = None
    source: str = ""
    size: str = ""
    industry: str = ""

    def q(self) -> Q:
        cond = Q()
        if self.team:
            cond &= Q(team_id=self.team)
        if self.owner:
            cond &= Q(owner_id=self.owner)
        for name in ("source", "size", "industry"):
            if getattr(self, name):
                cond &= Q(**{name: getattr(self, name)})
        return cond

    def as_dict(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "owner": self.owner,
            "source": self.source,
            "size": self.size,
            "industry": self.industry,
        }


@dataclass
class StageMetrics:
    stage: ProcessStage
    arrivals: int = 0
    wip: int = 0
    exits: int = 0
    throughput: int = 0
    throughput_per_week: float = 0.0
    forward_conversions: int = 0
    conversion_rate: float | None = None
    dwell_median_days: float | None = None
    dwell_p90_days: float | None = None
    sla_breaches: int = 0
    handoffs_offered: int = 0
    handoffs_accepted: int = 0
    handoffs_rejected: int = 0
    handoffs_pending: int = 0
    handoff_sla_breaches: int = 0
    recycled_out: int = 0
    bottleneck_score: float | None = None
    bottleneck_rank: int | None = None
    conversions: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage.key,
            "name": str(self.stage),
            "department": self.stage.department.key,
            "record_kind": self.stage.record_kind,
            "outcome": self.stage.outcome,
            "arrivals": self.arrivals,
            "wip": self.wip,
            "exits": self.exits,
            "throughput": self.throughput,
            "throughput_per_week": round(self.throughput_per_week, 2),
            "forward_conversions": self.forward_conversions,
            "conversion_rate": None if self.conversion_rate is None else round(self.conversion_rate, 4),
            "dwell_median_days": _round(self.dwell_median_days),
            "dwell_p90_days": _round(self.dwell_p90_days),
            "sla_breaches": self.sla_breaches,
            "handoffs_offered": self.handoffs_offered,
            "handoffs_accepted": self.handoffs_accepted,
            "handoffs_rejected": self.handoffs_rejected,
            "handoffs_pending": self.handoffs_pending,
            "handoff_sla_breaches": self.handoff_sla_breaches,
            "recycled_out": self.recycled_out,
            "bottleneck_score": None if self.bottleneck_score is None else _round(self.bottleneck_score),
            "bottleneck_rank": self.bottleneck_rank,
        }


def _round(value: float | None) -> float | None:
    if value is None:
        return None
    if math.isinf(value):
        return None
    return round(value, 2)


@dataclass
class TransitionMetrics:
    from_stage: ProcessStage
    to_stage: ProcessStage
    conversions: int = 0
    rate: float | None = None
    flow: int = 0
    forward: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.from_stage.key,
            "to": self.to_stage.key,
            "conversions": self.conversions,
            "rate": None if self.rate is None else round(self.rate, 4),
            "flow": self.flow,
            "forward": self.forward,
        }


@dataclass
class FlowMetrics:
    start: dt.datetime
    end: dt.datetime
    filters: Filters
    stages: list[StageMetrics]
    transitions: list[TransitionMetrics]
    recycled: int = 0
    recycle_yield: int = 0
    bottleneck: StageMetrics | None = None
    # Conversion over time: the Mondays of the period, and per stage id the (arrivals, forward
    # conversions) of the stays that entered in each of those weeks (the same cohort definition).
    weeks: list[dt.date] = field(default_factory=list)
    weekly: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def weekly_rates(self, stage: ProcessStage) -> list[float | None]:
        return [conv / n if n else None for n, conv in self.weekly.get(stage.pk, [])]

    @property
    def recycle_yield_rate(self) -> float | None:
        return self.recycle_yield / self.recycled if self.recycled else None

    def stage(self, key: str) -> StageMetrics:
        return next(m for m in self.stages if m.stage.key == key)

    def transition(self, a: str, b: str) -> TransitionMetrics | None:
        return next((t for t in self.transitions if t.from_stage.key == a and t.to_stage.key == b), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "filters": self.filters.as_dict(),
            "stages": [m.as_dict() for m in self.stages],
            "transitions": [t.as_dict() for t in self.transitions],
            "recycled": self.recycled,
            "recycle_yield": self.recycle_yield,
            "recycle_yield_rate": None
            if self.recycle_yield_rate is None
            else round(self.recycle_yield_rate, 4),
            "bottleneck": self.bottleneck.stage.key if self.bottleneck else None,
            "weekly_conversion": {
                "weeks": [w.isoformat() for w in self.weeks],
                "stages": {
                    m.stage.key: [
                        {"arrivals": n, "conversions": c, "rate": None if not n else round(c / n, 4)}
                        for n, c in self.weekly.get(m.stage.pk, [])
                    ]
                    for m in self.stages
                    if m.stage.pk in self.weekly
                },
            },
        }


def _base(user: User | None, filters: Filters) -> QuerySet[StageHistory]:
    qs = StageHistory.objects.filter(filters.q())
    if user is not None:
        cond = readable_rows(user)
        if cond is not None:
            qs = qs.filter(cond)
    return qs


def _or(conditions: list[Q]) -> Q | None:
    if not conditions:
        return None
    combined = conditions[0]
    for cond in conditions[1:]:
        combined |= cond
    return combined


def _dwell_percentiles(qs: QuerySet[StageHistory]) -> dict[int, tuple[float | None, float | None]]:
    """stage id -> (median, p90) of dwell seconds."""
    if connection.vendor == "postgresql":
        rows = qs.values("stage_id").annotate(
            median=PercentileCont("dwell_seconds", 0.5), p90=PercentileCont("dwell_seconds", 0.9)
        )
        return {r["stage_id"]: (r["median"], r["p90"]) for r in rows}
    values: dict[int, list[float]] = {}
    for stage_id, seconds in qs.values_list("stage_id", "dwell_seconds").iterator(chunk_size=5000):
        if seconds is not None:  # completed stays always have one
            values.setdefault(stage_id, []).append(float(seconds))
    return {sid: (percentile(v, 0.5), percentile(v, 0.9)) for sid, v in values.items()}


def _week_of(value: dt.datetime | dt.date) -> dt.date:
    day = timezone.localtime(value).date() if isinstance(value, dt.datetime) else value
    return day - dt.timedelta(days=day.weekday())


def flow_metrics(*args: Any, **kwargs: Any) -> FlowMetrics:
    """Flow metrics (see the module docstring). On PostgreSQL the few large aggregates run without JIT
    (compiling them costs ~100 ms each and saves nothing at this size) and with room to sort in memory."""
    if connection.vendor != "postgresql":
        return _flow_metrics(*args, **kwargs)
    outermost = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:
            # One snapshot for every query: the daily cells, their cut and the live days agree even while
            # the worker commits a refresh between two of them.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SET LOCAL jit = off")
        # The grouped scans sort a few hundred thousand narrow rows at most: keep that in memory.
        cursor.execute("SET LOCAL work_mem = '32MB'")
        return _flow_metrics(*args, **kwargs)


def _flow_metrics(
    start: dt.datetime,
    end: dt.datetime,
    *,
    filters: Filters | None = None,
    user: User | None = None,
    now: dt.datetime | None = None,
    stages: list[ProcessStage] | None = None,
    snapshots: bool = True,
) -> FlowMetrics:
    """``snapshots``: sum the closed days from the daily snapshots where they hold this window and
    reader (``floor_read.plan``); False computes every day from the stage history."""
    filters = filters or Filters()
    now = now or timezone.now()
    if stages is None:
        stages = list(
            ProcessStage.objects.select_related("department").order_by(
                "department__sequence", "sequence", "id"
            )
        )
    order = {s.pk: i for i, s in enumerate(stages)}
    by_id = {s.pk: s for s in stages}
    metrics = {s.pk: StageMetrics(s) for s in stages}
    plan = floor_read.plan(start, end, filters, user) if snapshots else None
    if plan is not None and plan.rows is not None:
        base = StageHistory.objects.filter(filters.q()).filter(plan.rows)
    else:
        base = _base(user, filters)
    if plan is None:
        in_entered = Q(entered_at__gte=start, entered_at__lt=end)
        in_left = Q(left_at__gte=start, left_at__lt=end)
    else:  # the days the snapshots do not hold
        in_entered = range_q("entered_at", plan.live)
        in_left = range_q("left_at", plan.live)

    def forward(a: int, b: int | None) -> bool:
        if b is None or b not in by_id or a not in by_id:
            return False
        return order[b] > order[a] and by_id[b].outcome in (
            ProcessStage.Outcome.OPEN,
            ProcessStage.Outcome.WON,
        )

    # 1. arrivals and cohort conversions (entered in the period), by next stage and by week of entry
    # (one scan gives the totals and the conversion-over-time chart).
    week_starts: list[dt.date] = []
    week = _week_of(start)
    while week < timezone.localtime(end).date():
        week_starts.append(week)
        week += dt.timedelta(days=7)
    week_index = {w: i for i, w in enumerate(week_starts)}
    weekly: dict[int, list[list[int]]] = {}
    rows = cast(
        list[dict[str, Any]],
        list(
            base.filter(in_entered)
            .annotate(week=TruncWeek("entered_at"))
            .values("stage_id", "to_stage_id", "week")
            .annotate(n=Count("*"))
            .order_by()
        ),
    )
    if plan is not None:
        rows += floor_read.arrival_rows(plan, base)
    for row in rows:
        m = metrics.get(row["stage_id"])
        if m is None:
            continue
        arrival = row.get("arrival", True)  # False: a stay of a snapshot day that moved on after its cut
        if arrival:
            m.arrivals += row["n"]
        if row["to_stage_id"] is not None:
            m.conversions[row["to_stage_id"]] = m.conversions.get(row["to_stage_id"], 0) + row["n"]
        i = week_index.get(_week_of(row["week"]))
        if i is not None:
            cells = weekly.setdefault(row["stage_id"], [[0, 0] for _ in week_starts])
            if arrival:
                cells[i][0] += row["n"]
            if forward(row["stage_id"], row["to_stage_id"]):
                cells[i][1] += row["n"]

    # 2. exits in the period by next stage, with completed SLA breaches.
    breach_done = _or(
        [Q(stage_id=s.pk, dwell_seconds__gt=s.sla_max_days * DAY) for s in stages if s.sla_max_days]
    )
    aggregates: dict[str, Any] = {"n": Count("*")}
    if breach_done is not None:
        aggregates["late"] = Count("stage_id", filter=breach_done)
    flows: dict[tuple[int, int], int] = {}
    # ``aggregates`` is built at run time, so the rows are plain dicts to the type checker.
    exit_rows = cast(
        list[dict[str, Any]],
        list(base.filter(in_left).values("stage_id", "to_stage_id").annotate(**aggregates).order_by()),
    )
    if plan is not None:
        exit_rows += floor_read.exit_rows(plan)
    for exit_row in exit_rows:
        m = metrics.get(exit_row["stage_id"])
        if m is None:
            continue
        m.exits += exit_row["n"]
        m.sla_breaches += int(exit_row.get("late") or 0)
        if forward(exit_row["stage_id"], exit_row["to_stage_id"]):
            m.throughput += exit_row["n"]
        if exit_row["to_stage_id"] is not None:
            key = (exit_row["stage_id"], exit_row["to_stage_id"])
            flows[key] = flows.get(key, 0) + exit_row["n"]
            if (
                by_id.get(exit_row["to_stage_id"]) is not None
                and by_id[exit_row["to_stage_id"]].is_recycle_target
                and not (forward(exit_row["stage_id"], exit_row["to_stage_id"]))
            ):
                m.recycled_out += exit_row["n"]

    # 3. work in progress now, with open stays already past their SLA.
    breach_open = _or(
        [
            Q(stage_id=s.pk, entered_at__lt=now - dt.timedelta(days=s.sla_max_days))
            for s in stages
            if s.sla_max_days
        ]
    )
    aggregates = {"n": Count("*")}
    if breach_open is not None:
        aggregates["late"] = Count("stage_id", filter=breach_open)
    open_rows = cast(
        list[dict[str, Any]],
        list(base.filter(left_at__isnull=True).values("stage_id").annotate(**aggregates).order_by()),
    )
    for open_row in open_rows:
        m = metrics.get(open_row["stage_id"])
        if m is not None:
            m.wip = open_row["n"]
            m.sla_breaches += int(open_row.get("late") or 0)

    # 4. dwell percentiles of the stays completed in the period.
    if plan is None:
        percentiles = _dwell_percentiles(base.filter(in_left))
    else:
        percentiles = floor_read.dwell_percentiles(plan, base, start, end)
    for stage_id, (median, p90) in percentiles.items():
        m = metrics.get(stage_id)
        if m is not None:
            m.dwell_median_days = None if median is None else median / DAY
            m.dwell_p90_days = None if p90 is None else p90 / DAY

    # 5. hand-offs offered in the period, by receiving stage.
    handoffs = HandOff.objects.filter(filters.q(), requested_at__gte=start, requested_at__lt=end)
    if user is not None and (cond := readable_rows(user)) is not None:
        handoffs = handoffs.filter(cond)
    late = Q(due_at__isnull=False) & (
        Q(decided_at__gt=F("due_at")) | Q(decided_at__isnull=True, due_at__lt=now)
    )
    for handoff_row in (
        handoffs.values("to_stage_id")
        .annotate(
            n=Count("id"),
            accepted=Count("id", filter=Q(status=HandOff.Status.ACCEPTED)),
            rejected=Count("id", filter=Q(status=HandOff.Status.REJECTED)),
            pending=Count("id", filter=Q(status=HandOff.Status.PENDING)),
            late=Count("id", filter=late),
        )
        .order_by()
    ):
        m = metrics.get(handoff_row["to_stage_id"])
        if m is not None:
            m.handoffs_offered = handoff_row["n"]
            m.handoffs_accepted = handoff_row["accepted"]
            m.handoffs_rejected = handoff_row["rejected"]
            m.handoffs_pending = handoff_row["pending"]
            m.handoff_sla_breaches = handoff_row["late"]

    # 6. recycle yield.
    milestones = [order[s.pk] for s in stages if s.is_qualified_milestone and not s.is_archived]
    recycles = Recycle.objects.filter(filters.q(), recycled_at__gte=start, recycled_at__lt=end)
    if user is not None and (cond := readable_rows(user)) is not None:
        recycles = recycles.filter(cond)
    recycled = recycles.count()
    recycle_yield = 0
    if milestones and recycled:
        goal_ids = [
            s.pk
            for s in stages
            if order[s.pk] >= min(milestones) and s.outcome != "lost" and s.outcome != "no_decision"
        ]
        reached = StageHistory.objects.filter(
            record_kind=OuterRef("record_kind"),
            record_id=OuterRef("record_id"),
            stage_id__in=goal_ids,
            entered_at__gt=OuterRef("recycled_at"),
        )
        recycle_yield = recycles.filter(Exists(reached)).count()

    # 7. derived numbers: rates, throughput per week, bottleneck ranking.
    weeks = max((end - start).total_seconds() / (7 * DAY), 1e-9)
    days = weeks * 7
    transitions: list[TransitionMetrics] = []
    pairs = set(flows) | {(sid, to) for sid, m in metrics.items() for to in m.conversions}
    for m in metrics.values():
        m.throughput_per_week = m.throughput / weeks
        m.forward_conversions = sum(n for to, n in m.conversions.items() if forward(m.stage.pk, to))
        m.conversion_rate = m.forward_conversions / m.arrivals if m.arrivals else None
    for a, b in sorted(pairs, key=lambda p: (order.get(p[0], 0), order.get(p[1], 0))):
        if a not in by_id or b not in by_id:
            continue
        conv = metrics[a].conversions.get(b, 0)
        arrivals = metrics[a].arrivals
        transitions.append(
            TransitionMetrics(
                by_id[a],
                by_id[b],
                conv,
                conv / arrivals if arrivals else None,
                flows.get((a, b), 0),
                forward(a, b),
            )
        )
    candidates = []
    for m in metrics.values():
        if m.stage.is_terminal or (m.stage.is_archived and not m.wip):
            continue
        if m.wip == 0 and m.throughput == 0:
            continue
        rate = m.throughput / days
        m.bottleneck_score = m.wip / rate if rate > 0 else math.inf
        candidates.append(m)
    candidates.sort(key=lambda m: (-(m.bottleneck_score or 0.0), -m.wip, -(m.dwell_median_days or 0)))
    for rank, m in enumerate(candidates, start=1):
        m.bottleneck_rank = rank
    return FlowMetrics(
        start,
        end,
        filters,
        [metrics[s.pk] for s in stages],
        transitions,
        recycled,
        recycle_yield,
        candidates[0] if candidates and (candidates[0].bottleneck_score or 0) > 0 else None,
        week_starts,
        {sid: [(n, c) for n, c in cells] for sid, cells in weekly.items()},
    )


DRILLDOWN_METRICS = ("arrivals", "wip", "exits", "throughput", "breaches", "conversions")


def drilldown(
    stage: ProcessStage,
    metric: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    filters: Filters | None = None,
    user: User | None = None,
    to_stage: ProcessStage | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[StageHistory]:
    """The stays behind one number of the factory floor (same definitions as ``flow_metrics``)."""
    filters = filters or Filters()
    now = now or timezone.now()
    qs = _base(user, filters).filter(stage=stage)
    if metric == "arrivals":
        qs = qs.filter(entered_at__gte=start, entered_at__lt=end)
    elif metric == "conversions":
        qs = qs.filter(entered_at__gte=start, entered_at__lt=end)
        qs = qs.filter(to_stage=to_stage) if to_stage is not None else qs.filter(to_stage__isnull=False)
    elif metric in ("exits", "throughput"):
        qs = qs.filter(left_at__gte=start, left_at__lt=end)
        if to_stage is not None:
            qs = qs.filter(to_stage=to_stage)
    elif metric == "wip":
        qs = qs.filter(left_at__isnull=True)
    elif metric == "breaches":
        if not stage.sla_max_days:
            return qs.none()
        limit = dt.timedelta(days=stage.sla_max_days)
        qs = qs.filter(
            Q(left_at__gte=start, left_at__lt=end, dwell_seconds__gt=stage.sla_max_days * DAY)
            | Q(left_at__isnull=True, entered_at__lt=now - limit)
        )
    else:
        raise ValueError(f"unknown metric {metric!r}")
    return qs.select_related("stage", "from_stage", "to_stage", "owner").order_by("-entered_at", "-id")
