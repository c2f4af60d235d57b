"""Every write to opportunities, and the pipeline set-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.activities.hooks import record_changed  # activities: follower notifications
from baton.core.models import ChangeLog, User
from baton.core.services import ServiceError, create_record, update_record
from baton.deals.models import ForecastCategory, LostReason, Opportunity, Pipeline, Stage


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
def create_opportunity(*, actor: User | None, **values: Any) -> Opportunity:
    values.setdefault("owner", actor)
    pipeline = values.get("pipeline") or (
        values["stage"].pipeline if values.get("stage") else default_pipeline()
    )
    values["pipeline"] = pipeline
    stage = values.get("stage") or first_open_stage(pipeline)
    effects = _stage_effects(stage, lost_reason=values.pop("lost_reason", None), current=None)
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
    from baton.process.services import on_opportunity_changed  # process hook: enter The Model

    on_opportunity_changed(opportunity, actor=actor)
    return opportunity


def refuse_while_quote_pending(opportunity: Opportunity) -> None:
    """A quote awaiting approval locks its deal: the approver decides on what they were shown."""
    from baton.deals.catalog import pending_quote  # catalog builds on these services

    if pending_quote(opportunity) is not None:
        raise ServiceError(_("A quote of this deal is pending approval; recall it to make changes."))


@transaction.atomic
def update_opportunity(
    opportunity: Opportunity, *, actor: User | None, changes: dict[str, Any], expected_version: int | None
) -> Opportunity:
    refuse_while_quote_pending(opportunity)
    changes = dict(changes)
    own_call = changes.get("forecast_category")
    if own_call is None or own_call == opportunity.forecast_category:
        own_call = None
        changes.pop("forecast_category", None)
    stage = changes.pop("stage", None)
    if stage is not None and stage.pk != opportunity.stage_id:
        changes.update(_stage_effects(stage, lost_reason=changes.get("lost_reason"), current=opportunity))
        changes["pipeline"] = stage.pipeline
    if own_call is not None and not (stage or opportunity.stage).is_closed:
        # An explicit call by the owner: it wins over the stage's default now and at later moves.
        changes["forecast_category"] = own_call
        changes["forecast_category_by_rep"] = True
    opportunity = update_record(opportunity, actor=actor, changes=changes, expected_version=expected_version)
    record_changed(opportunity)  # activities: notify followers (task, after commit)
    from baton.process.services import on_opportunity_changed  # process hook: keep the process stage in step

    on_opportunity_changed(opportunity, actor=actor)
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
) -> Opportunity:
    """Move a deal to another stage (board drag, deal page, API). Stages may be skipped.

    The process app owns an opportunity's stage: ``move_opportunity_stage`` writes the pipeline stage
    (``write_stage``) and the process stay together, as of ``at`` (now by default)."""
    from baton.process.services import move_opportunity_stage  # process owns the stage (see its docstring)

    move_opportunity_stage(
        opportunity,
        deal_stage=stage,
        actor=actor,
        expected_version=expected_version,
        lost_reason=lost_reason,
        note=note,
        at=at or timezone.now(),
    )
    return opportunity


def write_stage(
    opportunity: Opportunity,
    stage: Stage,
    *,
    actor: User | None,
    expected_version: int | None,
    lost_reason: LostReason | None,
    note: str,
    at: dt.datetime,
) -> Opportunity:
    """Write the pipeline stage and what follows from it; audited as a move. Only
    ``process.services.move_opportunity_stage`` calls this, inside its transaction: everyone else moves
    a deal with ``move_opportunity``."""
    refuse_while_quote_pending(opportunity)
    if stage.is_archived:
        raise ValidationError({"stage": [_("This stage is archived.")]})
    if stage.pipeline_id != opportunity.pipeline_id:
        raise ValidationError({"stage": [_("The stage belongs to another pipeline.")]})
    if stage.pk == opportunity.stage_id:
        return opportunity
    changes = _stage_effects(stage, lost_reason=lost_reason, current=opportunity, at=at)
    opportunity = update_record(
        opportunity,
        actor=actor,
        changes=changes,
        expected_version=expected_version,
        action=ChangeLog.Action.MOVE,
        note=note,
    )
    record_changed(opportunity)  # activities: notify followers (task, after commit)
    return opportunity


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
