"""Permission-aware reads of The Model: queues, a record's stage history, the records behind a number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from baton.core import records
from baton.core.models import Role, User
from baton.process.access import receiving_department_ids
from baton.process.facts import record_model
from baton.process.models import Department, HandOff, RecordKind, Recycle, StageHistory


def readable_rows(user: User | Any) -> Q | None:
    """Stays, hand-offs and recycles of records the user may read, by the one rule of ``core.records``
    (``visible_to`` of each record kind). None means "everything" (administrators)."""
    if user.is_admin:
        return None
    cond = Q(pk__in=[])
    for kind in RecordKind.values:
        visible = record_model(kind)._default_manager.visible_to(user).values("id")
        cond |= Q(record_kind=kind, record_id__in=visible)
    return cond


def restrict(qs: QuerySet, user: User | Any) -> QuerySet:
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    cond = readable_rows(user)
    return qs if cond is None else qs.filter(cond)


def get_record_for_user(user: User | Any, kind: str, pk: Any) -> Any:
    """A lead, opportunity or account (the kinds The Model moves) the user may see, or 404."""
    return records.get_record_for_user(user, kind, pk, kinds=RecordKind.values)


def stage_history(kind: str, record_id: int) -> QuerySet[StageHistory]:
    return (
        StageHistory.objects.filter(record_kind=kind, record_id=record_id)
        .select_related("stage__department", "from_stage", "to_stage", "actor")
        .order_by("entered_at", "id")
    )


def follow_up_queue(user: User, *, today: dt.date | None = None) -> QuerySet[Recycle]:
    today = today or timezone.localdate()
    qs = Recycle.objects.filter(followed_up_at__isnull=True, follow_up_on__lte=today)
    return restrict(qs, user).select_related("from_stage", "to_stage", "owner").order_by("follow_up_on", "id")


def departments_of(user: User) -> list[Department]:
    departments = list(Department.objects.filter(is_archived=False))
    if user.is_admin or user.role == Role.SALES_MANAGER:
        return departments
    return [d for d in departments if user.role in (d.roles or [])]


def handoff_queue(user: User) -> QuerySet[HandOff]:
    """Pending hand-offs the user may act on or waits on: only of records the user may read (the
    receiving department reads what is offered to it, see ``process.access``)."""
    qs = restrict(HandOff.objects.filter(status=HandOff.Status.PENDING), user)
    return qs.select_related("from_stage", "to_stage__department", "owner").order_by("requested_at", "id")


def attach_records(rows: list[Any]) -> list[Any]:
    """Set ``row.record`` for stays, hand-offs and recycles: one query per record kind, never per row."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        wanted.setdefault(row.record_kind, set()).add(row.record_id)
    found: dict[tuple[str, int], Any] = {}
    for kind, ids in wanted.items():
        for pk, record in record_model(kind)._default_manager.in_bulk(list(ids)).items():
            found[(kind, pk)] = record
    for row in rows:
        row.record = found.get((row.record_kind, row.record_id))
    return rows


def overdue_handoffs_to(user: User, *, now: dt.datetime | None = None) -> list[HandOff]:
    """Pending hand-offs addressed to a department the user receives for (customer success for a CSM)
    and past their deadline, oldest first, with ``record`` and ``url`` set (bounded queries)."""
    now = now or timezone.now()
    departments = receiving_department_ids(user)
    if not departments:
        return []
    qs = restrict(
        HandOff.objects.filter(
            status=HandOff.Status.PENDING, to_stage__department_id__in=departments, due_at__lt=now
        ),
        user,
    )
    rows = attach_records(list(qs.select_related("to_stage__department").order_by("due_at", "id")[:50]))
    for row in rows:
        row.url = records.record_url(row.record_kind, row.record_id)
    return rows
