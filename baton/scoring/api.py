# mypy: disable-error-code="valid-type,assignment"
"""REST endpoints of the scoring app, mounted under /api/v1/scoring/ by baton/api.py.

Scores with their reasons, qualification checklists (BANT + The Model's four on leads, MEDDPICC on
opportunities), disqualification, routing (assignment with its explanation) and competitors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictBool

from baton.core.api import Id, InputSchema, IsoDate, Text, actor, choice, path_id, responses
from baton.core.api_errors import ErrorOut
from baton.deals.queries import get_opportunity_for_user
from baton.leads.language import lead_language
from baton.leads.queries import get_lead_for_user
from baton.process.models import MeddpiccItem, QualificationItem
from baton.scoring import routing, supply
from baton.scoring.competitors import add_opportunity_competitor, competitors_on
from baton.scoring.models import DisqualifyReason
from baton.scoring.qualification.checklists import (
    Qualification,
    lead_qualification,
    opportunity_qualification,
)
from baton.scoring.qualification.disqualification import disqualify_lead, draft_explanation
from baton.scoring.qualification.services import set_lead_qualification, set_meddpicc
from baton.scoring.routing import assignments_for
from baton.scoring.scores.queries import predicted_reasons, rule_reasons, score_for
from baton.scoring.scores.services import rescore_lead
from baton.scoring.winloss import win_loss

router = Router(tags=["scoring"])


def _r(ok: dict[int, Any]) -> dict[int, Any]:
    return {**responses(ok), 403: ErrorOut}


def _allowed(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "Forbidden") from None


class Reason(Schema):
    label: str
    points: float | None = None
    weight: float | None = None


class ScoreOut(Schema):
    lead_id: int
    fit: int
    engagement: int
    total: int
    reasons: list[Reason]
    probability: float | None
    predicted_reasons: list[Reason]
    model_version: int | None
    fallback: bool
    computed_at: dt.datetime


def _score_out(lead_id: int, score: Any) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "fit": score.fit,
        "engagement": score.engagement,
        "total": score.total,
        "reasons": rule_reasons(score),
        "probability": score.probability,
        "predicted_reasons": predicted_reasons(score),
        "model_version": score.model_version,
        "fallback": score.probability is None,
        "computed_at": score.computed_at,
    }


@router.get("/leads/{id}/score", response=_r({200: ScoreOut}), summary="A lead's scores and reasons")
def lead_score(request: HttpRequest, id: int = path_id()):
    lead = get_lead_for_user(actor(request), id)
    score = score_for(lead) or rescore_lead(lead)
    return _score_out(lead.pk, score)


@router.post("/leads/{id}/rescore", response=_r({200: ScoreOut}), summary="Recompute a lead's scores")
def rescore(request: HttpRequest, id: int = path_id()):
    lead = get_lead_for_user(actor(request), id)
    return _score_out(lead.pk, rescore_lead(lead))


class ItemOut(Schema):
    item: str
    label: str
    group: str
    answer: bool
    evidence: str
    answered_by: str | None
    answered_at: dt.datetime | None


class QualificationOut(Schema):
    score: int
    confirmed: int
    gaps: list[str]
    items: list[ItemOut]


def _qual_out(q: Qualification) -> dict[str, Any]:
    return {
        "score": q.score,
        "confirmed": q.confirmed,
        "gaps": q.gaps,
        "items": [
            {
                "item": i.key,
                "label": i.label,
                "group": i.group,
                "answer": i.answer,
                "evidence": i.evidence,
                "answered_by": str(i.answered_by) if i.answered_by else None,
                "answered_at": i.answered_at,
            }
            for i in q.items
        ],
    }


class AnswerIn(InputSchema):
    answer: StrictBool
    evidence: Text(500) = ""


@router.get(
    "/leads/{id}/qualification", response=_r({200: QualificationOut}), summary="BANT and The Model's four"
)
def get_lead_qualification(request: HttpRequest, id: int = path_id()):
    lead = get_lead_for_user(actor(request), id)
    return _qual_out(lead_qualification(lead.pk))


@router.put(
    "/leads/{id}/qualification/{item}",
    response=_r({200: QualificationOut}),
    summary="Confirm or clear one BANT / Model item, with evidence",
)
def put_lead_qualification(
    request: HttpRequest, payload: AnswerIn, item: choice(QualificationItem.values), id: int = path_id()
):
    user = actor(request)
    lead = get_lead_for_user(user, id)
    _allowed(
        lambda: set_lead_qualification(
            lead, item, answer=payload.answer, evidence=payload.evidence, actor=user
        )
    )
    return _qual_out(lead_qualification(lead.pk))


class DisqualifyIn(InputSchema):
    reason_id: Id
    note: Text(500) = ""
    recycle_on: IsoDate | None = None


class DisqualifyOut(Schema):
    id: int
    lead_id: int
    reason: str
    note: str
    recycle_on: dt.date
    explanation: str


@router.post("/leads/{id}/disqualify", response=_r({201: DisqualifyOut}), summary="Disqualify a lead")
def disqualify(request: HttpRequest, payload: DisqualifyIn, id: int = path_id()):
    user = actor(request)
    lead = get_lead_for_user(user, id)
    reason = DisqualifyReason.objects.filter(pk=payload.reason_id, is_archived=False).first()
    if reason is None:
        raise ValidationError({"reason_id": ["No such disqualification reason."]})
    gaps = lead_qualification(lead.pk).gaps
    recycle_on = payload.recycle_on

    def run():
        text = draft_explanation(gaps, language=lead_language(lead), recycle_on=recycle_on, name=lead.name)
        return disqualify_lead(
            lead, actor=user, reason=reason, note=payload.note, recycle_on=recycle_on, explanation=text
        )

    row = _allowed(run)
    return Status(
        201,
        {
            "id": row.pk,
            "lead_id": lead.pk,
            "reason": str(reason),
            "note": row.note,
            "recycle_on": row.recycle_on,
            "explanation": row.explanation,
        },
    )


class RouteIn(InputSchema):
    product: Text(60) = ""


class AssignmentOut(Schema):
    id: int
    lead_id: int
    assignee_id: int | None
    assignee: str | None
    rule: str | None
    via: str
    explanation: list[str]
    assigned_at: dt.datetime


def _assignment_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "lead_id": a.lead_id,
        "assignee_id": a.assignee_id,
        "assignee": str(a.assignee) if a.assignee else None,
        "rule": a.rule.name if a.rule else None,
        "via": a.via,
        "explanation": routing.explain(a.explanation),
        "assigned_at": a.assigned_at,
    }


@router.post("/leads/{id}/route", response=_r({201: AssignmentOut}), summary="Route a lead by the rules")
def route(request: HttpRequest, payload: RouteIn, id: int = path_id()):
    user = actor(request)
    lead = get_lead_for_user(user, id)
    a = _allowed(lambda: routing.route_lead(lead, actor=user, product=payload.product))
    return Status(201, _assignment_out(a))


@router.get(
    "/leads/{id}/assignments", response=_r({200: list[AssignmentOut]}), summary="A lead's assignments"
)
def assignments(request: HttpRequest, id: int = path_id()):
    lead = get_lead_for_user(actor(request), id)
    return [_assignment_out(a) for a in assignments_for(lead)]


@router.get(
    "/opportunities/{id}/meddpicc", response=_r({200: QualificationOut}), summary="An opportunity's MEDDPICC"
)
def get_meddpicc(request: HttpRequest, id: int = path_id()):
    opp = get_opportunity_for_user(actor(request), id)
    return _qual_out(opportunity_qualification(opp.pk))


@router.put(
    "/opportunities/{id}/meddpicc/{item}",
    response=_r({200: QualificationOut}),
    summary="Confirm or clear one MEDDPICC item, with evidence",
)
def put_meddpicc(
    request: HttpRequest, payload: AnswerIn, item: choice(MeddpiccItem.values), id: int = path_id()
):
    user = actor(request)
    opp = get_opportunity_for_user(user, id)
    _allowed(lambda: set_meddpicc(opp, item, answer=payload.answer, evidence=payload.evidence, actor=user))
    return _qual_out(opportunity_qualification(opp.pk))


class CompetitorOut(Schema):
    id: int
    competitor: str
    is_incumbent: bool
    won_deal: bool
    note: str


class CompetitorIn(InputSchema):
    name: Text(120, required=True)
    is_incumbent: StrictBool = False
    won_deal: StrictBool = False
    note: Text(300) = ""


def _competitor_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "competitor": row.competitor.name,
        "is_incumbent": row.is_incumbent,
        "won_deal": row.won_deal,
        "note": row.note,
    }


@router.get(
    "/opportunities/{id}/competitors",
    response=_r({200: list[CompetitorOut]}),
    summary="Incumbent and competitors on an opportunity",
)
def list_competitors(request: HttpRequest, id: int = path_id()):
    opp = get_opportunity_for_user(actor(request), id)
    return [_competitor_out(r) for r in competitors_on(opp)]


@router.post(
    "/opportunities/{id}/competitors", response=_r({201: CompetitorOut}), summary="Record a competitor"
)
def add_competitor(request: HttpRequest, payload: CompetitorIn, id: int = path_id()):
    user = actor(request)
    opp = get_opportunity_for_user(user, id)
    row = _allowed(
        lambda: add_opportunity_competitor(
            opp,
            actor=user,
            name=payload.name,
            is_incumbent=payload.is_incumbent,
            won_deal=payload.won_deal,
            note=payload.note,
        )
    )
    return Status(201, _competitor_out(row))


class QueuedLead(Schema):
    lead_id: int
    name: str
    score: int | None
    passes: bool


class SupplyOut(Schema):
    capacity: int
    free: int
    waiting: int
    threshold: int | None
    floor: int
    queue: list[QueuedLead]


@router.get(
    "/supply", response=_r({200: SupplyOut}), summary="Field capacity, threshold and the waiting queue"
)
def supply_plan(request: HttpRequest):
    if not supply.may_supply(actor(request)):
        raise HttpError(403, "Only inside sales, sales managers and administrators see the supply queue.")
    plan = supply.plan_supply()
    passing = {lead.pk for lead in plan.passing}
    rows = []
    for lead in supply.queue()[:200]:
        score = getattr(lead, "score", None)
        rows.append(
            {
                "lead_id": lead.pk,
                "name": str(lead),
                "score": score.total if score else None,
                "passes": lead.pk in passing,
            }
        )
    return {
        "capacity": plan.capacity,
        "free": plan.free,
        "waiting": plan.waiting,
        "threshold": plan.threshold,
        "floor": plan.floor,
        "queue": rows,
    }


class TallyOut(Schema):
    key: str
    won: int
    lost: int
    no_decision: int
    win_rate: float | None
    competitive_win_rate: float | None
    no_decision_rate: float | None


class WinLossOut(Schema):
    overall: TallyOut
    groups: dict[str, list[TallyOut]]


@router.get("/win-loss", response=_r({200: WinLossOut}), summary="Outcomes by reason, competitor, segment")
def win_loss_api(request: HttpRequest):
    result = win_loss(actor(request))
    return {"overall": result.overall, "groups": result.groups}
