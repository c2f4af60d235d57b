# mypy: disable-error-code="valid-type,assignment"
# (Schemas use annotation factories such as Text(120) and PATCH fields default to "absent" (None)
# without admitting null; pydantic understands both, mypy cannot.)
"""The deal team, the buyer's side, and requests to team members."""

import datetime as dt

from django.http import HttpRequest
from ninja import Schema, Status

from baton.core.api import (
    Id,
    InputSchema,
    IsoDate,
    Ref,
    Text,
    actor,
    path_id,
    resolve_refs,
    responses,
)
from baton.core.models import User
from baton.deals import team
from baton.deals.api.common import acting, router
from baton.deals.queries import get_opportunity_for_user

# --- deal team and requests -------------------------------------------------------------------


class TeamMemberOut(Schema):
    id: int
    user: Ref
    role: str
    product_family_id: int | None
    note: str


class BuyerOut(Schema):
    id: int
    contact: Ref
    buying_role: str
    buying_step: str
    note: str


class TeamOut(Schema):
    members: list[TeamMemberOut]
    buyers: list[BuyerOut]


@router.get(
    "/opportunities/{id}/team",
    response=responses({200: TeamOut}),
    tags=["deal team"],
    summary="The deal team: our people and the buyer's",
)
def get_team(request: HttpRequest, id: int = path_id()):
    opportunity = get_opportunity_for_user(actor(request), id)
    return {
        "members": list(opportunity.team_members.select_related("user")),
        "buyers": list(opportunity.buyer_team.select_related("contact")),
    }


class TeamRequestIn(InputSchema):
    """Late when made less than `BATON_REQUEST_LEAD_WORKING_DAYS` working days (weekends and Korean
    public holidays excluded) before `customer_deadline`."""

    assignee_id: Id
    subject: Text(200, required=True)
    pain_point: Text(5000) = ""
    meeting_goal: Text(5000) = ""
    details: Text(20_000) = ""
    due_date: IsoDate
    customer_deadline: IsoDate


class TeamRequestOut(Schema):
    id: int
    subject: str
    requester: Ref
    assignee: Ref
    due_date: dt.date
    customer_deadline: dt.date
    asked_on: dt.date
    lead_days: int
    latest_on_time: dt.date
    is_late: bool
    activity_id: int | None


@router.post(
    "/opportunities/{id}/team-requests",
    response=responses({201: TeamRequestOut}),
    tags=["deal team"],
    summary="Ask a team member for help (becomes their task)",
)
def create_team_request(request: HttpRequest, payload: TeamRequestIn, id: int = path_id()):
    opportunity = get_opportunity_for_user(actor(request), id)
    data = payload.model_dump()
    refs = resolve_refs(
        {"assignee_id": data.pop("assignee_id")},
        {"assignee_id": ("assignee", User.objects.filter(is_active=True), "No such user.")},
    )
    made = acting(
        lambda: team.create_team_request(opportunity, actor=actor(request), assignee=refs["assignee"], **data)
    )
    return Status(201, made)
