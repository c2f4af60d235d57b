# mypy: disable-error-code="valid-type"
"""REST endpoints of support cases, mounted under /api/v1/success/ with the contracts: the cases you
can see (with the list's filters), opening one on an account, a case with its comments (internal notes
included for those who work the case), status changes, comments, assignment and the SLA policies."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from baton.accounts.models import Account, Contact
from baton.core.api import Id, InputSchema, Ref, Text, actor, choice, path_id, responses
from baton.core.models import Team, User
from baton.core.records import assignable_users, can_edit, get_for_user
from baton.success.cases import queries, services
from baton.success.cases.models import Case, CaseComment, Priority, SlaPolicy
from baton.success.models import Contract

router = Router()


class CaseOut(Schema):
    id: int
    number: str
    subject: str
    account: Ref
    contact_id: int | None
    contract_id: int | None
    priority: str
    category: str
    status: str
    owner: Ref | None
    team_id: int | None
    opened_at: dt.datetime
    calendar: str
    first_response_minutes: int
    resolution_minutes: int
    first_response_due: dt.datetime
    first_response_at: dt.datetime | None
    first_response_breached: bool
    resolution_due: dt.datetime | None
    resolution_used_minutes: int
    resolution_breached: bool
    waiting_since: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    version: int


class CaseCommentOut(Schema):
    id: int
    author_id: int | None
    body: str
    is_internal: bool
    created_at: dt.datetime


class CaseDetailOut(CaseOut):
    description: str
    comments: list[CaseCommentOut]


class CaseFilters(Schema):
    status: choice(["open", *Case.Status.values], blank=True) = ""
    priority: choice(Priority.values, blank=True) = ""
    category: choice(Case.Category.values, blank=True) = ""
    breached: bool = False
    mine: bool = False
    account: int | None = None
    q: str = ""


@router.get("/cases", response=responses({200: list[CaseOut]}), tags=["cases"], summary="Support cases")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]):
    """Cases you can see, newest first (at most 200); ``status=open`` for the ones not resolved."""
    return list(queries.filtered_cases(actor(request), filters.dict())[:200])


def _detail(user: User, case: Case) -> dict:
    data = CaseOut.from_orm(case).dict()
    data["description"] = case.description
    data["comments"] = list(queries.comments_of(case, internal=can_edit(user, case)))
    return data


@router.get("/cases/{id}", response=responses({200: CaseDetailOut}), tags=["cases"], summary="A case")
def get_case(request: HttpRequest, id: int = path_id()):
    """A case and its comments; internal notes only for those who work the case."""
    user = actor(request)
    return _detail(user, queries.get_case_for_user(user, id))


class CaseIn(InputSchema):
    account_id: Id
    subject: Text(200, required=True)
    description: Text(10000) = ""
    priority: choice(Priority.values) = Priority.NORMAL
    category: choice(Case.Category.values) = Case.Category.QUESTION
    contact_id: Id | None = None
    contract_id: Id | None = None
    owner_id: Id | None = None


@router.post("/cases", response=responses({201: CaseDetailOut}), tags=["cases"], summary="Open a case")
def open_case(request: HttpRequest, payload: CaseIn):
    """Open a case on an account you can see; the SLA of its priority starts now."""
    user = actor(request)
    account = get_for_user(Account.objects.all(), user, payload.account_id)
    contact = contract = owner = None
    if payload.contact_id is not None:
        contact = Contact.objects.visible_to(user).filter(pk=payload.contact_id, account=account).first()
        if contact is None:
            raise ValidationError({"contact_id": ["Unknown contact at this account."]})
    if payload.contract_id is not None:
        contract = Contract.objects.visible_to(user).filter(pk=payload.contract_id, account=account).first()
        if contract is None:
            raise ValidationError({"contract_id": ["Unknown contract of this account."]})
    if payload.owner_id is not None:
        owner = assignable_users(user).filter(pk=payload.owner_id).first()
        if owner is None:
            raise ValidationError({"owner_id": ["You cannot assign this user."]})
    case = services.open_case(
        actor=user,
        account=account,
        subject=payload.subject,
        description=payload.description,
        priority=payload.priority,
        category=payload.category,
        contact=contact,
        contract=contract,
        owner=owner,
    )
    return Status(201, _detail(user, case))


class StatusIn(InputSchema):
    status: choice(Case.Status.values)


@router.post(
    "/cases/{id}/status",
    response=responses({200: CaseDetailOut}),
    tags=["cases"],
    summary="Change a case's status",
)
def change_status(request: HttpRequest, payload: StatusIn, id: int = path_id()):
    """Move the case along new → in progress ⇄ waiting on customer → resolved → closed (a resolved case
    can be reopened); 409 for a move the flow does not allow."""
    user = actor(request)
    case = services.change_status(queries.get_case_for_user(user, id), actor=user, status=payload.status)
    return _detail(user, case)


class CaseCommentIn(InputSchema):
    body: Text(10000, required=True)
    is_internal: bool = False
    # E-mail a reply to the case's contact with the case's tag in the subject (never an internal note).
    send_email: bool = False


@router.post(
    "/cases/{id}/comments",
    response=responses({201: CaseCommentOut}),
    tags=["cases"],
    summary="Comment on a case",
)
def comment_case(request: HttpRequest, payload: CaseCommentIn, id: int = path_id()):
    """A reply to the customer (the first one is the first response), e-mailed to the case's contact
    with ``send_email``, or an internal note (never mailed)."""
    user = actor(request)
    case = queries.get_case_for_user(user, id)
    comment: CaseComment = services.add_comment(
        case, actor=user, body=payload.body, is_internal=payload.is_internal, send_email=payload.send_email
    )
    return Status(201, comment)


class AssignIn(InputSchema):
    owner_id: Id | None = None
    team_id: Id | None = None


@router.post(
    "/cases/{id}/assignment",
    response=responses({200: CaseDetailOut}),
    tags=["cases"],
    summary="Assign a case",
)
def assign_case(request: HttpRequest, payload: AssignIn, id: int = path_id()):
    user = actor(request)
    case = queries.get_case_for_user(user, id)
    owner = team = None
    if payload.owner_id is not None:
        owner = assignable_users(user).filter(pk=payload.owner_id).first()
        if owner is None:
            raise ValidationError({"owner_id": ["You cannot assign this user."]})
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            raise ValidationError({"team_id": ["Unknown team."]})
    return _detail(user, services.assign(case, actor=user, owner=owner, team=team))


class PolicyOut(Schema):
    priority: str
    first_response_minutes: int
    resolution_minutes: int
    calendar: str
    warn_percent: int


class PolicyIn(InputSchema):
    first_response_minutes: int
    resolution_minutes: int
    calendar: choice(SlaPolicy.Calendar.values) = SlaPolicy.Calendar.BUSINESS
    warn_percent: int = 80


@router.get(
    "/sla-policies", response=responses({200: list[PolicyOut]}), tags=["cases"], summary="SLA policies"
)
def list_policies(request: HttpRequest):
    """The targets of each priority, in minutes of its calendar (defaults until an admin sets them)."""
    return [services.policy_for(p) for p in Priority.values]


@router.put(
    "/sla-policies/{priority}",
    response=responses({200: PolicyOut}),
    tags=["cases"],
    summary="Set an SLA policy",
)
def set_policy(request: HttpRequest, priority: choice(Priority.values), payload: PolicyIn):
    """Administrators only; cases opened from now on use the new targets."""
    return services.set_sla_policy(actor=actor(request), priority=priority, **payload.dict())
