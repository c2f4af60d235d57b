"""Moving records between stages: by hand, automatically, and for opportunities together with their
pipeline stage.

An opportunity's pipeline stage has one writer, ``baton.deals.services.move_opportunity``. It emits
``opportunity_stage_changed`` inside its transaction and ``on_opportunity_stage_changed`` below (the
subscriber, registered in ``ProcessConfig.ready()``) writes the stays there. A move the process starts
(its panel, automatic advances, hand-offs, the sweep) calls ``move_opportunity`` with a ``ProcessMove``
describing itself, so the subscriber writes that stay rather than a synchronised one. Nothing calls
back into its caller, and every row is written as of an explicit ``at``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from baton.core import events
from baton.core.models import User
from baton.deals import services as deals_services
from baton.deals.models import Stage
from baton.process.facts import build_facts, kind_of
from baton.process.models import HandOff, Method, ProcessStage, RecordKind, StageCriterion, StageHistory
from baton.process.services.clock import now
from baton.process.services.design_cache import Design, load_design
from baton.process.services.evaluation import (
    Advance,
    automation_paused,
    check_move,
    furthest_automatic,
    plan_advance,
    recently_rejected,
)
from baton.process.services.handoffs import request_handoff
from baton.process.services.stays import (
    check_can_move,
    close_source,
    current_stay,
    enter_stage,
    evidence_of,
    pending_handoff,
    refresh_owner,
    transition_stay,
)


def transition(
    record: Any,
    to_stage: ProcessStage,
    *,
    design: Design,
    method: str,
    actor: User | None,
    rule: str = "",
    override: bool = False,
    reason: str = "",
    evidence: dict | None = None,
    at: dt.datetime | None = None,
    from_stage_hint: ProcessStage | None = None,
    lost_reason: Any = None,
    locked_stay: StageHistory | None = None,
) -> StageHistory:
    """Close the current stay and open one in ``to_stage``; audit it. An opportunity whose process
    stage names a pipeline stage moves through ``deals.services.move_opportunity`` (see above).

    ``locked_stay``: the record's open stay, already read with a row lock by the caller."""
    at = at or now()
    stay = locked_stay if locked_stay is not None else current_stay(kind_of(record), record.pk, lock=True)
    move = ProcessMove(
        to_stage=to_stage,
        design=design,
        method=method,
        rule=rule,
        override=override,
        reason=reason,
        evidence=evidence,
        from_stage_hint=from_stage_hint,
        stay=stay,
    )
    if kind_of(record) == RecordKind.OPPORTUNITY:
        target = _pipeline_stage_for(record, to_stage, stay)
        if target is not None:
            deals_services.move_opportunity(
                record,
                actor=actor,
                stage=target,
                expected_version=None,
                lost_reason=lost_reason,
                note=reason,
                at=at,
                move=move,
            )
            assert move.result is not None  # written by on_opportunity_stage_changed
            return move.result
    return _write_process_move(record, move, actor=actor, at=at)


# --- opportunities: the process side of deals.services.move_opportunity ---------------------------


@dataclass
class ProcessMove:
    """A move the process starts, handed to ``move_opportunity`` and read back by the subscriber.

    ``stay`` is the open stay the process read (with a row lock) before the move; ``result`` is the
    stay the subscriber opened (or kept)."""

    to_stage: ProcessStage
    design: Design
    method: str
    rule: str
    override: bool
    reason: str
    evidence: dict | None
    from_stage_hint: ProcessStage | None
    stay: StageHistory | None
    result: StageHistory | None = None


def _pipeline_stage_for(opportunity: Any, to_stage: ProcessStage, stay: StageHistory | None) -> Stage | None:
    """The pipeline stage a process move of ``opportunity`` into ``to_stage`` also writes, if any."""
    key = to_stage.deal_stage_key
    if not key or opportunity.stage.key == key or (stay is not None and stay.stage_id == to_stage.pk):
        return None
    return Stage.objects.filter(pipeline_id=opportunity.pipeline_id, key=key).first()


def _write_process_move(
    record: Any, move: ProcessMove, *, actor: User | None, at: dt.datetime
) -> StageHistory:
    new = transition_stay(
        record,
        move.to_stage,
        design=move.design,
        method=move.method,
        actor=actor,
        rule=move.rule,
        override=move.override,
        reason=move.reason,
        evidence=move.evidence,
        at=at,
        from_stage_hint=move.from_stage_hint,
        stay=move.stay,
    )
    if (
        kind_of(record) == RecordKind.OPPORTUNITY
        and move.to_stage.outcome == ProcessStage.Outcome.WON
        and new is not move.stay
    ):
        _offer_account_to_customer_success(
            record, design=move.design, won_stage=move.to_stage, actor=actor, at=at
        )
    move.result = new
    return new


def on_opportunity_stage_changed(change: events.OpportunityStageChange) -> None:
    """Subscriber of ``opportunity_stage_changed``: keep the opportunity's stays in step with the write
    ``deals.services`` just made (created, edited or moved), inside its transaction."""
    opportunity, actor = change.opportunity, change.actor
    at = change.at or now()
    if isinstance(change.move, ProcessMove):
        _write_process_move(opportunity, change.move, actor=actor, at=at)
        return
    design = load_design()
    stay = current_stay(RecordKind.OPPORTUNITY, opportunity.pk, lock=True)  # after the deal row's lock
    if stay is None:
        _place_opportunity(opportunity, design=design, actor=actor, at=at)
        return
    refresh_owner(opportunity, stay)
    process_stage = design.for_deal_stage(opportunity.stage.key)
    if process_stage is None or process_stage.pk == stay.stage_id:
        return
    # A pipeline move (the board, the deal page, the API): the process stage follows, marked as an
    # override when its criteria are not met.
    check = check_move(
        design, design.by_id[stay.stage_id], process_stage, build_facts(opportunity, stay=stay, now=at)
    )
    move = ProcessMove(
        to_stage=process_stage,
        design=design,
        method=Method.SYNC,
        rule="",
        override=not check.met,
        reason=change.note or _("Moved on the pipeline"),
        evidence=evidence_of(check.results),
        from_stage_hint=None,
        stay=stay,
    )
    _write_process_move(opportunity, move, actor=actor, at=at)


def _place_opportunity(
    opportunity: Any, *, design: Design, actor: User | None, at: dt.datetime
) -> StageHistory | None:
    """A new opportunity enters the process at the stage its pipeline stage maps to (or the first)."""
    stage = design.for_deal_stage(opportunity.stage.key) or design.first_stage(RecordKind.OPPORTUNITY)
    if stage is None:
        return None
    return enter_stage(
        opportunity,
        stage,
        from_stage=None,
        method=Method.INITIAL,
        actor=actor,
        at=at,
        version=design.version,
    )


def _offer_account_to_customer_success(
    opp: Any, *, design: Design, won_stage: ProcessStage, actor: User | None, at: dt.datetime
) -> None:
    """A won deal hands its account to Customer Success, unless the account is already in their care."""
    account = opp.account
    if current_stay(RecordKind.ACCOUNT, account.pk) is not None:
        return
    entry = design.first_stage(RecordKind.ACCOUNT)
    if entry is None:
        return
    if entry.is_handoff_entry:
        request_handoff(
            account, entry, actor=actor, from_stage=won_stage, source=(RecordKind.OPPORTUNITY, opp.pk), at=at
        )
    else:
        transition(
            account,
            entry,
            design=design,
            method=Method.HANDOFF,
            actor=actor,
            from_stage_hint=won_stage,
            at=at,
        )
        close_source(RecordKind.OPPORTUNITY, opp.pk, won_stage, entry, at)


@transaction.atomic
def move_record(
    record: Any,
    to_stage: ProcessStage,
    *,
    actor: User | None,
    reason: str = "",
    override: bool = False,
    lost_reason: Any = None,
    at: dt.datetime | None = None,
) -> StageHistory | HandOff:
    """A person moves a record. Unmet criteria need ``override`` and a reason; the stay is marked override.

    Stages may be skipped and records may go back. Entering another department's hand-off stage
    creates a pending hand-off instead of moving.
    """
    check_can_move(actor, record)
    at = at or now()
    design = load_design()
    kind = kind_of(record)
    to_stage = design.by_id.get(to_stage.pk, to_stage)
    reason = (reason or "").strip()
    if to_stage.is_archived:
        raise ValidationError({"stage": [_("This stage is archived.")]})
    if to_stage.record_kind != kind and not to_stage.is_recycle_target:
        raise ValidationError({"stage": [_("This stage holds another kind of record.")]})
    stay = current_stay(kind, record.pk, lock=True)
    current = design.by_id.get(stay.stage_id) if stay else None
    if current is not None and current.pk == to_stage.pk:
        raise ValidationError({"stage": [_("The record is already in this stage.")]})
    check = check_move(design, current, to_stage, build_facts(record, stay=stay, now=at))
    if not check.met:
        if not override:
            names = ", ".join(r.name for r in check.missing)
            raise ValidationError(
                {
                    "stage": [
                        _("Criteria not met: %(names)s. Override with a reason to move anyway.")
                        % {"names": names}
                    ]
                }
            )
        if not reason:
            raise ValidationError({"reason": [_("A move that skips unmet criteria needs a reason.")]})
    if check.handoff:
        return request_handoff(record, to_stage, actor=actor, from_stage=current, note=reason, at=at)
    return transition(
        record,
        to_stage,
        design=design,
        method=Method.MANUAL,
        actor=actor,
        override=not check.met,
        reason=reason,
        evidence=evidence_of(check.results),
        at=at,
        lost_reason=lost_reason,
    )


def apply_advance(
    record: Any,
    plan: Advance,
    *,
    design: Design,
    current: ProcessStage,
    stay: StageHistory,
    rule: str,
    at: dt.datetime | None,
    locked: bool = False,
) -> StageHistory | HandOff | None:
    """Carry out a plan. ``locked``: ``stay`` was just read with a row lock (the sweep does that)."""
    at = at or now()
    kind = kind_of(record)
    outcome: StageHistory | HandOff | None = None
    since = stay.entered_at
    if plan.target is not None:
        names = ", ".join(r.name for r in plan.results if r.required and r.kind == StageCriterion.Kind.ENTRY)
        outcome = transition(
            record,
            plan.target,
            design=design,
            method=Method.AUTO,
            actor=None,
            rule=f"{rule}: {names}",
            evidence=evidence_of(plan.results),
            at=at,
            locked_stay=stay if locked else None,
        )
        since = outcome.entered_at
    if plan.handoff_to is not None and not recently_rejected(kind, record.pk, plan.handoff_to, since):
        outcome = request_handoff(
            record,
            plan.handoff_to,
            actor=None,
            from_stage=plan.target or current,
            note=_("Criteria met"),
            at=at,
        )
    return outcome


@transaction.atomic(savepoint=False)
def auto_advance(
    record: Any,
    *,
    design: Design | None = None,
    rule: str = "criteria",
    at: dt.datetime | None = None,
    stay: StageHistory | None = None,
) -> StageHistory | HandOff | None:
    """Apply the automatic transition the record's facts now allow, if any (idempotent).

    Cheap when nothing can happen: no facts are built for a stage with no criteria ahead, and only the
    facts those criteria reference are built otherwise. Joins the caller's transaction without a
    savepoint (a failure fails the caller's write)."""
    at = at or now()
    design = design or load_design()
    kind = kind_of(record)
    stay = stay or current_stay(kind, record.pk)
    if stay is None:
        return None
    current = design.by_id[stay.stage_id]
    if current.record_kind != kind or not design.automatic_from(current):
        return None
    if pending_handoff(kind, record.pk) is not None or automation_paused(kind, record.pk, at):
        return None
    facts = build_facts(record, stay=stay, now=at, names=design.facts_needed(current))
    plan = plan_advance(design, current, facts)
    if plan is None:
        return None
    return apply_advance(record, plan, design=design, current=current, stay=stay, rule=rule, at=at)


@transaction.atomic(savepoint=False)
def place_record(
    record: Any,
    *,
    actor: User | None,
    design: Design | None = None,
    at: dt.datetime | None = None,
    fresh: bool = False,
) -> StageHistory | None:
    """Enter a new record into its first stage, or straight into the furthest one its facts already meet.

    ``fresh``: the record was inserted in the running transaction (a create's hook), so it has no stay,
    no interactions and no answers yet, and none of them is read. Joins the caller's transaction
    without a savepoint: a failure fails the caller's write with it."""
    at = at or now()
    design = design or load_design()
    kind = kind_of(record)
    if not fresh and current_stay(kind, record.pk) is not None:
        return None
    first = design.first_stage(kind)
    if first is None:
        return None
    facts = build_facts(record, stay=None, now=at, names=design.facts_needed(first), fresh=fresh)
    target, results, handoff_to = furthest_automatic(design, first, facts)
    stage = target or first
    stay = enter_stage(
        record,
        stage,
        from_stage=None,
        method=Method.INITIAL,
        actor=actor,
        rule="criteria" if target else "",
        evidence=evidence_of(results),
        at=at,
        version=design.version,
    )
    if handoff_to is not None:
        request_handoff(record, handoff_to, actor=None, from_stage=stage, note=_("Criteria met"), at=at)
    return stay
