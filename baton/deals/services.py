"""Every write to opportunities, and the pipeline set-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core import events
from baton.core.models import ChangeLog, User
from baton.core.services import ServiceError, create_record, update_record
from baton.core.vocabulary import refuse_duplicate_name, stripped_names
from baton.deals.catalog import pending_quote
from baton.deals.models import UNKNOWN_IMPORTED, ForecastCategory, LostReason, Opportunity, Pipeline, Stage


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.filter(is_default=True, is_archived=False).first()
    if pipeline is None:
        raise ValidationError(_("No default pipeline is configured."))
    return pipeline


def first_open_stage(pipeline: Pipeline) -> Stage:
    stage = (
        pipeline.stages.filter(is_archived=False, outcome=Stage.Outcome.OPEN)
        .order_by("sequence", "id")
        .first()
    )
    if stage is None:
        raise ValidationError(_("The pipeline has no open stage."))
    return stage


def _stage_effects(
    stage: Stage,
    *,
    lost_reason: LostReason | None,
    current: Opportunity | None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The fields that follow from entering a stage at ``at``: probability, forecast category, close time."""
    now = at or timezone.now()
    changes: dict[str, Any] = {"stage": stage, "probability": stage.probability, "stage_changed_at": now}
    if stage.is_closed:
        changes["closed_at"] = now
        changes["forecast_category"] = ForecastCategory.CLOSED if stage.is_won else ForecastCategory.OMITTED
    else:
        changes["closed_at"] = None
        reopened = current is not None and current.stage.is_closed
        if current is None or reopened or not current.forecast_category_by_rep:
            # The stage supplies the category until the owner makes their own call.
            changes["forecast_category"] = stage.forecast_category
            changes["forecast_category_by_rep"] = False
        changes["lost_reason"] = None
        changes["lost_note"] = ""
    if stage.outcome in (Stage.Outcome.LOST, Stage.Outcome.NO_DECISION):
        if lost_reason is None:
            raise ValidationError({"lost_reason": [_("Say why the deal was lost.")]})
        changes["lost_reason"] = lost_reason
    return changes


@transaction.atomic
def create_opportunity(*, actor: User | None, at: dt.datetime | None = None, **values: Any) -> Opportunity:
    """Create a deal in its first open stage (or the one given); the process places it as of ``at``."""
    values.setdefault("owner", actor)
    pipeline = values.get("pipeline") or (
        values["stage"].pipeline if values.get("stage") else default_pipeline()
    )
    values["pipeline"] = pipeline
    stage = values.get("stage") or first_open_stage(pipeline)
    effects = _stage_effects(stage, lost_reason=values.pop("lost_reason", None), current=None, at=at)
    if not stage.is_closed:
        # An open deal may start with the rep's own probability and forecast call; the stage only
        # supplies the defaults.
        for key in ("probability", "forecast_category"):
            if values.get(key) is not None:
                effects.pop(key, None)
        if values.get("forecast_category") is not None:
            effects.pop("forecast_category_by_rep", None)
            values["forecast_category_by_rep"] = True
    values.update(effects)
    opportunity = create_record(Opportunity, actor=actor, **values)
    _announce_stage(opportunity, actor=actor, previous_stage_id=None, at=at)
    return opportunity


def refuse_while_quote_pending(opportunity: Opportunity) -> None:
    """A quote awaiting approval locks its deal: the approver decides on what they were shown."""
    if pending_quote(opportunity) is not None:
        raise ServiceError(_("A quote of this deal is pending approval; recall it to make changes."))


@transaction.atomic
def update_opportunity(
    opportunity: Opportunity,
    *,
    actor: User | None,
    changes: dict[str, Any],
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Opportunity:
    refuse_while_quote_pending(opportunity)
    changes = dict(changes)
    previous_stage_id = opportunity.stage_id
    own_call = changes.get("forecast_category")
    if own_call is None or own_call == opportunity.forecast_category:
        own_call = None
        changes.pop("forecast_category", None)
    stage = changes.pop("stage", None)
    if stage is not None and stage.pk != opportunity.stage_id:
        changes.update(
            _stage_effects(stage, lost_reason=changes.get("lost_reason"), current=opportunity, at=at)
        )
        changes["pipeline"] = stage.pipeline
    if own_call is not None and not (stage or opportunity.stage).is_closed:
        # An explicit call by the owner: it wins over the stage's default now and at later moves.
        changes["forecast_category"] = own_call
        changes["forecast_category_by_rep"] = True
    opportunity = update_record(opportunity, actor=actor, changes=changes, expected_version=expected_version)
    events.record_changed.emit(events.RecordChange(opportunity))  # followers are told after the commit
    # The owner, team or stage may have changed: the process keeps the open stay in step.
    _announce_stage(opportunity, actor=actor, previous_stage_id=previous_stage_id, at=at)
    return opportunity


@transaction.atomic
def move_opportunity(
    opportunity: Opportunity,
    *,
    actor: User | None,
    stage: Stage,
    expected_version: int | None,
    lost_reason: LostReason | None = None,
    note: str = "",
    at: dt.datetime | None = None,
    move: Any = None,
) -> Opportunity:
    """The one function that moves a deal to another stage: the board, the deal page, the API and the
    process (its panel, automatic advances, hand-offs and the sweep) all call it. Stages may be skipped.

    It writes the pipeline stage and what follows from it as of ``at`` (now by default), audited as a
    move, then emits ``opportunity_stage_changed`` inside the same transaction; the process subscribes
    to it and writes its stays there, so the two never diverge and neither calls back into the other.
    ``move`` is the process's own account of a move it started, passed through to its subscriber."""
    at = at or timezone.now()
    refuse_while_quote_pending(opportunity)
    if stage.is_archived:
        raise ValidationError({"stage": [_("This stage is archived.")]})
    if stage.pipeline_id != opportunity.pipeline_id:
        raise ValidationError({"stage": [_("The stage belongs to another pipeline.")]})
    previous_stage_id = opportunity.stage_id
    if stage.pk != opportunity.stage_id:
        changes = _stage_effects(stage, lost_reason=lost_reason, current=opportunity, at=at)
        opportunity = update_record(
            opportunity,
            actor=actor,
            changes=changes,
            expected_version=expected_version,
            action=ChangeLog.Action.MOVE,
            note=note,
        )
        events.record_changed.emit(events.RecordChange(opportunity))  # followers are told after the commit
    _announce_stage(
        opportunity, actor=actor, previous_stage_id=previous_stage_id, at=at, note=note, move=move
    )
    return opportunity


def _announce_stage(
    opportunity: Opportunity,
    *,
    actor: User | None,
    previous_stage_id: int | None,
    at: dt.datetime | None,
    note: str = "",
    move: Any = None,
) -> None:
    events.opportunity_stage_changed.emit(
        events.OpportunityStageChange(
            opportunity=opportunity,
            actor=actor,
            previous_stage_id=previous_stage_id,
            at=at,
            note=note,
            move=move,
        )
    )


DEFAULT_STAGES = [
    # key, Korean, English, probability, outcome — the buyer's four steps of seed 000, then the outcomes.
    ("considering", "구매 고민 중", "Considering", 10, Stage.Outcome.OPEN),
    ("evaluating", "대안 검토 중", "Evaluating", 30, Stage.Outcome.OPEN),
    ("deciding", "구매 결정", "Deciding", 60, Stage.Outcome.OPEN),
    ("purchasing", "최종 구매", "Purchasing", 85, Stage.Outcome.OPEN),
    ("won", "수주", "Won", 100, Stage.Outcome.WON),
    ("lost", "실주", "Lost", 0, Stage.Outcome.LOST),
    ("no_decision", "결정 보류", "No decision", 0, Stage.Outcome.NO_DECISION),
]

DEFAULT_LOST_REASONS = [
    ("가격", "Price", False),
    ("경쟁사 선택", "Chose a competitor", False),
    ("기존 솔루션 유지 (현상 유지)", "Stayed with the incumbent", True),
    ("예산 없음", "No budget", True),
    ("우선순위 밀림", "Lost priority", True),
    ("기능 부족", "Missing capability", False),
    ("연락 두절", "Went dark", True),
]


@transaction.atomic
def save_lost_reason(reason: LostReason | None, *, actor: User | None, values: dict[str, Any]) -> LostReason:
    """Add or rename a lost reason, or archive it (administrators; audited). An archived reason is no
    longer offered when a deal is lost, and stays on the deals that have it."""
    if actor is None or not actor.is_authenticated or not actor.is_admin:
        raise PermissionDenied(_("Only administrators manage lost reasons."))
    allowed = {"name", "name_en", "is_no_decision", "is_archived"}
    values = stripped_names({k: v for k, v in values.items() if k in allowed})
    name = (values.get("name") if "name" in values else reason.name if reason else "") or ""
    if not name.strip():
        raise ValidationError({"name": [_("Name the reason.")]})
    refuse_duplicate_name(LostReason, reason.pk if reason else None, values)
    if reason is None:
        return create_record(LostReason, actor=actor, **values)
    return update_record(reason, actor=actor, changes=values)


@transaction.atomic
def unknown_imported_lost_reason(*, actor: User | None) -> LostReason:
    """The reason an import gives a lost deal whose file names none, found by its code (an administrator
    may rename or archive it); made once, audited, the first time an import needs it."""
    reason = LostReason.objects.filter(code=UNKNOWN_IMPORTED).first()
    if reason is not None:
        return reason
    return create_record(
        LostReason,
        actor=actor,
        code=UNKNOWN_IMPORTED,
        name="알 수 없음(가져옴)",
        name_en="Unknown (imported)",
    )
