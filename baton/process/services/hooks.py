"""What the process does after the other apps' writes: place, recycle, advance or close a record's stay.

Opportunities are kept in step by ``transitions.on_opportunity_stage_changed`` (an event subscriber);
the lead hooks below run inside the lead write's transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core import events
from baton.core.models import User
from baton.process.models import Method, QualificationAnswer, RecordKind, Recycle
from baton.process.services.clock import now
from baton.process.services.design_cache import load_design
from baton.process.services.recycling import DEFAULT_FOLLOW_UP_DAYS, recycle_record
from baton.process.services.stays import audit_exit, current_stay, leave_stay, refresh_owner
from baton.process.services.transitions import auto_advance, place_record


def _hook(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Hooks run inside the caller's transaction: if the process cannot record the change, the CRM write
    fails with it, so a record and its stage history never diverge. No savepoint of their own (a
    SAVEPOINT and a RELEASE per hook, and as many again per nested step, were a fifth of a lead's
    create): nothing catches a hook's failure to go on with the write."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with transaction.atomic(savepoint=False):
            return fn(*args, **kwargs)

    return wrapper


@_hook
def on_lead_changed(
    lead: Any, *, actor: User | None = None, at: dt.datetime | None = None, created: bool = False
) -> None:
    """After a lead is created or updated or an interaction is logged: place, recycle or advance it.

    ``created``: the lead was inserted in this transaction, so it has no stay to look for (nor
    interactions or answers to count)."""
    if lead.converted_at is not None:
        return
    at = at or now()
    if created:
        place_record(lead, actor=actor, design=load_design(), at=at, fresh=True)
        return
    stay = current_stay(RecordKind.LEAD, lead.pk)
    design = load_design()
    if stay is None:
        place_record(lead, actor=actor, design=design, at=at)
        return
    refresh_owner(lead, stay)
    if lead.status == "disqualified":
        if not Recycle.objects.filter(
            record_kind=RecordKind.LEAD, record_id=lead.pk, followed_up_at__isnull=True
        ).exists():
            recycle_record(
                lead,
                actor=None,
                performed_by=actor,
                reason=lead.disqualify_reason or _("Disqualified"),
                follow_up_on=timezone.localdate(at) + dt.timedelta(days=DEFAULT_FOLLOW_UP_DAYS),
                at=at,
            )
        return
    auto_advance(lead, design=design, stay=stay, at=at)


@_hook
def on_lead_converted(
    lead: Any, opportunity: Any = None, *, actor: User | None = None, at: dt.datetime | None = None
) -> None:
    """The lead leaves the process; its opportunity continues from the lead's stage (a cross-kind arrow)."""
    at = at or now()
    lead_stay = current_stay(RecordKind.LEAD, lead.pk, lock=True)
    opp_stay = (
        current_stay(RecordKind.OPPORTUNITY, opportunity.pk, lock=True) if opportunity is not None else None
    )
    if opp_stay is not None and lead_stay is not None and opp_stay.from_stage_id is None:
        opp_stay.from_stage_id = lead_stay.stage_id
        opp_stay.method = Method.CONVERSION
        opp_stay.source = lead.source or ""
        opp_stay.save(update_fields=["from_stage", "method", "source"])
    if lead_stay is not None:
        leave_stay(lead_stay, opp_stay.stage if opp_stay else None, at)
        audit_exit(actor, lead_stay, note=str(_("Converted")))
    if opportunity is not None:
        answers = QualificationAnswer.objects.filter(record_kind=RecordKind.LEAD, record_id=lead.pk)
        taken = set(
            QualificationAnswer.objects.filter(
                record_kind=RecordKind.OPPORTUNITY, record_id=opportunity.pk
            ).values_list("item", flat=True)
        )
        QualificationAnswer.objects.bulk_create(
            [
                QualificationAnswer(
                    record_kind=RecordKind.OPPORTUNITY,
                    record_id=opportunity.pk,
                    item=a.item,
                    answer=a.answer,
                    evidence=a.evidence,
                    answered_by_id=a.answered_by_id,
                    answered_at=a.answered_at,
                )
                for a in answers
                if a.item not in taken
            ]
        )


def on_lead_change_event(change: events.LeadChange) -> None:
    """Subscriber of ``core.events.lead_changed`` (the leads services announce every write)."""
    on_lead_changed(change.lead, actor=change.actor, at=change.at, created=change.created)


def on_lead_conversion_event(conversion: events.LeadConversion) -> None:
    """Subscriber of ``core.events.lead_converted``: the opportunity continues the lead's flow."""
    on_lead_converted(conversion.lead, conversion.opportunity, actor=conversion.actor, at=conversion.at)
