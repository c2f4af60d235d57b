"""What custom fields and validation rules need to know about deals: the order of the pipeline stages
(for fields required from a stage onward) and the stage facts rules may read."""

from __future__ import annotations

from typing import Any

from baton.core.customfields.rules import ExtraFacts
from baton.core.customfields.schema import StageOrder
from baton.deals.models import Opportunity, Stage

CLOSED_WITHOUT_WIN = (Stage.Outcome.LOST, Stage.Outcome.NO_DECISION)


def stage_choices() -> list[tuple[str, str]]:
    """Stage keys in pipeline order (the first pipeline's order wins for a key several share)."""
    seen: dict[str, str] = {}
    for key, name in (
        Stage.objects.filter(is_archived=False)
        .exclude(outcome__in=CLOSED_WITHOUT_WIN)
        .order_by("pipeline_id", "sequence", "id")
        .values_list("key", "name")
    ):
        seen.setdefault(key, name)
    return list(seen.items())


def stage_reached(opportunity: Opportunity, key: str) -> bool:
    """The deal stands at or past stage ``key`` of its pipeline (a lost deal stands nowhere)."""
    stage = opportunity.stage if opportunity.stage_id else None
    if stage is None or stage.outcome in CLOSED_WITHOUT_WIN:
        return False
    target = (
        Stage.objects.filter(pipeline_id=stage.pipeline_id, key=key)
        .values_list("sequence", flat=True)
        .first()
    )
    return target is not None and stage.sequence >= target


def stage_facts(opportunity: Any) -> dict[str, Any]:
    stage = opportunity.stage if getattr(opportunity, "stage_id", None) else None
    return {
        "stage_key": stage.key if stage is not None else "",
        "stage_outcome": stage.outcome if stage is not None else "",
    }


STAGE_ORDER = StageOrder(stage_choices, stage_reached)
STAGE_FACTS = ExtraFacts(stage_facts, {"stage_key": "", "stage_outcome": ""})
