"""REST endpoints of The Model, mounted under /api/v1/process/ (bearer auth comes from the API root).

Flow metrics (JSON and CSV), the stage design, a record's stage and history, and moving a record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field, StrictBool

from baton.core.api import actor
from baton.deals.models import LostReason
from baton.process import services
from baton.process.facts import kind_of
from baton.process.metrics import FlowMetrics, flow_metrics
from baton.process.metrics_io import metrics_csv, parse_filters, parse_period
from baton.process.models import HandOff, ProcessStage, StageHistory
from baton.process.queries import get_record_for_user, stage_history

router = Router(tags=["process"])

Kind = Literal["lead", "opportunity", "account"]


class MetricsQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    start: dt.date | None = Field(
        None, description="First day of the period (default: `days` back from today)."
    )
    end: dt.date | None = Field(None, description="Last day of the period, inclusive (default: today).")
    days: int | None = Field(None, ge=1, le=3660, description="Length of the period when `start` is absent.")
    team: int | None = Field(None, ge=1)
    owner: int | None = Field(None, ge=1)
    source: str | None = Field(None, max_length=20)
    size: str | None = Field(None, max_length=16, description="Segment: company size (e.g. `50-299`).")
    industry: str | None = Field(None, max_length=32, description="Segment: industry (e.g. `finance`).")


def _metrics(request: HttpRequest, query: MetricsQuery) -> FlowMetrics:
    params = {k: v for k, v in query.dict().items() if v is not None}
    start, end, _ = parse_period(params)
    return flow_metrics(start, end, filters=parse_filters(params), user=actor(request))


@router.get("/metrics", summary="Flow metrics per stage and transition")
def metrics(request: HttpRequest, query: Query[MetricsQuery]) -> dict[str, Any]:
    return _metrics(request, query).as_dict()


@router.get("/metrics.csv", summary="Flow metrics as CSV", url_name="process_metrics_csv")
def metrics_csv_endpoint(request: HttpRequest, query: Query[MetricsQuery]) -> HttpResponse:
    return metrics_csv(_metrics(request, query))


class CriterionOut(Schema):
    id: int
    name: str
    name_en: str
    expression: str
    kind: str
    required: bool


class ProcessStageOut(Schema):
    key: str
    name: str
    name_en: str
    department: str
    record_kind: str
    sequence: int
    outcome: str
    channels: list[str]
    programs: list[str]
    sla_max_days: int | None
    sla_accept_days: int | None
    is_handoff_entry: bool
    is_recycle_target: bool
    is_qualified_milestone: bool
    is_archived: bool
    criteria: list[CriterionOut]


@router.get("/stages", response=list[ProcessStageOut], summary="The stage design")
def stages(request: HttpRequest) -> list[dict[str, Any]]:
    design = services.load_design()
    return [
        {
            "key": s.key,
            "name": s.name,
            "name_en": s.name_en,
            "department": s.department.key,
            "record_kind": s.record_kind,
            "sequence": s.sequence,
            "outcome": s.outcome,
            "channels": s.channels,
            "programs": s.programs,
            "sla_max_days": s.sla_max_days,
            "sla_accept_days": s.sla_accept_days,
            "is_handoff_entry": s.is_handoff_entry,
            "is_recycle_target": s.is_recycle_target,
            "is_qualified_milestone": s.is_qualified_milestone,
            "is_archived": s.is_archived,
            "criteria": list(s.criteria.all()),
        }
        for s in design.stages
    ]


class StayOut(Schema):
    id: int
    stage: str
    from_stage: str | None
    to_stage: str | None
    entered_at: dt.datetime
    left_at: dt.datetime | None
    dwell_seconds: int | None
    method: str
    actor: int | None
    rule: str
    is_override: bool
    reason: str
    evidence: dict[str, Any]


def _stay(s: StageHistory) -> dict[str, Any]:
    return {
        "id": s.pk,
        "stage": s.stage.key,
        "from_stage": s.from_stage.key if s.from_stage else None,
        "to_stage": s.to_stage.key if s.to_stage else None,
        "entered_at": s.entered_at,
        "left_at": s.left_at,
        "dwell_seconds": s.dwell_seconds,
        "method": s.method,
        "actor": s.actor_id,
        "rule": s.rule,
        "is_override": s.is_override,
        "reason": s.reason,
        "evidence": s.evidence,
    }


@router.get(
    "/records/{kind}/{record_id}/history", response=list[StayOut], summary="Stage history of a record"
)
def history(request: HttpRequest, kind: Kind, record_id: int) -> list[dict[str, Any]]:
    record = get_record_for_user(actor(request), kind, record_id)
    return [_stay(s) for s in stage_history(kind, record.pk)]


class CheckOut(Schema):
    stage: str
    met: bool
    handoff: bool
    criteria: list[dict[str, Any]]


class RecordStageOut(Schema):
    current: StayOut | None
    pending_handoff_to: str | None
    next_stages: list[CheckOut]


@router.get(
    "/records/{kind}/{record_id}", response=RecordStageOut, summary="Current stage and next-stage criteria"
)
def record_stage(request: HttpRequest, kind: Kind, record_id: int) -> dict[str, Any]:
    record = get_record_for_user(actor(request), kind, record_id)
    stay, checks = services.next_stage_checks(record)
    pending = services.pending_handoff(kind_of(record), record.pk)
    return {
        "current": _stay(stay) if stay else None,
        "pending_handoff_to": pending.to_stage.key if pending else None,
        "next_stages": [
            {
                "stage": c.stage.key,
                "met": c.met,
                "handoff": c.handoff,
                "criteria": [r.as_dict() for r in c.results],
            }
            for c in checks
        ],
    }


class ProcessMoveIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"stage": "accepted"},
                {"stage": "working", "override": True, "reason": "Budget confirmed by phone"},
            ]
        },
    )

    stage: str = Field(..., max_length=40, description="Key of the stage to move to.")
    reason: str = Field("", max_length=300)
    override: StrictBool = Field(
        False, description="Move although required criteria are unmet (needs a reason)."
    )
    lost_reason: int | None = Field(None, ge=1, description="Lost reason id when moving a deal to lost.")


class MoveOut(Schema):
    result: Literal["moved", "handoff"]
    stay: StayOut | None
    handoff_id: int | None


@router.post("/records/{kind}/{record_id}/move", response=MoveOut, summary="Move a record to a stage")
def move(request: HttpRequest, kind: Kind, record_id: int, body: ProcessMoveIn) -> dict[str, Any]:
    user = actor(request)
    record = get_record_for_user(user, kind, record_id)
    stage = ProcessStage.objects.filter(key=body.stage).first()
    if stage is None:
        raise ValidationError({"stage": ["Unknown stage."]})
    lost_reason = None
    if body.lost_reason:
        lost_reason = LostReason.objects.filter(pk=body.lost_reason, is_archived=False).first()
    try:
        result = services.move_record(
            record, stage, actor=user, reason=body.reason, override=body.override, lost_reason=lost_reason
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    if isinstance(result, HandOff):
        return {"result": "handoff", "stay": None, "handoff_id": result.pk}
    return {"result": "moved", "stay": _stay(result), "handoff_id": None}
