"""Reading the factory floor's daily snapshots (``floor_build``) for one window and one reader.

``plan`` decides which days of a window come from the snapshots (closed, built, not dirty) and which
are computed live (today, days not built yet, dirty days). It returns None -- everything live -- when
the window does not start and end at local midnights, when the floor is filtered by source, company
size or industry (not kept in the cells), when stays were bulk-written since the last run, or when the
reader sees more than the ownership rule can say over owner and team:

- an administrator reads every cell (the coarse grain when the floor is not filtered by team or owner);
- anyone else reads the fine cells of records they own or of their teams (``rec_owner``/``rec_team``),
  which is exactly ``visible_to`` when every customer kind uses the *team* default, nothing is shared
  with them, and no relationship grant (deal team, hand-off receiver, CSM, ...) gives them a record
  beyond their own; otherwise the floor is computed live for them, as before.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from baton.core.models import RecordShare, SharingDefault, SharingMode, User
from baton.core.partner_fence import is_partner_user
from baton.core.records import grants_for, owned_q, visible_team_ids
from baton.process.facts import record_model
from baton.process.floor_build import (
    DAY,
    MAX_BUCKET,
    MAX_RANGES,
    local_day,
    midnight,
    range_q,
    ranges_of,
    sla_map,
)
from baton.process.models import FloorDay, FloorDirtyDay, FloorState, RecordKind, StageHistory


@dataclass
class Plan:
    snap: list[tuple[dt.date, dt.date]]  # day ranges summed from the cells
    live: list[tuple[dt.date, dt.date]]  # day ranges of the window computed from the history
    cut: dt.datetime
    cells: Q  # the cells this reader and these filters cover
    # The stays this reader sees, said by ownership alone (None: all). Equal to ``readable_rows`` when
    # the cells can describe the reader, and far cheaper than its OR of relationship grants.
    rows: Q | None = None


def reader_scope(user: User | None) -> Q | bool | None:
    """Cells a reader sees: None for every cell, a condition on the record's owner and team, or False
    when the reader's visibility cannot be said over those two columns (read live)."""
    if user is None or user.is_admin:
        return None
    if not (user.is_authenticated and user.is_active) or is_partner_user(user):
        return False
    labels = [record_model(kind)._meta.label_lower for kind in RecordKind.values]
    if SharingDefault.objects.filter(record_type__in=labels).exclude(mode=SharingMode.TEAM).exists():
        return False
    teams = visible_team_ids(user)
    if (
        RecordShare.objects.filter(Q(user_id=user.pk) | Q(team_id__in=teams), record_type__in=labels)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .exists()
    ):
        return False
    for kind in RecordKind.values:
        model = record_model(kind)
        for grant in grants_for(model):
            extra = grant.rule(user)
            if extra is not None and model._default_manager.filter(extra).exclude(owned_q(user)).exists():
                return False
    return Q(rec_owner_id=user.pk) | Q(rec_team_id__in=teams)


def _is_midnight(value: dt.datetime) -> bool:
    return value == midnight(local_day(value))


def plan(start: dt.datetime, end: dt.datetime, filters: Any, user: User | None) -> Plan | None:
    if not (_is_midnight(start) and _is_midnight(end)) or filters.source or filters.size or filters.industry:
        return None
    state = FloorState.objects.filter(pk=1).first()
    if state is None or state.built_through is None or state.built_from is None or state.cut is None:
        return None
    if state.sla != sla_map():  # the breach counts were made with other SLAs: rebuilt next run
        return None
    first, after = local_day(start), local_day(end)
    lo, hi = max(first, state.built_from), min(after, state.built_through)
    if lo >= hi:
        return None
    # Stays written since the last run into days already built (a bulk import): all live until it runs.
    if StageHistory.objects.filter(
        id__gt=state.max_stay_id, entered_at__lt=midnight(state.built_through)
    ).exists():
        return None
    scope = reader_scope(user)
    if scope is False:
        return None
    dirty = set(FloorDirtyDay.objects.filter(day__gte=lo, day__lt=hi).values_list("day", flat=True))
    snap_days = [lo + dt.timedelta(days=i) for i in range((hi - lo).days)]
    snap_days = [d for d in snap_days if d not in dirty]
    all_days = {first + dt.timedelta(days=i) for i in range((after - first).days)}
    snap = ranges_of(snap_days)
    live = ranges_of(all_days - set(snap_days))
    if not snap or len(live) > MAX_RANGES or len(snap) > MAX_RANGES:
        return None
    cells = Q(grain=1) if (scope is not None or filters.team or filters.owner) else Q(grain=0)
    if filters.team:
        cells &= Q(team_id=filters.team)
    if filters.owner:
        cells &= Q(owner_id=filters.owner)
    rows = None
    if isinstance(scope, Q):
        cells &= scope
        rows = Q(pk__in=[])
        for kind in RecordKind.values:
            owned = record_model(kind)._default_manager.filter(owned_q(user)).values("id")
            rows |= Q(record_kind=kind, record_id__in=owned)
    return Plan(snap, live, state.cut, cells, rows)


def _day_q(p: Plan) -> Q:
    cond = Q(pk__in=[])
    for a, b in p.snap:
        cond |= Q(day__gte=a, day__lt=b)
    return cond


def _week(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def arrival_rows(p: Plan, base: QuerySet[StageHistory]) -> list[dict[str, Any]]:
    """Rows like the live arrivals query (stage, next stage, week, n, and whether they are arrivals):
    the cells of the snapshot days, then the stays of those days that left after the cut (counted as
    open in the cells: conversions only)."""
    rows: list[dict[str, Any]] = []
    for row in (
        FloorDay.objects.filter(p.cells, _day_q(p), side="in")
        .values("stage_id", "to_stage_id", "day")
        .annotate(total=Sum("n"))
        .order_by()
    ):
        rows.append(
            {
                "stage_id": row["stage_id"],
                "to_stage_id": row["to_stage_id"],
                "week": _week(row["day"]),
                "n": row["total"],
                "arrival": True,
            }
        )
    moved = (
        base.filter(range_q("entered_at", p.snap), left_at__gte=p.cut, to_stage__isnull=False)
        .annotate(week=TruncWeek("entered_at"))
        .values("stage_id", "to_stage_id", "week")
        .annotate(n=Count("*"))
        .order_by()
    )
    for moved_row in moved:
        rows.append({**moved_row, "arrival": False})
    return rows


def exit_rows(p: Plan) -> list[dict[str, Any]]:
    """Rows like the live exits query: stays that left in the snapshot days, by stage and next stage."""
    return [
        {"stage_id": r["stage_id"], "to_stage_id": r["to_stage_id"], "n": r["total"], "late": r["breaches"]}
        for r in FloorDay.objects.filter(p.cells, _day_q(p), side="out")
        .values("stage_id", "to_stage_id")
        .annotate(total=Sum("n"), breaches=Sum("late"))
        .order_by()
    ]


def dwell_percentiles(
    p: Plan, base: QuerySet[StageHistory], start: dt.datetime, end: dt.datetime
) -> dict[int, tuple[float | None, float | None]]:
    """stage id -> exact (median, p90) of the dwell seconds of the stays that left in the window.

    The cells and the live days give, per stage, how many stays fell in each whole-day dwell bucket with
    the bucket's smallest and largest dwell. The value at a rank is the bucket's minimum or maximum when
    the rank is its first or last (or all its stays dwelt alike); otherwise one indexed query reads it
    among the stays of that stage, window and bucket."""
    buckets: dict[int, dict[int, list[Any]]] = {}

    def add(stage_id: int, bucket: int, n: int, lo: int, hi: int) -> None:
        cell = buckets.setdefault(stage_id, {}).get(bucket)
        if cell is None:
            buckets[stage_id][bucket] = [n, lo, hi]
        else:
            cell[0] += n
            cell[1] = min(cell[1], lo)
            cell[2] = max(cell[2], hi)

    for r in (
        FloorDay.objects.filter(p.cells, _day_q(p), side="out")
        .values("stage_id", "bucket")
        .annotate(total=Sum("n"), lo=Min("dwell_min"), hi=Max("dwell_max"))
        .order_by()
    ):
        add(r["stage_id"], int(r["bucket"] or 0), r["total"], r["lo"], r["hi"])
    if p.live:
        for stage_id, seconds in base.filter(range_q("left_at", p.live)).values_list(
            "stage_id", "dwell_seconds"
        ):
            if seconds is not None:
                b = min(seconds // DAY, MAX_BUCKET)
                add(stage_id, b, 1, seconds, seconds)

    def value_at(stage_id: int, rank: int) -> float:
        seen = 0
        for b in sorted(buckets[stage_id]):
            n, lo, hi = buckets[stage_id][b]
            if rank < seen + n:
                offset = rank - seen
                if offset == 0 or lo == hi:
                    return float(lo)
                if offset == n - 1:
                    return float(hi)
                within = base.filter(
                    stage_id=stage_id, left_at__gte=start, left_at__lt=end, dwell_seconds__gte=b * DAY
                )
                if b < MAX_BUCKET:
                    within = within.filter(dwell_seconds__lt=(b + 1) * DAY)
                found = within.order_by("dwell_seconds").values_list("dwell_seconds", flat=True)[offset]
                return float(found or 0)
            seen += n
        raise ValueError("rank beyond the counted stays")

    out: dict[int, tuple[float | None, float | None]] = {}
    for stage_id, cells in buckets.items():
        total = sum(c[0] for c in cells.values())
        if not total:
            continue
        values = []
        for fraction in (0.5, 0.9):
            position = (total - 1) * fraction
            low, high = math.floor(position), math.ceil(position)
            a = value_at(stage_id, low)
            above = a if high == low else value_at(stage_id, high)
            values.append(a + (above - a) * (position - low))
        out[stage_id] = (values[0], values[1])
    return out
