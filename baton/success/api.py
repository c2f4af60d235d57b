# mypy: disable-error-code="valid-type"
"""REST endpoints of the success app, mounted under /api/v1/success/ by baton/api.py: contracts (the
ones the caller may see) with lines and dated changes, creating one from a won deal, amendments,
early termination, renewal outcomes, ARR/MRR on a date and the revenue movements."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from baton.core.api import Amount, Id, InputSchema, IsoDate, Ref, Text, actor, choice, path_id, responses
from baton.core.models import User
from baton.deals.models import Product
from baton.deals.queries import get_opportunity_for_user
from baton.success import queries, revenue, services
from baton.success.billing.api import router as billing_router
from baton.success.cases.api import router as cases_router
from baton.success.expansion.api import router as expansion_router
from baton.success.health.api import router as health_router
from baton.success.health.usage_api import router as usage_router
from baton.success.models import Contract, ContractChange, ContractLine, Renewal, monthly
from baton.success.plans.api import router as plans_router

router = Router()
router.add_router("", cases_router)
router.add_router("", health_router)
router.add_router("", plans_router)
router.add_router("", billing_router)
router.add_router("", expansion_router)
router.add_router("", usage_router)


class ContractLineOut(Schema):
    id: int
    product_code: str
    product_name: str
    family_id: int | None
    is_recurring: bool
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class ContractChangeOut(Schema):
    id: int
    kind: str
    effective_date: dt.date
    line_id: int | None
    quantity_before: Decimal
    quantity_after: Decimal
    unit_price_before: Decimal
    unit_price_after: Decimal
    arr_delta: Decimal
    mrr_delta: Decimal
    end_date_before: dt.date | None
    end_date_after: dt.date | None
    note: str


class RenewalOut(Schema):
    id: int
    term_end: dt.date
    opportunity_id: int | None
    outcome: str
    reason: str


class ContractOut(Schema):
    id: int
    number: str
    name: str
    account: Ref
    opportunity_id: int | None
    owner: Ref | None
    csm: Ref | None
    currency: str
    start_date: dt.date
    end_date: dt.date
    billing_frequency: str
    auto_renew: bool
    notice_days: int
    status: str
    arr: Decimal
    mrr: Decimal
    one_time_total: Decimal
    churn_reason: str
    version: int


class ContractDetailOut(ContractOut):
    lines: list[ContractLineOut]
    changes: list[ContractChangeOut]
    renewals: list[RenewalOut]

    @staticmethod
    def resolve_lines(obj: Contract) -> list[ContractLine]:
        return list(obj.lines.order_by("sequence", "id"))

    @staticmethod
    def resolve_changes(obj: Contract) -> list[ContractChange]:
        return list(obj.changes.order_by("effective_date", "id"))

    @staticmethod
    def resolve_renewals(obj: Contract) -> list[Renewal]:
        return list(obj.renewals.order_by("term_end"))


def _refused(exc: PermissionDenied) -> Http404:
    return Http404("Not found")


@router.get("/contracts", response=responses({200: list[ContractOut]}), tags=["success"], summary="Contracts")
def list_contracts(request: HttpRequest):
    """Contracts you can see, ending soonest first (at most 200)."""
    return list(
        queries.contracts_for(actor(request))
        .select_related("account", "owner", "csm")
        .order_by("end_date", "id")[:200]
    )


@router.get(
    "/contracts/{id}", response=responses({200: ContractDetailOut}), tags=["success"], summary="A contract"
)
def get_contract(request: HttpRequest, id: int = path_id()):
    return queries.get_contract_for_user(actor(request), id)


class ArrOut(Schema):
    on: dt.date
    arr: Decimal
    mrr: Decimal


@router.get(
    "/contracts/{id}/arr",
    response=responses({200: ArrOut}),
    tags=["success"],
    summary="A contract's ARR and MRR on a date",
)
def contract_arr(
    request: HttpRequest,
    id: int = path_id(),
    on: dt.date | None = Query(None),  # noqa: B008 - ninja's way to declare a query parameter
):
    """Reconstructed from the dated changes (today when ``on`` is left out)."""
    contract = queries.get_contract_for_user(actor(request), id)
    day = on or timezone.localdate()
    arr = revenue.contract_arr_on(contract, day)
    return {"on": day, "arr": arr, "mrr": monthly(arr)}


class ContractIn(InputSchema):
    """Make the contract of a won deal from its primary quote. ``recurring_codes`` lists the product
    codes billed by the year (default: products whose unit is a year or a month)."""

    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    recurring_codes: list[Text(40)] | None = None
    billing_frequency: choice(Contract.BillingFrequency.values) = Contract.BillingFrequency.ANNUAL
    auto_renew: bool = False
    notice_days: int = 30
    csm_id: Id | None = None


@router.post(
    "/opportunities/{id}/contract",
    response=responses({201: ContractDetailOut}),
    tags=["success"],
    summary="Make the contract of a won deal",
)
def create_contract(request: HttpRequest, payload: ContractIn, id: int = path_id()):
    user = actor(request)
    opportunity = get_opportunity_for_user(user, id)
    if not 0 <= payload.notice_days <= 3650:
        raise ValidationError({"notice_days": ["Between 0 and 3650 days."]})
    csm = None
    if payload.csm_id is not None:
        csm = User.objects.filter(pk=payload.csm_id, is_active=True).first()
        if csm is None:
            raise ValidationError({"csm_id": ["Unknown user."]})
    try:
        contract = services.create_contract_from_opportunity(
            opportunity,
            actor=user,
            start_date=payload.start_date,
            end_date=payload.end_date,
            recurring_codes=payload.recurring_codes,
            billing_frequency=payload.billing_frequency,
            auto_renew=payload.auto_renew,
            notice_days=payload.notice_days,
            csm=csm,
        )
    except PermissionDenied as exc:
        raise _refused(exc) from None
    return Status(201, contract)


class AmendmentIn(InputSchema):
    """``upsell`` / ``downsell`` / ``price`` of a line (``line_id``), or an upsell adding a product
    (``product_id`` with ``quantity`` and the yearly ``unit_price``), from ``effective_date`` on."""

    kind: choice(["upsell", "downsell", "price"])
    effective_date: IsoDate
    line_id: Id | None = None
    product_id: Id | None = None
    quantity: Amount() | None = None
    unit_price: Amount() | None = None
    note: Text(300) = ""


@router.post(
    "/contracts/{id}/amendments",
    response=responses({201: ContractChangeOut}),
    tags=["success"],
    summary="Amend a contract",
)
def amend_contract(request: HttpRequest, payload: AmendmentIn, id: int = path_id()):
    user = actor(request)
    contract = queries.get_contract_for_user(user, id)
    line = product = None
    if payload.line_id is not None:
        line = ContractLine.objects.filter(pk=payload.line_id, contract=contract).first()
        if line is None:
            raise ValidationError({"line_id": ["This line is not on this contract."]})
    if payload.product_id is not None:
        product = Product.objects.filter(pk=payload.product_id, is_archived=False).first()
        if product is None:
            raise ValidationError({"product_id": ["Unknown product."]})
    try:
        change = services.amend(
            contract,
            actor=user,
            kind=payload.kind,
            effective_date=payload.effective_date,
            line=line,
            product=product,
            quantity=payload.quantity,
            unit_price=payload.unit_price,
            note=payload.note,
        )
    except PermissionDenied as exc:
        raise _refused(exc) from None
    return Status(201, change)


class TerminationIn(InputSchema):
    effective_date: IsoDate
    reason: Text(300, required=True)


@router.post(
    "/contracts/{id}/termination",
    response=responses({200: ContractDetailOut}),
    tags=["success"],
    summary="End a contract early",
)
def terminate_contract(request: HttpRequest, payload: TerminationIn, id: int = path_id()):
    user = actor(request)
    contract = queries.get_contract_for_user(user, id)
    try:
        services.terminate(contract, actor=user, effective_date=payload.effective_date, reason=payload.reason)
    except PermissionDenied as exc:
        raise _refused(exc) from None
    return queries.get_contract_for_user(user, id)


class LineChangeIn(InputSchema):
    line_id: Id
    quantity: Amount() | None = None
    unit_price: Amount() | None = None


class OutcomeIn(InputSchema):
    """``renewed`` extends the term (to ``new_end_date``, default one year); ``changed`` also changes
    ``lines`` from the new term's first day; ``churned`` needs the ``reason``."""

    outcome: choice(["renewed", "changed", "churned"])
    reason: Text(300) = ""
    new_end_date: IsoDate | None = None
    lines: list[LineChangeIn] = []


@router.post(
    "/renewals/{id}/outcome",
    response=responses({200: RenewalOut}),
    tags=["success"],
    summary="Record a renewal's outcome",
)
def renewal_outcome(request: HttpRequest, payload: OutcomeIn, id: int = path_id()):
    user = actor(request)
    renewal = queries.get_renewal_for_user(user, id)
    try:
        return services.record_renewal_outcome(
            renewal,
            actor=user,
            outcome=payload.outcome,
            reason=payload.reason,
            new_end_date=payload.new_end_date,
            line_changes={c.line_id: (c.quantity, c.unit_price) for c in payload.lines},
        )
    except PermissionDenied as exc:
        raise _refused(exc) from None


class UpcomingOut(Schema):
    contract: ContractOut
    days_left: int
    renewal: RenewalOut | None


@router.get(
    "/renewals", response=responses({200: list[UpcomingOut]}), tags=["success"], summary="Renewals due"
)
def list_renewals(request: HttpRequest):
    """Active contracts you can see whose term ends within the renewal lead time (soonest first)."""
    today = timezone.localdate()
    upcoming = list(queries.upcoming_renewals(actor(request), today, services.renewal_lead_days())[:200])
    open_by = {
        r.contract_id: r for r in Renewal.objects.filter(contract__in=upcoming, outcome=Renewal.Outcome.OPEN)
    }
    return [
        {"contract": c, "days_left": (c.end_date - today).days, "renewal": open_by.get(c.pk)}
        for c in upcoming
    ]


class CustomerOut(Schema):
    account_id: int
    group: str | None
    opening_arr: Decimal
    closing_arr: Decimal
    movement: str
    amount: Decimal
    contract_ids: list[int]


class MovementsOut(Schema):
    group: str | None
    opening_arr: Decimal
    closing_arr: Decimal
    new: Decimal
    expansion: Decimal
    contraction: Decimal
    churn: Decimal
    reactivation: Decimal
    grr: Decimal | None
    nrr: Decimal | None
    logos_opening: int
    logos_churned: int
    logo_churn: Decimal | None


class RevenueOut(Schema):
    first: dt.date
    last: dt.date
    by: str
    total: MovementsOut
    groups: list[MovementsOut]
    customers: list[CustomerOut]


def _movements_out(m: revenue.Movements) -> dict:
    return {
        "group": None if m.group is None else str(m.group),
        "opening_arr": m.opening,
        "closing_arr": m.closing,
        "new": m.new,
        "expansion": m.expansion,
        "contraction": m.contraction,
        "churn": m.churn,
        "reactivation": m.reactivation,
        "grr": m.grr,
        "nrr": m.nrr,
        "logos_opening": m.logos_opening,
        "logos_churned": m.logos_churned,
        "logo_churn": m.logo_churn,
    }


@router.get("/revenue", response=responses({200: RevenueOut}), tags=["success"], summary="Revenue movements")
def revenue_movements(
    request: HttpRequest,
    first: dt.date | None = Query(None),  # noqa: B008 - ninja's way to declare a query parameter
    last: dt.date | None = Query(None),  # noqa: B008
    by: choice(["", "segment", "industry", "family", "owner", "csm"]) = Query(""),  # noqa: B008
):
    """New, expansion, contraction, churn and reactivation ARR of the period (default: the last twelve
    months), GRR (capped at 100 %), NRR and logo churn, in total and per group, with the customers and
    contracts behind each movement."""
    user = actor(request)
    today = timezone.localdate()
    last = last or today
    first = first or last - dt.timedelta(days=364)
    if first > last:
        raise ValidationError({"first": ["The period starts after it ends."]})
    contracts = queries.contracts_for(user)
    total, groups = revenue.movements(None if user.is_admin else contracts, first, last, by)
    behind = revenue.contracts_behind(contracts, total.customers, by, first, last)
    return {
        "first": first,
        "last": last,
        "by": by,
        "total": _movements_out(total),
        "groups": [_movements_out(g) for g in groups],
        "customers": [
            {
                "account_id": c.account_id,
                "group": None if c.group is None else str(c.group),
                "opening_arr": c.opening,
                "closing_arr": c.closing,
                "movement": c.movement,
                "amount": c.amount,
                "contract_ids": [k.pk for k in behind.get((c.account_id, c.group), [])],
            }
            for c in total.customers
        ],
    }
