"""The one place a stay is opened and closed, and the small reads every process write shares."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import log_change
from baton.core.models import ChangeLog, Role, User
from baton.core.records import can_edit
from baton.process.criteria import CriterionResult
from baton.process.facts import kind_of, record_model
from baton.process.floor_build import is_backdated, mark_days_dirty, mark_record_dirty, mark_stay_dirty
from baton.process.models import Department, HandOff, ProcessStage, RecordKind, StageHistory
from baton.process.services.design_cache import Design


def get_record(kind: str, record_id: int) -> Any:
    return record_model(kind)._default_manager.get(pk=record_id)


def current_stay(kind: str, record_id: int, *, lock: bool = False) -> StageHistory | None:
    qs = StageHistory.objects.filter(record_kind=kind, record_id=record_id, left_at__isnull=True)
    if lock:
        qs = qs.select_for_update(of=("self",))
    # The evidence (criteria results) is kept for history, never needed to move a record: skip decoding it.
    return qs.select_related("stage").defer("evidence", "stage__description").order_by().first()


def pending_handoff(kind: str, record_id: int) -> HandOff | None:
    return HandOff.objects.filter(
        record_kind=kind, record_id=record_id, status=HandOff.Status.PENDING
    ).first()


def _source_of(record: Any) -> str:
    return getattr(record, "source", "") or ""


def segment_of(record: Any) -> dict[str, Any]:
    """What flow metrics filter on, copied onto stays, hand-offs and recycles: owner, team, source and
    the segment (company size and industry: the lead's own, or the account's for deals and accounts)."""
    holder = record
    if kind_of(record) == RecordKind.OPPORTUNITY:
        holder = record.account
    return {
        "owner_id": record.owner_id,
        "team_id": record.team_id,
        "source": _source_of(record),
        "size": getattr(holder, "size", "") or "",
        "industry": getattr(holder, "industry", "") or "",
    }


def can_act_for(user: User, department: Department) -> bool:
    """Members of the receiving department (by role), sales managers and admins decide hand-offs."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_admin or user.role == Role.SALES_MANAGER or user.role in (department.roles or [])


def check_can_move(user: User | None, record: Any) -> None:
    if user is not None and not can_edit(user, record):
        raise PermissionDenied(_("You may not move this record."))


def leave_stay(stay: StageHistory, to_stage: ProcessStage | None, at: dt.datetime) -> None:
    stay.left_at = at
    stay.to_stage = to_stage
    stay.dwell_seconds = max(0, int((at - stay.entered_at).total_seconds()))
    stay.save(update_fields=["left_at", "to_stage", "dwell_seconds"])
    if is_backdated(at):  # the floor's snapshot may already hold these days (no query otherwise)
        mark_stay_dirty(stay)


def enter_stage(
    record: Any,
    stage: ProcessStage,
    *,
    from_stage: ProcessStage | None,
    method: str,
    actor: User | None,
    rule: str = "",
    override: bool = False,
    reason: str = "",
    evidence: dict | None = None,
    at: dt.datetime,
    version: int,
) -> StageHistory:
    stay = StageHistory.objects.create(
        record_kind=kind_of(record),
        record_id=record.pk,
        stage=stage,
        from_stage=from_stage,
        entered_at=at,
        method=method,
        actor=actor if actor is not None and actor.pk else None,
        rule=rule[:120],
        is_override=override,
        reason=reason[:300],
        evidence=evidence or {},
        design_version=version,
        **segment_of(record),
    )
    if is_backdated(at):  # the floor's snapshot may already hold this day (no query otherwise)
        mark_days_dirty([timezone.localtime(at).date()])
    # Audited on the stay itself (the record's own change log keeps the record's field changes).
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE,
        instance=stay,
        before={"stage": from_stage.key if from_stage else None},
        after={
            "record": f"{stay.record_kind}:{stay.record_id}",
            "stage": stage.key,
            "method": method,
            "override": override,
            "rule": rule[:120],
        },
        note=reason,
    )
    return stay


def audit_exit(actor: User | None, stay: StageHistory, note: str = "") -> None:
    """Audit a stay closed without a new stay for the same record (conversion, hand-over to CS)."""
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=stay,
        before={"left_at": None},
        after={
            "left_at": stay.left_at.isoformat() if stay.left_at else None,
            "to_stage": stay.to_stage.key if stay.to_stage else None,
        },
        note=note,
    )


def evidence_of(results: list[CriterionResult]) -> dict[str, Any]:
    return {"criteria": [r.as_dict() for r in results]}


def transition_stay(
    record: Any,
    to_stage: ProcessStage,
    *,
    design: Design,
    method: str,
    actor: User | None,
    rule: str,
    override: bool,
    reason: str,
    evidence: dict | None,
    at: dt.datetime,
    from_stage_hint: ProcessStage | None,
    stay: StageHistory | None,
) -> StageHistory:
    """The process side of a move: close ``stay`` (locked by the caller), open one in ``to_stage``."""
    kind = kind_of(record)
    if stay is not None and stay.stage_id == to_stage.pk:
        return stay
    previous = design.by_id.get(stay.stage_id) if stay else from_stage_hint
    if stay is not None:
        leave_stay(stay, to_stage, at)
    new = enter_stage(
        record,
        to_stage,
        from_stage=previous,
        method=method,
        actor=actor,
        rule=rule,
        override=override,
        reason=reason,
        evidence=evidence,
        at=at,
        version=design.version,
    )
    HandOff.objects.filter(record_kind=kind, record_id=record.pk, status=HandOff.Status.PENDING).exclude(
        to_stage=to_stage
    ).update(status=HandOff.Status.CANCELLED, decided_at=at)
    return new


def close_source(
    kind: str, record_id: int, at_stage: ProcessStage, to_stage: ProcessStage, at: dt.datetime
) -> None:
    stay = current_stay(kind, record_id, lock=True)
    if stay is not None and stay.stage_id == at_stage.pk:
        leave_stay(stay, to_stage, at)
        audit_exit(None, stay)


def refresh_owner(record: Any, stay: StageHistory) -> None:
    """The open stay follows the record's owner, team and segment (closed stays keep theirs)."""
    now_ = segment_of(record)
    changed = [k for k in ("owner_id", "team_id", "size", "industry") if getattr(stay, k) != now_[k]]
    if changed:
        for k in changed:
            setattr(stay, k, now_[k])
        stay.save(update_fields=[k.removesuffix("_id") for k in changed])
        if "owner_id" in changed or "team_id" in changed:
            # The floor's snapshot files every stay of the record under its owner and team.
            mark_record_dirty(stay.record_kind, stay.record_id)
