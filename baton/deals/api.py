# mypy: disable-error-code="valid-type,assignment"
# (Schemas use annotation factories such as Text(120) and PATCH fields default to "absent" (None)
# without admitting null; pydantic understands both, mypy cannot.)
"""REST endpoints of the deals app, mounted under /api/v1/ by baton/api.py.

Opportunities (CRUD and the stage move), and the pipeline set-up they refer to (pipelines with their
stages, lost reasons), which every signed-in user may read.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from baton.accounts.queries import accounts_for, contacts_for
from baton.core.api import (
    Amount,
    Id,
    InputSchema,
    IsoDate,
    PatchSchema,
    Percent,
    Ref,
    StageRef,
    Text,
    Version,
    actor,
    assignable_users,
    choice,
    list_page,
    list_query_schema,
    page_schema,
    path_id,
    resolve_refs,
    responses,
)
from baton.core.models import User
from baton.core.money import Currency
from baton.deals import approvals as approval_services
from baton.deals import catalog, quoting, services, team
from baton.deals.models import ApprovalStep, ForecastCategory, LostReason, Pipeline, Product, Quote, Stage
from baton.deals.queries import OPPORTUNITY_LIST, get_opportunity_for_user, opportunities_for

router = Router()


def open_stages() -> QuerySet[Stage]:
    """Stages an opportunity may be put in: not archived, in a pipeline that is not archived."""
    return Stage.objects.filter(is_archived=False, pipeline__is_archived=False)


def active_lost_reasons() -> QuerySet[LostReason]:
    return LostReason.objects.filter(is_archived=False)


def _opportunity_refs(user):
    return {
        "owner_id": ("owner", lambda: assignable_users(user), "Not a user you can assign records to."),
        "account_id": ("account", lambda: accounts_for(user).filter(is_archived=False), "No such account."),
        "primary_contact_id": ("primary_contact", lambda: contacts_for(user), "No such contact."),
        "stage_id": ("stage", open_stages, "No such stage."),
        "lost_reason_id": ("lost_reason", active_lost_reasons, "No such lost reason."),
    }


def _opportunity_qs(user) -> QuerySet:
    return opportunities_for(user).select_related("primary_contact", "lost_reason")


class OpportunityOut(Schema):
    id: int
    name: str
    account: Ref
    primary_contact: Ref | None
    pipeline_id: int
    stage: StageRef
    amount: Decimal
    currency: str
    expected_close_date: dt.date | None
    probability: int
    forecast_category: choice(ForecastCategory.values)
    next_step: str
    description: str
    lost_reason: Ref | None
    lost_note: str
    stage_changed_at: dt.datetime | None
    closed_at: dt.datetime | None
    owner: Ref | None
    team_id: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class OpportunityIn(InputSchema):
    """Without `stage_id` the deal starts in the default pipeline's first open stage; probability and
    forecast category follow the stage (PATCH them afterwards to override)."""

    name: Text(200, required=True)
    account_id: Id
    primary_contact_id: Id | None = None
    stage_id: Id | None = None
    amount: Amount() = Decimal(0)
    currency: choice(Currency.values) = Currency.KRW.value
    expected_close_date: IsoDate | None = None
    next_step: Text(300) = ""
    description: Text(20_000) = ""
    lost_reason_id: Id | None = None
    lost_note: Text(300) = ""
    owner_id: Id | None = None


class OpportunityPatch(PatchSchema):
    """Change the stage with POST /opportunities/{id}/move, not here."""

    version: Version
    name: Text(200, required=True) = None
    account_id: Id = None
    primary_contact_id: Id | None = None
    amount: Amount() = None
    currency: choice(Currency.values) = None
    expected_close_date: IsoDate | None = None
    probability: Percent = None
    forecast_category: choice(ForecastCategory.values) = None
    next_step: Text(300) = None
    description: Text(20_000) = None
    lost_note: Text(300) = None
    owner_id: Id = None


OpportunityQuery = list_query_schema("OpportunityQuery", OPPORTUNITY_LIST)
OpportunityPage = page_schema("OpportunityPage", OpportunityOut)


@router.get(
    "/opportunities",
    response=responses({200: OpportunityPage}),
    tags=["opportunities"],
    summary="List opportunities",
)
def list_opportunities(request: HttpRequest, query: Query[OpportunityQuery]):
    return list_page(request, _opportunity_qs(actor(request)), OPPORTUNITY_LIST, query)


@router.post(
    "/opportunities",
    response=responses({201: OpportunityOut}),
    tags=["opportunities"],
    summary="Create an opportunity",
)
def create_opportunity(request: HttpRequest, payload: OpportunityIn):
    data = payload.model_dump(exclude_unset=True)
    values = resolve_refs(data, _opportunity_refs(actor(request)))
    if values.get("stage") is None:
        values.pop("stage", None)
    opportunity = services.create_opportunity(actor=actor(request), **values)
    return Status(201, get_opportunity_for_user(actor(request), opportunity.pk))


@router.get(
    "/opportunities/{id}",
    response=responses({200: OpportunityOut}),
    tags=["opportunities"],
    summary="An opportunity",
)
def get_opportunity(request: HttpRequest, id: int = path_id()):
    return get_opportunity_for_user(actor(request), id)


@router.patch(
    "/opportunities/{id}",
    response=responses({200: OpportunityOut}),
    tags=["opportunities"],
    summary="Update an opportunity",
)
def update_opportunity(request: HttpRequest, payload: OpportunityPatch, id: int = path_id()):
    """Send only the fields to change and the `version` you last read; a stale version is a 409."""
    opportunity = get_opportunity_for_user(actor(request), id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    changes = resolve_refs(data, _opportunity_refs(actor(request)))
    services.update_opportunity(opportunity, actor=actor(request), changes=changes, expected_version=version)
    return get_opportunity_for_user(actor(request), id)


class OpportunityMoveIn(InputSchema):
    """Lost and no-decision stages need a `lost_reason_id`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"stage_id": 3, "version": 4, "note": "Asked for a quote after the demo"},
                {"stage_id": 6, "version": 9, "lost_reason_id": 2},
            ]
        },
    )

    stage_id: Id
    version: Version
    lost_reason_id: Id | None = None
    note: Text(300) = ""


@router.post(
    "/opportunities/{id}/move",
    response=responses({200: OpportunityOut}),
    tags=["opportunities"],
    summary="Move an opportunity to another stage",
)
def move_opportunity(request: HttpRequest, payload: OpportunityMoveIn, id: int = path_id()):
    """The board's drag and drop: audited as a `move`. Stages may be skipped; the stage must be in the
    deal's pipeline."""
    opportunity = get_opportunity_for_user(actor(request), id)
    refs = resolve_refs(
        {"stage_id": payload.stage_id, "lost_reason_id": payload.lost_reason_id},
        {
            "stage_id": ("stage", open_stages, "No such stage."),
            "lost_reason_id": ("lost_reason", active_lost_reasons, "No such lost reason."),
        },
    )
    services.move_opportunity(
        opportunity,
        actor=actor(request),
        stage=refs["stage"],
        expected_version=payload.version,
        lost_reason=refs["lost_reason"],
        note=payload.note,
    )
    return get_opportunity_for_user(actor(request), id)


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


# --- line items, quotes and approvals ---------------------------------------------------------


def _acting(call):
    """Run a service; a refusal for lack of rights reads as 404, like a record the caller may not see."""
    try:
        return call()
    except PermissionDenied:
        raise Http404("Not found") from None


class LineItemOut(Schema):
    id: int
    product: Ref
    description: str
    quantity: Decimal
    list_price: Decimal
    discount_percent: Decimal
    unit_cost: Decimal
    vat_exempt: bool
    net_amount: Decimal
    cost: Decimal
    margin: Decimal


class EconomicsOut(Schema):
    currency: str
    lines: list[LineItemOut]
    list_total: Decimal
    discount_total: Decimal
    discount_percent: Decimal
    net_total: Decimal
    product_cost: Decimal
    delivery_cost: Decimal
    person_days: Decimal
    margin: Decimal
    margin_percent: Decimal | None


def _economics_out(opportunity) -> dict:
    eco = catalog.economics(opportunity)
    lines = [
        {
            "id": line.pk,
            "product": line.product,
            "description": line.description,
            "quantity": line.quantity,
            "list_price": line.list_price,
            "discount_percent": line.discount_percent,
            "unit_cost": line.unit_cost,
            "vat_exempt": line.vat_exempt,
            "net_amount": amounts["net"],
            "cost": amounts["cost"],
            "margin": amounts["margin"],
        }
        for line, amounts in eco.lines
    ]
    return {
        "currency": eco.currency,
        "lines": lines,
        "list_total": eco.list_total,
        "discount_total": eco.discount_total,
        "discount_percent": eco.discount_percent,
        "net_total": eco.net_total,
        "product_cost": eco.product_cost,
        "delivery_cost": eco.delivery_cost,
        "person_days": eco.person_days,
        "margin": eco.margin,
        "margin_percent": eco.margin_percent,
    }


class LineItemIn(InputSchema):
    """Without `list_price` the price comes from the price list in the deal's currency; without `unit_cost`
    from the product."""

    product_id: Id
    quantity: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)] = Decimal(1)
    discount_percent: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)] = Decimal(0)
    list_price: Amount() | None = None
    unit_cost: Amount() | None = None
    description: Text(300) = ""
    vat_exempt: bool | None = None


@router.get(
    "/opportunities/{id}/economics",
    response=responses({200: EconomicsOut}),
    tags=["quotes"],
    summary="Line items, margin and effort cost of an opportunity",
)
def get_economics(request: HttpRequest, id: int = path_id()):
    return _economics_out(get_opportunity_for_user(actor(request), id))


@router.post(
    "/opportunities/{id}/line-items",
    response=responses({201: EconomicsOut}),
    tags=["quotes"],
    summary="Add a product to an opportunity",
)
def add_line_item(request: HttpRequest, payload: LineItemIn, id: int = path_id()):
    """409 while one of the deal's quotes is pending approval."""
    opportunity = get_opportunity_for_user(actor(request), id)
    data = payload.model_dump()
    refs = resolve_refs(
        {"product_id": data.pop("product_id")},
        {"product_id": ("product", Product.objects.filter(is_archived=False), "No such product.")},
    )
    _acting(lambda: catalog.add_line_item(opportunity, actor=actor(request), product=refs["product"], **data))
    return Status(201, _economics_out(opportunity))


class QuoteOut(Schema):
    id: int
    number: str
    revision: int
    status: choice(Quote.Status.values)
    is_primary: bool
    language: str
    currency: str
    valid_until: dt.date | None
    payment_terms_days: int
    nonstandard_clauses: str
    list_total: Decimal
    net_total: Decimal
    vat_percent: Decimal
    vat_total: Decimal
    total_with_vat: Decimal
    discount_percent: Decimal
    margin: Decimal
    margin_percent: Decimal | None
    opportunity_id: int
    contact_id: int | None
    created_at: dt.datetime
    version: int


class QuoteIn(InputSchema):
    language: choice(Quote.Language.values) = Quote.Language.KO.value
    valid_until: IsoDate | None = None
    payment_terms_days: Annotated[int, Field(ge=0, le=365)] = 30
    nonstandard_clauses: Text(5000) = ""
    notes: Text(5000) = ""


@router.get(
    "/opportunities/{id}/quotes",
    response=responses({200: list[QuoteOut]}),
    tags=["quotes"],
    summary="Quotes of an opportunity",
)
def list_quotes(request: HttpRequest, id: int = path_id()):
    return get_opportunity_for_user(actor(request), id).quotes.order_by("-revision")[:100]


@router.post(
    "/opportunities/{id}/quotes",
    response=responses({201: QuoteOut}),
    tags=["quotes"],
    summary="Make a quote from the opportunity's line items",
)
def create_quote(request: HttpRequest, payload: QuoteIn, id: int = path_id()):
    opportunity = get_opportunity_for_user(actor(request), id)
    quote = _acting(lambda: quoting.create_quote(opportunity, actor=actor(request), **payload.model_dump()))
    return Status(201, quote)


def _quote_for(request: HttpRequest, id: int) -> Quote:
    quote = Quote.objects.select_related("opportunity").filter(pk=id).first()
    if quote is None:
        raise Http404("Not found")
    get_opportunity_for_user(actor(request), quote.opportunity_id)
    return quote


@router.post(
    "/quotes/{id}/submit",
    response=responses({200: QuoteOut}),
    tags=["quotes"],
    summary="Submit a quote for approval",
)
def submit_quote(request: HttpRequest, id: int = path_id()):
    """Approved at once when no approval rule applies; otherwise `pending` and locked."""
    quote = _quote_for(request, id)
    _acting(lambda: approval_services.submit_quote(quote, actor=actor(request)))
    quote.refresh_from_db()
    return quote


@router.post(
    "/quotes/{id}/recall",
    response=responses({200: QuoteOut}),
    tags=["quotes"],
    summary="Recall a pending quote",
)
def recall_quote(request: HttpRequest, id: int = path_id()):
    quote = _quote_for(request, id)
    _acting(lambda: approval_services.recall(quote, actor=actor(request)))
    quote.refresh_from_db()
    return quote


@router.post(
    "/quotes/{id}/primary",
    response=responses({200: QuoteOut}),
    tags=["quotes"],
    summary="Make a quote primary (sets the opportunity's amount)",
)
def primary_quote(request: HttpRequest, id: int = path_id()):
    quote = _quote_for(request, id)
    _acting(lambda: quoting.set_primary(quote, actor=actor(request)))
    quote.refresh_from_db()
    return quote


class ApprovalStepOut(Schema):
    id: int
    quote: QuoteOut
    rule_name: str
    status: str
    position: int

    @staticmethod
    def resolve_quote(obj: ApprovalStep) -> Quote:
        return obj.request.quote


class DecisionIn(InputSchema):
    """Rejecting needs a `reason`."""

    approve: bool
    reason: Text(500) = ""


@router.get(
    "/approvals",
    response=responses({200: list[ApprovalStepOut]}),
    tags=["quotes"],
    summary="My approval queue",
)
def approval_queue(request: HttpRequest):
    return approval_services.queue_for(actor(request))[:200]


@router.post(
    "/approvals/{id}/decision",
    response=responses({200: ApprovalStepOut}),
    tags=["quotes"],
    summary="Approve or reject",
)
def decide_approval(request: HttpRequest, payload: DecisionIn, id: int = path_id()):
    step = ApprovalStep.objects.filter(pk=id, approver=actor(request)).first()
    if step is None:
        raise Http404("Not found")
    approval_services.decide(step, actor=actor(request), approve=payload.approve, reason=payload.reason)
    return ApprovalStep.objects.select_related("request__quote").get(pk=id)


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
    made = _acting(
        lambda: team.create_team_request(opportunity, actor=actor(request), assignee=refs["assignee"], **data)
    )
    return Status(201, made)
