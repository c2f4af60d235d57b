# mypy: disable-error-code="valid-type,assignment"
# (Schemas use annotation factories such as Text(120) and PATCH fields default to "absent" (None)
# without admitting null; pydantic understands both, mypy cannot.)
"""What a deal sells and its quotes: line items, economics, quotes, and their approvals."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Schema, Status
from pydantic import Field

from baton.core.api import (
    Amount,
    Id,
    InputSchema,
    IsoDate,
    ProtectedOut,
    Ref,
    Text,
    actor,
    choice,
    path_id,
    refuse_protected,
    resolve_refs,
    responses,
)
from baton.deals import approvals as approval_services
from baton.deals import catalog, quoting
from baton.deals.api.common import acting, router
from baton.deals.models import ApprovalStep, Product, Quote
from baton.deals.queries import get_opportunity_for_user


class LineItemOut(ProtectedOut):
    protected_model = "deals.lineitem"

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


class EconomicsOut(ProtectedOut):
    protected_model = "deals.lineitem"

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
    refuse_protected(request, "deals.lineitem", dict.fromkeys(payload.model_fields_set))
    data = payload.model_dump()
    refs = resolve_refs(
        {"product_id": data.pop("product_id")},
        {"product_id": ("product", Product.objects.filter(is_archived=False), "No such product.")},
    )
    acting(lambda: catalog.add_line_item(opportunity, actor=actor(request), product=refs["product"], **data))
    return Status(201, _economics_out(opportunity))


class QuoteOut(ProtectedOut):
    protected_model = "deals.quote"

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
    quote = acting(lambda: quoting.create_quote(opportunity, actor=actor(request), **payload.model_dump()))
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
    acting(lambda: approval_services.submit_quote(quote, actor=actor(request)))
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
    acting(lambda: approval_services.recall(quote, actor=actor(request)))
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
    acting(lambda: quoting.set_primary(quote, actor=actor(request)))
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
