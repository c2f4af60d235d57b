"""Daily pre-aggregates of the factory floor: building them, and marking days that must be rebuilt.

A closed local day (Asia/Seoul) is summed once into ``FloorDay`` cells (see the model); the floor then
adds up the cells of the closed days of a window and computes only today (and any day not built or
marked dirty) live from the stage history, so a year costs about as much as a week.

What keeps the cells equal to the live computation:

- **Where a stay went.** An "in" cell counts the stays that entered that day by the stage they left to
  *as of the snapshot's cut* (``FloorState.cut``). A stay that closes after the cut was counted as
  open; the floor adds those few stays (``left_at >= cut``) live, and the next run rebuilds the days
  they entered on and moves the cut on. Moving a record therefore costs no extra query.
- **Back-dated writes.** A process write with an ``at`` older than ``MARGIN`` (an import through the
  services, a stage-history correction) marks the days it touches dirty (``mark_days_dirty``); the
  floor reads dirty days live until the worker rebuilds them. Stays inserted by other means (bulk
  imports, SQL) are found by id: the floor reads everything live while a stay newer than the last run
  entered before the built days' end, and the next run rebuilds those days.
- **Who may see what.** Fine cells keep the record's owner and team at build time; a record given to
  another owner or team marks the days of its stays dirty (``mark_record_dirty``, from the process's
  own refresh of the open stay). A change of a stage's SLA makes the next run rebuild everything.
- Rows committed later than ``MARGIN`` after their ``at`` (a transaction open that long) are not seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Least, TruncDate
from django.utils import timezone

from baton.process.facts import record_model
from baton.process.models import FloorDay, FloorDirtyDay, FloorState, ProcessStage, RecordKind, StageHistory

DAY = 86400
#: Dwell buckets are whole days; the last one holds every stay of a year or more.
MAX_BUCKET = 365
#: How long a write may take to commit: the snapshot never trusts the last few minutes.
MARGIN = dt.timedelta(minutes=5)
#: Above this many separate day ranges a window is read live rather than as a long OR.
MAX_RANGES = 40

COLUMNS = [
    "day",
    "grain",
    "side",
    "stage_id",
    "to_stage_id",
    "owner_id",
    "team_id",
    "rec_owner_id",
    "rec_team_id",
    "bucket",
    "n",
    "late",
    "dwell_min",
    "dwell_max",
]


def tz() -> Any:
    return timezone.get_default_timezone()


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz())


def local_day(value: dt.datetime) -> dt.date:
    return value.astimezone(tz()).date()


def ranges_of(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as half-open ``[first, after_last)`` runs of consecutive days."""
    out: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if out and out[-1][1] == day:
            out[-1] = (out[-1][0], day + dt.timedelta(days=1))
        else:
            out.append((day, day + dt.timedelta(days=1)))
    return out


def range_q(field: str, ranges: list[tuple[dt.date, dt.date]]) -> Q:
    cond = Q(pk__in=[])
    for a, b in ranges:
        cond |= Q(**{f"{field}__gte": midnight(a), f"{field}__lt": midnight(b)})
    return cond


def sla_map() -> dict[str, int | None]:
    return {str(pk): sla for pk, sla in ProcessStage.objects.values_list("id", "sla_max_days")}


def _record_dim(column: str) -> Case:
    """The record's current owner or team, for each kind of record a stay can belong to."""
    whens = [
        When(
            record_kind=kind,
            then=Subquery(
                record_model(kind)._default_manager.filter(pk=OuterRef("record_id")).values(column)[:1]
            ),
        )
        for kind in RecordKind.values
    ]
    return Case(*whens, default=Value(None), output_field=IntegerField())


def _cells(side: str, grain: int, ranges: list[tuple[dt.date, dt.date]], cut: dt.datetime) -> QuerySet:
    """The grouped query of one side and grain over some days; every column aliased ``c_<name>``."""
    field = "entered_at" if side == "in" else "left_at"
    qs = StageHistory.objects.filter(range_q(field, ranges)).order_by()
    dims: dict[str, Any] = {"c_day": TruncDate(field, tzinfo=tz()), "c_stage_id": F("stage_id")}
    if side == "in":
        dims["c_to_stage_id"] = Case(
            When(left_at__lt=cut, then=F("to_stage_id")), default=Value(None), output_field=IntegerField()
        )
    else:
        dims["c_to_stage_id"] = F("to_stage_id")
        dims["c_bucket"] = Least(F("dwell_seconds") / Value(DAY), Value(MAX_BUCKET))
    if grain:
        dims.update(
            c_owner_id=F("owner_id"),
            c_team_id=F("team_id"),
            c_rec_owner_id=_record_dim("owner_id"),
            c_rec_team_id=_record_dim("team_id"),
        )
    aggregates: dict[str, Any] = {"c_n": Count("*")}
    if side == "out":
        late = Q(pk__in=[])
        for pk, sla in ProcessStage.objects.filter(sla_max_days__isnull=False).values_list(
            "id", "sla_max_days"
        ):
            late |= Q(stage_id=pk, dwell_seconds__gt=(sla or 0) * DAY)
        aggregates.update(
            c_late=Sum(Case(When(late, then=Value(1)), default=Value(0), output_field=IntegerField())),
            c_dwell_min=Min("dwell_seconds"),
            c_dwell_max=Max("dwell_seconds"),
        )
    return qs.annotate(**dims).values(*dims).annotate(**aggregates)


def _insert(side: str, grain: int, ranges: list[tuple[dt.date, dt.date]], cut: dt.datetime) -> None:
    inner, params = _cells(side, grain, ranges, cut).query.sql_with_params()
    quote = connection.ops.quote_name
    fixed = {"grain": str(grain), "side": f"'{side}'"}  # constants of this file, never input
    present = {"day", "stage_id", "to_stage_id", "n"}
    if side == "out":
        present |= {"bucket", "late", "dwell_min", "dwell_max"}
    if grain:
        present |= {"owner_id", "team_id", "rec_owner_id", "rec_team_id"}
    select = []
    for name in COLUMNS:
        if name in fixed:
            select.append(fixed[name])
        elif name in present:
            select.append(f"sub.{quote('c_' + name)}")
        elif name in ("late",):
            select.append("0")
        else:
            select.append("NULL")
    table = quote(FloorDay._meta.db_table)
    # Table, column names and constants come from this file; the inner query's values stay parameters.
    head = f"INSERT INTO {table} ({', '.join(quote(c) for c in COLUMNS)}) "
    sql = head + f"SELECT {', '.join(select)} FROM ({inner}) sub"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def build_days(days: Iterable[dt.date], cut: dt.datetime) -> int:
    """Replace the cells of ``days`` (closed days) with fresh ones; returns how many days."""
    runs = ranges_of(days)
    if not runs:
        return 0
    for start in range(0, len(runs), MAX_RANGES):
        chunk = runs[start : start + MAX_RANGES]
        cond = Q(pk__in=[])
        for a, b in chunk:
            cond |= Q(day__gte=a, day__lt=b)
        FloorDay.objects.filter(cond).delete()
        for side in ("in", "out"):
            for grain in (0, 1):
                _insert(side, grain, chunk, cut)
    return sum((b - a).days for a, b in runs)


def _days_of(qs: QuerySet[StageHistory], field: str) -> set[dt.date]:
    return {
        d for d in qs.annotate(d=TruncDate(field, tzinfo=tz())).values_list("d", flat=True).distinct() if d
    }


def refresh(*, now: dt.datetime | None = None, full: bool = False) -> dict[str, Any]:
    """Bring the snapshots up to date (the worker's periodic job, and ``rebuild_floor_snapshots``):
    build the days closed since the last run, rebuild dirty days and the days whose stays moved since the
    cut, then move the cut on. ``full`` rebuilds every day. One transaction: readers see before or after."""
    now = now or timezone.now()
    cut = now - MARGIN
    through = local_day(cut)  # days before this one ended before the cut
    with transaction.atomic():
        state = FloorState.objects.select_for_update().filter(pk=1).first() or FloorState(pk=1)
        max_id = StageHistory.objects.order_by("-id").values_list("id", flat=True).first() or 0
        marks = list(FloorDirtyDay.objects.filter(marked_at__lte=now).values_list("id", "day"))
        slas = sla_map()
        first = StageHistory.objects.order_by("entered_at").values_list("entered_at", flat=True).first()
        first_day = local_day(first) if first else through
        built_from: dt.date | None
        rebuild_all = full or state.built_through is None or state.cut is None or state.sla != slas
        if rebuild_all:
            FloorDay.objects.all().delete()
            days = _all_days(first_day, through)
            built_from = first_day
        else:
            assert state.built_through is not None and state.cut is not None
            old_end = midnight(state.built_through)
            days = {d for _, d in marks}
            # Stays that left since the cut: the days they entered on know them as open.
            days |= _days_of(
                StageHistory.objects.filter(left_at__gte=state.cut, left_at__lt=cut), "entered_at"
            )
            # Stays written since the last run that belong to days already built (bulk imports).
            newer = StageHistory.objects.filter(id__gt=state.max_stay_id, entered_at__lt=old_end)
            days |= _days_of(newer, "entered_at") | _days_of(newer.filter(left_at__lt=old_end), "left_at")
            days = {d for d in days if d < state.built_through}
            days |= _all_days(state.built_through, through)
            built_from = min([state.built_from or first_day, *days]) if days else state.built_from
        built = build_days(days, cut)
        state.built_from = built_from
        state.built_through = through
        state.cut = cut
        state.max_stay_id = max_id
        state.sla = slas
        state.save()
        # A day marked again while this ran keeps its newer mark (rebuilt next time).
        FloorDirtyDay.objects.filter(id__in=[pk for pk, _ in marks], marked_at__lte=now).delete()
    return {"days": built, "full": rebuild_all, "through": through.isoformat()}


def _all_days(first: dt.date, end: dt.date) -> set[dt.date]:
    return {first + dt.timedelta(days=i) for i in range(max(0, (end - first).days))}


# --- invalidation -------------------------------------------------------------------------------------


def mark_days_dirty(days: Iterable[dt.date], *, now: dt.datetime | None = None) -> None:
    """The snapshots of ``days`` no longer match the history: read them live until they are rebuilt."""
    now = now or timezone.now()
    for day in set(days):
        FloorDirtyDay.objects.update_or_create(day=day, defaults={"marked_at": now})


def is_backdated(at: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """A write recorded as of a time the snapshot may already have summed (older than ``MARGIN``)."""
    return at is not None and at < (now or timezone.now()) - MARGIN


def mark_stay_dirty(stay: StageHistory) -> None:
    """A stay written with a back-dated time: the days it entered and left on."""
    days = [local_day(stay.entered_at)]
    if stay.left_at is not None:
        days.append(local_day(stay.left_at))
    mark_days_dirty(days)


def mark_record_dirty(kind: str, record_id: int) -> None:
    """A record changed owner or team: every day its stays entered or left on (fine cells keep the
    record's owner and team, which decide who sees them)."""
    stays = StageHistory.objects.filter(record_kind=kind, record_id=record_id)
    days = {local_day(e) for e in stays.values_list("entered_at", flat=True)}
    days |= {local_day(left) for left in stays.values_list("left_at", flat=True) if left is not None}
    mark_days_dirty(days)
