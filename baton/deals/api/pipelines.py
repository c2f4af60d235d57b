# mypy: disable-error-code="valid-type,assignment"
# (Schemas use annotation factories such as Text(120) and PATCH fields default to "absent" (None)
# without admitting null; pydantic understands both, mypy cannot.)
"""The pipeline set-up: pipelines with their stages, and lost reasons (every signed-in user reads the
active ones; administrators add, rename, archive and unarchive them, as on /deals/lost-reasons/)."""

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictBool

from baton.core.api import (
    InputSchema,
    PatchSchema,
    Text,
    actor,
    choice,
    path_id,
    responses,
)
from baton.core.api_errors import ErrorOut
from baton.core.models import User
from baton.deals.api.common import active_lost_reasons, router
from baton.deals.models import LostReason, Pipeline, Stage
from baton.deals.services import save_lost_reason

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


@router.get(
    "/pipelines", response=responses({200: list[PipelineOut]}), tags=["pipelines"], summary="Pipelines"
)
def list_pipelines(request: HttpRequest):
    """Active pipelines, the default first, each with its active stages in order."""
    stages = Stage.objects.filter(is_archived=False).order_by("sequence", "id")
    return Pipeline.objects.filter(is_archived=False).prefetch_related(
        Prefetch("stages", queryset=stages, to_attr="active_stages")
    )


class LostReasonOut(Schema):
    id: int
    name: str
    name_en: str
    is_no_decision: bool
    is_archived: bool
    code: str = Field(
        description='"unknown_imported" for the reason imports give deals without one; else "".'
    )


class LostReasonQuery(Schema):
    include_archived: bool = Field(False, description="Archived reasons too (administrators only).")


class LostReasonIn(InputSchema):
    name: Text(100, required=True)
    name_en: Text(100) = ""
    is_no_decision: StrictBool = Field(
        False, description="Counted as “no decision”, not lost to a competitor."
    )


class LostReasonPatch(PatchSchema):
    """Send only what changes; archiving is its own operation."""

    name: Text(100, required=True) = None
    name_en: Text(100) = None
    is_no_decision: StrictBool = None


REASON_TAGS = ["lost reasons"]


def _admin_responses(ok: dict[int, Any]) -> dict[int, Any]:
    return {**responses(ok), 403: ErrorOut}


def _reason_admin(request: HttpRequest) -> User:
    user = actor(request)
    if not user.is_admin:
        raise HttpError(403, "Only administrators manage lost reasons.")
    return user


@router.get(
    "/lost-reasons",
    response=_admin_responses({200: list[LostReasonOut]}),
    tags=["pipelines", *REASON_TAGS],
    summary="Lost reasons",
)
def list_lost_reasons(request: HttpRequest, query: Query[LostReasonQuery]):
    """The reasons a deal may be lost for, by name: the active ones (what the board and the deal page
    offer); administrators may ask for the archived ones too, which stay on the deals that have them."""
    if query.include_archived:
        _reason_admin(request)
        return LostReason.objects.order_by("is_archived", "name", "id")
    return active_lost_reasons().order_by("name", "id")


@router.post(
    "/lost-reasons",
    response=_admin_responses({201: LostReasonOut}),
    tags=REASON_TAGS,
    summary="Add a lost reason",
)
def create_lost_reason(request: HttpRequest, payload: LostReasonIn):
    """Administrators. A name (Korean or English, any case) another reason already has is refused (422)."""
    user = _reason_admin(request)
    return Status(201, save_lost_reason(None, actor=user, values=payload.model_dump()))


@router.patch(
    "/lost-reasons/{id}",
    response=_admin_responses({200: LostReasonOut}),
    tags=REASON_TAGS,
    summary="Rename a lost reason",
)
def update_lost_reason(request: HttpRequest, payload: LostReasonPatch, id: int = path_id()):
    """Administrators: rename it, or change whether it counts as no decision. Deals keep the reason."""
    user = _reason_admin(request)
    reason = get_object_or_404(LostReason, pk=id)
    return save_lost_reason(reason, actor=user, values=payload.model_dump(exclude_unset=True))


@router.post(
    "/lost-reasons/{id}/archive",
    response=_admin_responses({200: LostReasonOut}),
    tags=REASON_TAGS,
    summary="Archive a lost reason",
)
def archive_lost_reason(request: HttpRequest, id: int = path_id()):
    """Administrators. No longer offered when a deal is lost; stays on the deals that have it."""
    user = _reason_admin(request)
    reason = get_object_or_404(LostReason, pk=id)
    return save_lost_reason(reason, actor=user, values={"is_archived": True})


@router.post(
    "/lost-reasons/{id}/unarchive",
    response=_admin_responses({200: LostReasonOut}),
    tags=REASON_TAGS,
    summary="Unarchive a lost reason",
)
def unarchive_lost_reason(request: HttpRequest, id: int = path_id()):
    """Administrators. Offered again when a deal is lost."""
    user = _reason_admin(request)
    reason = get_object_or_404(LostReason, pk=id)
    return save_lost_reason(reason, actor=user, values={"is_archived": False})
