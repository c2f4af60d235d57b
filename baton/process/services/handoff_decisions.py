"""Deciding a hand-off: the receiving department accepts (and takes the record) or rejects it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.accounts.services import update_account
from baton.core.audit import log_change
from baton.core.models import ChangeLog, User
from baton.deals.services import update_opportunity
from baton.leads.services import update_lead
from baton.process.facts import kind_of
from baton.process.models import HandOff, Method, RecordKind, StageHistory
from baton.process.services.clock import now
from baton.process.services.design_cache import load_design
from baton.process.services.handoffs import lock_for_decision
from baton.process.services.recycling import REJECTED_FOLLOW_UP_DAYS, recycle_record
from baton.process.services.stays import close_source, get_record
from baton.process.services.transitions import transition


@transaction.atomic
def accept_handoff(
    handoff: HandOff,
    *,
    actor: User,
    note: str = "",
    at: dt.datetime | None = None,
    take_ownership: bool = True,
) -> StageHistory:
    """The receiving department takes the record: it moves into the hand-off stage and, unless the
    acceptor says otherwise (``take_ownership=False``), becomes the acceptor's, through the owning
    app's service (audited there like any owner change)."""
    at = at or now()
    locked = lock_for_decision(handoff, actor, at)
    design = load_design()
    record = get_record(locked.record_kind, locked.record_id)
    stage = design.by_id[locked.to_stage_id]
    stay = transition(
        record,
        stage,
        design=design,
        method=Method.HANDOFF,
        actor=actor,
        reason=note,
        evidence={"handoff": locked.pk},
        at=at,
        from_stage_hint=design.by_id.get(locked.from_stage_id or 0),
    )
    if locked.source_kind and locked.source_id and locked.from_stage_id:
        close_source(locked.source_kind, locked.source_id, design.by_id[locked.from_stage_id], stage, at)
    # Taken while the hand-off is still pending: the receiving department may take what is offered
    # to it (``process.access``), and nothing else.
    if take_ownership and record.owner_id != actor.pk:
        give_to(record, actor, by=actor)
        stay.refresh_from_db()
    locked.status = HandOff.Status.ACCEPTED
    locked.note = (note or locked.note)[:300]
    locked.save(update_fields=["status", "decided_at", "decided_by", "note"])
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=locked,
        before={"status": "pending"},
        after={"status": locked.status, "owner": actor.pk if take_ownership else record.owner_id},
        note=note,
    )
    return stay


def give_to(record: Any, owner: User, *, by: User) -> Any:
    """Change a record's owner through its own app's service (versioned, audited, hooks run)."""
    kind = kind_of(record)
    record.refresh_from_db()
    changes = {"owner": owner}
    if kind == RecordKind.LEAD:
        return update_lead(record, actor=by, changes=changes, expected_version=None)
    if kind == RecordKind.OPPORTUNITY:
        return update_opportunity(record, actor=by, changes=changes, expected_version=None)
    return update_account(record, actor=by, changes=changes, expected_version=None)


@transaction.atomic
def reject_handoff(
    handoff: HandOff,
    *,
    actor: User,
    reason_code: str,
    return_to: str = HandOff.ReturnTo.NURTURE,
    note: str = "",
    follow_up_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> HandOff:
    """The receiver refuses: with a reason code, the record goes back to nurture or stays with the sender."""
    if reason_code not in HandOff.RejectReason.values:
        raise ValidationError({"reason_code": [_("Choose why the hand-off is rejected.")]})
    if return_to not in HandOff.ReturnTo.values:
        raise ValidationError({"return_to": [_("Choose where the record goes back to.")]})
    at = at or now()
    locked = lock_for_decision(handoff, actor, at)
    label = HandOff.RejectReason(reason_code).label
    if return_to == HandOff.ReturnTo.NURTURE and not locked.source_kind:
        record = get_record(locked.record_kind, locked.record_id)
        recycle_record(
            record,
            actor=None,
            reason=f"{_('Hand-off rejected')}: {label}. {note}".strip(),
            follow_up_on=follow_up_on
            or (timezone.localdate(at) + dt.timedelta(days=REJECTED_FOLLOW_UP_DAYS)),
            method=Method.REJECTED,
            at=at,
            performed_by=actor,
        )
    else:
        return_to = HandOff.ReturnTo.SENDER
    locked.status = HandOff.Status.REJECTED
    locked.reason_code = reason_code
    locked.return_to = return_to
    locked.note = note[:300]
    locked.save(update_fields=["status", "decided_at", "decided_by", "reason_code", "return_to", "note"])
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=locked,
        before={"status": "pending"},
        after={"status": locked.status, "reason_code": reason_code, "return_to": return_to},
        note=note,
    )
    return locked
