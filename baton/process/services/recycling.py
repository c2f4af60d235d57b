"""Recycling: a disqualified lead or a lost deal goes back to nurture until its follow-up date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.core.services import ServiceError
from baton.process.facts import kind_of
from baton.process.models import Method, RecordKind, Recycle
from baton.process.services.clock import now
from baton.process.services.design_cache import load_design
from baton.process.services.stays import check_can_move, current_stay, get_record, segment_of
from baton.process.services.transitions import transition

DEFAULT_FOLLOW_UP_DAYS = 90
REJECTED_FOLLOW_UP_DAYS = 30


@transaction.atomic
def recycle_record(
    record: Any,
    *,
    actor: User | None,
    reason: str,
    follow_up_on: dt.date | None,
    method: str = Method.RECYCLE,
    at: dt.datetime | None = None,
    performed_by: User | None = None,
) -> Recycle:
    """Send a disqualified lead or a lost / no-decision deal back to nurture until ``follow_up_on``."""
    check_can_move(actor, record)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the record is recycled.")]})
    if follow_up_on is None:
        raise ValidationError({"follow_up_on": [_("Choose a follow-up date.")]})
    design = load_design()
    kind = kind_of(record)
    stay = current_stay(kind, record.pk, lock=True)
    current = design.by_id.get(stay.stage_id) if stay else None
    if kind == RecordKind.ACCOUNT:
        raise ValidationError({"stage": [_("Accounts are not recycled.")]})
    if kind == RecordKind.OPPORTUNITY and (current is None or current.outcome not in ("lost", "no_decision")):
        raise ValidationError({"stage": [_("Only lost or no-decision deals are recycled.")]})
    target = design.recycle_target()
    if target is None:
        raise ValidationError({"stage": [_("No stage is marked as the recycle target.")]})
    at = at or now()
    who = actor or performed_by
    transition(record, target, design=design, method=method, actor=who, reason=reason, at=at)
    recycle = Recycle.objects.create(
        record_kind=kind,
        record_id=record.pk,
        from_stage=current,
        to_stage=target,
        reason=reason[:300],
        follow_up_on=follow_up_on,
        recycled_at=at,
        recycled_by=who if who is not None and who.pk else None,
        **segment_of(record),
    )
    log_change(
        actor=who, action=ChangeLog.Action.CREATE, instance=recycle, after=snapshot(recycle), note=reason
    )
    return recycle


@transaction.atomic
def complete_follow_up(
    recycle: Recycle, *, actor: User, note: str = "", at: dt.datetime | None = None
) -> Recycle:
    record = get_record(recycle.record_kind, recycle.record_id)
    check_can_move(actor, record)
    locked = Recycle.objects.select_for_update().get(pk=recycle.pk)
    if locked.followed_up_at is not None:
        raise ServiceError(_("This follow-up is already done."))
    locked.followed_up_at = at or now()
    locked.followed_up_by = actor
    locked.follow_up_note = (note or "")[:300]
    locked.save(update_fields=["followed_up_at", "followed_up_by", "follow_up_note"])
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=locked,
        before={"followed_up_at": None},
        after={"followed_up_at": locked.followed_up_at.isoformat()},
        note=note,
    )
    return locked
