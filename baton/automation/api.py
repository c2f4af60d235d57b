# mypy: disable-error-code="valid-type,assignment"
"""REST endpoints under /api/v1/automation/: rules (administrators: list, create, change, switch,
dry run), the run log and retry (administrators), and the runs on a record (whoever sees the record)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from baton.core.api import InputSchema, Text, actor, choice, path_id, responses
from baton.core.models import User

from . import queries, services
from .models import ObjectKind, Rule, Run, Trigger

router = Router(tags=["automation"])

RecordKind = Literal["lead", "account", "contact", "opportunity"]


def _admin(request: HttpRequest) -> User:
    user = actor(request)
    if not user.is_admin:
        raise HttpError(403, "Only administrators may manage automation rules.")
    return user


class AutomationRuleOut(Schema):
    id: int
    name: str
    object_kind: str
    trigger: str
    trigger_field: str
    trigger_value: str
    offset_days: int
    condition: str
    actions: list[dict[str, Any]]
    enabled: bool
    sequence: int
    version: int
    updated_at: dt.datetime


class AutomationRuleIn(InputSchema):
    name: Text(120, required=True)
    object_kind: choice(ObjectKind.values)
    trigger: choice(Trigger.values)
    trigger_field: Text(60) = ""
    trigger_value: Text(60) = ""
    offset_days: int = Field(0, ge=-365, le=365)
    condition: Text(1000) = ""
    actions: list[dict[str, str | int | bool | None]] = Field(..., min_length=1, max_length=10)
    enabled: bool = False
    sequence: int = Field(100, ge=0, le=100000)


class EnabledIn(InputSchema):
    enabled: bool


class RunOut(Schema):
    id: int
    rule_id: int
    rule_version: int
    record_kind: str
    record_id: int
    occurrence: str
    status: str
    depth: int
    inputs: dict[str, Any]
    actions_done: list[dict[str, Any]]
    error: str
    attempts: int
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_rule_version(obj: Run) -> int:
        return obj.version.number


class PlannedAction(Schema):
    type: str
    plan: dict[str, Any] | None = None
    error: str = ""


class DryRunHit(Schema):
    record_kind: str
    record_id: int
    record: str
    facts: dict[str, Any]
    actions: list[PlannedAction]


class DryRunOut(Schema):
    scanned: int
    hits: list[DryRunHit]
    errors: list[str]


def _dry_out(dry: services.DryRun) -> dict[str, Any]:
    return {
        "scanned": dry.scanned,
        "errors": dry.errors,
        "hits": [
            {
                "record_kind": h.kind,
                "record_id": h.record_id,
                "record": str(h.record),
                "facts": h.evidence,
                "actions": h.actions,
            }
            for h in dry.hits
        ],
    }


@router.get("/rules", response=responses({200: list[AutomationRuleOut]}), summary="Automation rules in order")
def list_rules(request: HttpRequest):
    _admin(request)
    return list(Rule.objects.all()[:500])


@router.post("/rules", response=responses({201: AutomationRuleOut}), summary="Create a rule (version 1)")
def create_rule(request: HttpRequest, payload: AutomationRuleIn):
    return Status(201, services.save_rule(None, actor=_admin(request), values=payload.dict()))


@router.get("/rules/{id}", response=responses({200: AutomationRuleOut}), summary="One rule")
def get_rule(request: HttpRequest, id: int = path_id()):
    _admin(request)
    return get_object_or_404(Rule, pk=id)


@router.put(
    "/rules/{id}", response=responses({200: AutomationRuleOut}), summary="Change a rule (a new version)"
)
def update_rule(request: HttpRequest, payload: AutomationRuleIn, id: int = path_id()):
    user = _admin(request)
    return services.save_rule(get_object_or_404(Rule, pk=id), actor=user, values=payload.dict())


@router.post(
    "/rules/{id}/enabled", response=responses({200: AutomationRuleOut}), summary="Switch a rule on or off"
)
def enable_rule(request: HttpRequest, payload: EnabledIn, id: int = path_id()):
    user = _admin(request)
    return services.set_enabled(get_object_or_404(Rule, pk=id), actor=user, enabled=payload.enabled)


@router.post(
    "/dry-run",
    response=responses({200: DryRunOut}),
    summary="Which records a rule (not saved) would act on now, and what it would do; nothing is written",
)
def dry_run_draft(request: HttpRequest, payload: AutomationRuleIn):
    user = _admin(request)
    return _dry_out(services.dry_run(services.clean_definition(payload.dict()), actor=user))


@router.get(
    "/rules/{id}/dry-run", response=responses({200: DryRunOut}), summary="Dry run of a rule's latest version"
)
def dry_run_rule(request: HttpRequest, id: int = path_id()):
    user = _admin(request)
    rule = get_object_or_404(Rule, pk=id)
    version = rule.versions.order_by("-number").first()
    if version is None:
        raise HttpError(404, "The rule has no version.")
    return _dry_out(services.dry_run(version.definition, actor=user))


@router.get("/runs", response=responses({200: list[RunOut]}), summary="The run log, newest first")
def list_runs(
    request: HttpRequest,
    status: choice(Run.Status.values, blank=True) = Query(""),  # noqa: B008
    rule_id: int | None = Query(None, ge=1, le=2**63 - 1),
    limit: int = Query(100, ge=1, le=500),
):
    _admin(request)
    return list(queries.log(status, rule_id)[:limit])


@router.post("/runs/{id}/retry", response=responses({200: RunOut}), summary="Queue a parked run again")
def retry_run(request: HttpRequest, id: int = path_id()):
    user = _admin(request)
    return services.retry_run(get_object_or_404(Run, pk=id), actor=user)


@router.get(
    "/records/{kind}/{id}/runs",
    response=responses({200: list[RunOut]}),
    summary="Automation runs on a record (for those who may see the record)",
)
def record_runs(request: HttpRequest, kind: RecordKind, id: int = path_id()):
    _record, runs = queries.record_runs_for_user(actor(request), kind, id)
    return list(runs[:100])
