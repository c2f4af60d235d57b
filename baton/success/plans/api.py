# mypy: disable-error-code="valid-type"
"""REST endpoints of success plans, mounted under /api/v1/success/: the plans you can see with their
progress, a plan with its milestones, starting a plan on an account, adding a milestone and marking
one done."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from baton.accounts.models import Account
from baton.core.api import Id, InputSchema, IsoDate, Ref, Text, actor, path_id, responses
from baton.core.records import assignable_users, get_for_user
from baton.success.plans import services
from baton.success.plans.models import Milestone, SuccessPlan

router = Router()


class MilestoneOut(Schema):
    id: int
    title: str
    owner_id: int | None
    due_date: dt.date
    completed_on: dt.date | None


class PlanOut(Schema):
    id: int
    account: Ref
    title: str
    goal: str
    owner: Ref | None
    done: int
    total: int
    percent: int
    overdue: int
    milestones: list[MilestoneOut]


def _out(plan: SuccessPlan) -> dict:
    milestones = list(plan.milestones.order_by("due_date", "id"))
    progress = services.progress_of(milestones, timezone.localdate())
    return {
        "id": plan.pk,
        "account": plan.account,
        "title": plan.title,
        "goal": plan.goal,
        "owner": plan.owner,
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
        "overdue": progress.overdue,
        "milestones": milestones,
    }


def _plan(request: HttpRequest, id: int) -> SuccessPlan:
    return get_for_user(SuccessPlan.objects.select_related("account", "owner"), actor(request), id)


@router.get("/plans", response=responses({200: list[PlanOut]}), tags=["plans"], summary="Success plans")
def list_plans(request: HttpRequest):
    """Plans you can see, newest first (at most 200), with their progress."""
    plans = (
        SuccessPlan.objects.visible_to(actor(request))
        .select_related("account", "owner")
        .prefetch_related("milestones")
        .order_by("-created_at", "-id")[:200]
    )
    return [_out(p) for p in plans]


@router.get("/plans/{id}", response=responses({200: PlanOut}), tags=["plans"], summary="A success plan")
def get_plan(request: HttpRequest, id: int = path_id()):
    return _out(_plan(request, id))


class PlanIn(InputSchema):
    title: Text(200, required=True)
    goal: Text(5000) = ""


@router.post(
    "/accounts/{id}/plans", response=responses({201: PlanOut}), tags=["plans"], summary="Start a success plan"
)
def create_plan(request: HttpRequest, payload: PlanIn, id: int = path_id()):
    user = actor(request)
    account = get_for_user(Account.objects.all(), user, id)
    plan = services.create_plan(actor=user, account=account, title=payload.title, goal=payload.goal)
    return Status(201, _out(plan))


class MilestoneIn(InputSchema):
    title: Text(200, required=True)
    due_date: IsoDate
    owner_id: Id | None = None


@router.post(
    "/plans/{id}/milestones",
    response=responses({201: MilestoneOut}),
    tags=["plans"],
    summary="Add a milestone",
)
def add_milestone(request: HttpRequest, payload: MilestoneIn, id: int = path_id()):
    user = actor(request)
    plan = _plan(request, id)
    owner = None
    if payload.owner_id is not None:
        owner = assignable_users(user).filter(pk=payload.owner_id).first()
        if owner is None:
            raise ValidationError({"owner_id": ["You cannot assign this user."]})
    milestone = services.add_milestone(
        plan, actor=user, title=payload.title, due_date=payload.due_date, owner=owner
    )
    return Status(201, milestone)


class CompletionIn(InputSchema):
    done: bool


@router.post(
    "/milestones/{id}/completion",
    response=responses({200: MilestoneOut}),
    tags=["plans"],
    summary="Mark a milestone done or not",
)
def complete_milestone(request: HttpRequest, payload: CompletionIn, id: int = path_id()):
    user = actor(request)
    milestone = (
        Milestone.objects.filter(pk=id, plan__in=SuccessPlan.objects.visible_to(user))
        .select_related("plan")
        .first()
    )
    if milestone is None:
        raise Http404("Not found")
    return services.set_milestone_done(milestone, actor=user, done=payload.done, today=timezone.localdate())
