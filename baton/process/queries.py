"""Permission-aware reads of The Model: queues, a record's stage history, the records behind a number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from baton.core.models import Role, User
from baton.core.records import get_for_user, visible_team_ids
from baton.process.facts import record_model
from baton.process.models import Department, HandOff, RecordKind, Recycle, StageHistory


def owned_filter(user: User | Any) -> Q | None:
    """The same visibility rule as ``OwnedQuerySet.visible_to``, on the owner/team copied into our rows.

    None means "everything" (administrators)."""
    if user.is_admin:
        return None
    return Q(owner_id=user.pk) | Q(team_id__in=visible_team_ids(user))


def restrict(qs: QuerySet, user: User | Any) -> QuerySet:
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    cond = owned_filter(user)
    return qs if cond is None else qs.filter(cond)


def get_record_for_user(user: User, kind: str, pk: Any) -> Any:
    if kind not in RecordKind.values:
        from django.http import Http404

        raise Http404("Not found")
    model = record_model(kind)
    return get_for_user(model._default_manager.all(), user, pk)


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
    """Pending hand-offs into the user's departments, plus the ones the user's own records wait on."""
    dept_ids = [d.pk for d in departments_of(user)]
    qs = HandOff.objects.filter(status=HandOff.Status.PENDING)
    mine = owned_filter(user)
    cond = Q(to_stage__department_id__in=dept_ids)
    if mine is not None:
        cond |= mine
        qs = qs.filter(cond)
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


def record_url(kind: str, record_id: int) -> str:
    from django.urls import NoReverseMatch, reverse

    names = {"lead": "leads:detail", "opportunity": "deals:detail", "account": "accounts:detail"}
    try:
        return reverse(names[kind], args=[record_id])
    except (NoReverseMatch, KeyError):
        return reverse("process:record", args=[kind, record_id])
