# mypy: disable-error-code="valid-type,assignment"
# (Schemas use annotation factories such as Text(120) and PATCH fields default to "absent" (None)
# without admitting null; pydantic understands both, mypy cannot.)
"""The pipeline set-up every signed-in user may read: pipelines with their stages, and lost reasons."""

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Schema

from baton.core.api import (
    choice,
    responses,
)
from baton.deals.api.common import active_lost_reasons, router
from baton.deals.models import Pipeline, Stage

# --- pipeline set-up --------------------------------------------------------------------------


class PipelineStageOut(Schema):
    id: int
    key: str
    name: str
    name_en: str
    sequence: int
    probability: int
    outcome: choice(Stage.Outcome.values)


class PipelineOut(Schema):
    id: int
    name: str
    name_en: str
    is_default: bool
    stages: list[PipelineStageOut]

    @staticmethod
    def resolve_stages(obj: Pipeline) -> list[Stage]:
        return list(obj.active_stages)  # type: ignore[attr-defined]


class LostReasonOut(Schema):
    id: int
    name: str
    name_en: str
    is_no_decision: bool


@router.get(
    "/pipelines", response=responses({200: list[PipelineOut]}), tags=["pipelines"], summary="Pipelines"
)
def list_pipelines(request: HttpRequest):
    """Active pipelines, the default first, each with its active stages in order."""
    stages = Stage.objects.filter(is_archived=False).order_by("sequence", "id")
    return Pipeline.objects.filter(is_archived=False).prefetch_related(
        Prefetch("stages", queryset=stages, to_attr="active_stages")
    )


@router.get(
    "/lost-reasons",
    response=responses({200: list[LostReasonOut]}),
    tags=["pipelines"],
    summary="Lost reasons",
)
def list_lost_reasons(request: HttpRequest):
    return active_lost_reasons().order_by("name", "id")
