"""Offering a record to another department: the pending hand-off and its decision lock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.core.services import ServiceError
from baton.core.workdays import add_working_days
from baton.process.facts import kind_of
from baton.process.models import HandOff, ProcessStage
from baton.process.services.clock import now
from baton.process.services.stays import can_act_for, pending_handoff, segment_of


@transaction.atomic
def request_handoff(
    record: Any,
    to_stage: ProcessStage,
    *,
    actor: User | None,
    from_stage: ProcessStage | None,
    note: str = "",
    source: tuple[str, int] | None = None,
    at: dt.datetime | None = None,
) -> HandOff:
    kind = kind_of(record)
    existing = pending_handoff(kind, record.pk)
    if existing is not None:
        return existing
    at = at or now()
    handoff = HandOff.objects.create(
        record_kind=kind,
        record_id=record.pk,
        from_stage=from_stage,
        to_stage=to_stage,
        requested_at=at,
        requested_by=actor if actor is not None and actor.pk else None,
        due_at=add_working_days(at, to_stage.sla_accept_days) if to_stage.sla_accept_days else None,
        note=note[:300],
        **segment_of(record),
        source_kind=source[0] if source else "",
        source_id=source[1] if source else None,
    )
    log_change(
        actor=actor, action=ChangeLog.Action.CREATE, instance=handoff, after=snapshot(handoff), note=note
    )
    return handoff


def lock_for_decision(handoff: HandOff, actor: User, at: dt.datetime) -> HandOff:
    locked = (
        HandOff.objects.select_for_update(of=("self",))
        .select_related("to_stage__department", "from_stage")
        .get(pk=handoff.pk)
    )
    if locked.status != HandOff.Status.PENDING:
        raise ServiceError(_("This hand-off was already decided."))
    if not can_act_for(actor, locked.to_stage.department):
        raise PermissionDenied(_("Only the receiving department decides this hand-off."))
    locked.decided_at = at
    locked.decided_by = actor
    return locked
