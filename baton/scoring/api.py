# mypy: disable-error-code="valid-type,assignment"
"""REST endpoints of the scoring app, mounted under /api/v1/scoring/ by baton/api.py.

Scores with their reasons, qualification checklists (BANT + The Model's four on leads, MEDDPICC on
opportunities), disqualification, routing (assignment with its explanation) and competitors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictBool, StrictInt

from baton.core.api import Id, InputSchema, IsoDate, PatchSchema, Text, actor, choice, path_id, responses
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
from baton.scoring.qualification.disqualification import (
    disqualify_lead,
    draft_explanation,
    save_disqualify_reason,
)
from baton.scoring.qualification.services import set_lead_qualification, set_meddpicc
from baton.scoring.routing import assignments_for
from baton.scoring.scores.queries import predicted_reasons, rule_reasons, score_for
from baton.scoring.scores.services import rescore_lead
from baton.scoring.winloss import disqualified_by_reason, win_loss

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


# --- disqualification reasons (everyone reads the active ones; administrators manage them) ---------


class DisqualifyReasonOut(Schema):
    id: int
    name: str
    name_en: str
    recycle_days: int
    is_no_decision: bool
    sequence: int
    is_archived: bool
    code: str = Field(
        description='"unknown_imported" for the reason imports give leads without one; else "".'
    )


class DisqualifyReasonQuery(Schema):
    include_archived: bool = Field(False, description="Archived reasons too (administrators only).")


RecycleDays = Annotated[StrictInt, Field(ge=1, le=3650)]
SortOrder = Annotated[StrictInt, Field(ge=0, le=32767)]


class DisqualifyReasonIn(InputSchema):
    name: Text(100, required=True)
    name_en: Text(100) = ""
    recycle_days: RecycleDays = Field(90, description="Days until a lead disqualified for it is recycled.")
    is_no_decision: StrictBool = False
    sequence: SortOrder = 10


class DisqualifyReasonPatch(PatchSchema):
    """Send only what changes; archiving is its own operation."""

    name: Text(100, required=True) = None
    name_en: Text(100) = None
    recycle_days: RecycleDays = None
    is_no_decision: StrictBool = None
    sequence: SortOrder = None


REASON_TAGS = ["scoring", "disqualification reasons"]


def _reason_admin(request: HttpRequest) -> Any:
    user = actor(request)
    if not user.is_admin:
        raise HttpError(403, "Only administrators manage disqualification reasons.")
    return user


@router.get(
    "/disqualify-reasons",
    response=_r({200: list[DisqualifyReasonOut]}),
    tags=REASON_TAGS,
    summary="Disqualification reasons",
)
def list_disqualify_reasons(request: HttpRequest, query: Query[DisqualifyReasonQuery]):
    """The reasons a lead may be disqualified for, in their order: the active ones (what the lead page
    offers); administrators may ask for the archived ones too, which stay on the leads that have them."""
    if query.include_archived:
        _reason_admin(request)
        return DisqualifyReason.objects.order_by("is_archived", "sequence", "id")
    return DisqualifyReason.objects.filter(is_archived=False).order_by("sequence", "id")


@router.post(
    "/disqualify-reasons",
    response=_r({201: DisqualifyReasonOut}),
    tags=REASON_TAGS,
    summary="Add a disqualification reason",
)
def create_disqualify_reason(request: HttpRequest, payload: DisqualifyReasonIn):
    """Administrators. A name (Korean or English, any case) another reason already has is refused (422)."""
    user = _reason_admin(request)
    return Status(201, save_disqualify_reason(None, actor=user, values=payload.model_dump()))


@router.patch(
    "/disqualify-reasons/{id}",
    response=_r({200: DisqualifyReasonOut}),
    tags=REASON_TAGS,
    summary="Rename or change a disqualification reason",
)
def update_disqualify_reason(request: HttpRequest, payload: DisqualifyReasonPatch, id: int = path_id()):
    """Administrators: rename it, change its recycle days, order or no-decision flag. Leads keep it."""
    user = _reason_admin(request)
    reason = get_object_or_404(DisqualifyReason, pk=id)
    return save_disqualify_reason(reason, actor=user, values=payload.model_dump(exclude_unset=True))


@router.post(
    "/disqualify-reasons/{id}/archive",
    response=_r({200: DisqualifyReasonOut}),
    tags=REASON_TAGS,
    summary="Archive a disqualification reason",
)
def archive_disqualify_reason(request: HttpRequest, id: int = path_id()):
    """Administrators. No longer offered when a lead is disqualified; stays on the leads that have it."""
    user = _reason_admin(request)
    reason = get_object_or_404(DisqualifyReason, pk=id)
    return save_disqualify_reason(reason, actor=user, values={"is_archived": True})


@router.post(
    "/disqualify-reasons/{id}/unarchive",
    response=_r({200: DisqualifyReasonOut}),
    tags=REASON_TAGS,
    summary="Unarchive a disqualification reason",
)
def unarchive_disqualify_reason(request: HttpRequest, id: int = path_id()):
    """Administrators. Offered again when a lead is disqualified."""
    user = _reason_admin(request)
    reason = get_object_or_404(DisqualifyReason, pk=id)
    return save_disqualify_reason(reason, actor=user, values={"is_archived": False})


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
    code: str = Field(
        "", description='Stable code of a reason row: "reason:<id>", "unknown_imported", "none" or "won".'
    )
    won: int
    lost: int
    no_decision: int
    win_rate: float | None
    competitive_win_rate: float | None
    no_decision_rate: float | None


class ReasonCountOut(Schema):
    code: str = Field(
        description='"reason:<id>", "unknown_imported" (imported without a reason), "typed" '
        '(a reason typed on the lead page) or "none".'
    )
    label: str
    count: int


class WinLossOut(Schema):
    overall: TallyOut
    groups: dict[str, list[TallyOut]]
    disqualified: list[ReasonCountOut] = Field(
        description="Disqualified leads you may see, by the reason of their latest disqualification."
    )


@router.get("/win-loss", response=_r({200: WinLossOut}), summary="Outcomes by reason, competitor, segment")
def win_loss_api(request: HttpRequest):
    user = actor(request)
    result = win_loss(user)
    return {"overall": result.overall, "groups": result.groups, "disqualified": disqualified_by_reason(user)}
