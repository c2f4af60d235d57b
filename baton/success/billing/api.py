# mypy: disable-error-code="valid-type"
"""REST endpoints of invoices and collections, mounted under /api/v1/success/: the invoices you can see
(through their contract), creating a contract's invoices from its billing schedule, issuing a draft,
payments and credit notes (an ERP pushes payment status here), voiding, and the collections view."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from baton.core.api import Amount, InputSchema, IsoDate, Ref, Text, actor, choice, path_id, responses
from baton.success import queries as contract_queries
from baton.success.billing import queries, services
from baton.success.billing.models import CreditNote, Invoice, Payment

router = Router()


class PaymentOut(Schema):
    id: int
    amount: Decimal
    paid_on: dt.date
    reference: str


class CreditNoteOut(Schema):
    id: int
    amount: Decimal
    issued_on: dt.date
    reason: str


class DunningRunOut(Schema):
    days: int
    action: str
    done_on: dt.date
    outcome: str


class InvoiceOut(Schema):
    id: int
    number: str
    contract_id: int
    account: Ref
    status: str
    period_start: dt.date
    period_end: dt.date
    tax_invoice_date: dt.date
    due_date: dt.date
    payment_terms_days: int
    buyer_brn: str
    currency: str
    recurring_amount: Decimal
    one_time_amount: Decimal
    supply_amount: Decimal
    vat_amount: Decimal
    total_amount: Decimal
    paid_amount: Decimal
    credited_amount: Decimal
    outstanding: Decimal
    void_reason: str
    # The latest dunning step done on the invoice (days after the due date, action, day done).
    last_dunning: DunningRunOut | None = None

    @staticmethod
    def resolve_account(obj: Invoice) -> object:
        return obj.contract.account


class InvoiceDetailOut(InvoiceOut):
    payments: list[PaymentOut]
    credit_notes: list[CreditNoteOut]

    @staticmethod
    def resolve_payments(obj: Invoice) -> list[Payment]:
        return list(obj.payments.order_by("paid_on", "id"))

    @staticmethod
    def resolve_credit_notes(obj: Invoice) -> list[CreditNote]:
        return list(obj.credit_notes.order_by("issued_on", "id"))


class InvoiceFilters(Schema):
    status: choice(Invoice.Status.values, blank=True) = ""
    bucket: choice(["overdue", *services.BUCKETS], blank=True) = ""
    account: int | None = None
    contract: int | None = None
    q: Text(100) = ""


@router.get("/invoices", response=responses({200: list[InvoiceOut]}), tags=["invoices"], summary="Invoices")
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilters]):
    """Invoices you can see, by due date (at most 500); ``bucket`` is days past due today."""
    return list(queries.filtered_invoices(actor(request), filters.dict(), queries.today())[:500])


@router.get(
    "/invoices/{id}", response=responses({200: InvoiceDetailOut}), tags=["invoices"], summary="An invoice"
)
def get_invoice(request: HttpRequest, id: int = path_id()):
    return queries.get_invoice_for_user(actor(request), id)


class ScheduleIn(InputSchema):
    """``draft``: the invoices wait to be issued; otherwise each is issued dated on its period's start."""

    payment_terms_days: int = 30
    draft: bool = True


@router.post(
    "/contracts/{id}/invoices",
    response=responses({201: list[InvoiceOut]}),
    tags=["invoices"],
    summary="Create a contract's invoices from its billing schedule",
)
def schedule(request: HttpRequest, payload: ScheduleIn, id: int = path_id()):
    """The periods of the current term without an invoice get one (running it again makes none)."""
    user = actor(request)
    contract = contract_queries.get_contract_for_user(user, id)
    made = services.schedule_invoices(
        contract, actor=user, payment_terms_days=payload.payment_terms_days, draft=payload.draft
    )
    return Status(201, made)


class IssueIn(InputSchema):
    issue_date: IsoDate


@router.post(
    "/invoices/{id}/issue",
    response=responses({200: InvoiceDetailOut}),
    tags=["invoices"],
    summary="Issue a draft invoice",
)
def issue(request: HttpRequest, payload: IssueIn, id: int = path_id()):
    user = actor(request)
    invoice = queries.get_invoice_for_user(user, id)
    services.issue_invoice(invoice, actor=user, issue_date=payload.issue_date)
    return queries.get_invoice_for_user(user, id)


class PaymentIn(InputSchema):
    amount: Amount()
    paid_on: IsoDate
    reference: Text(100) = ""


@router.post(
    "/invoices/{id}/payments",
    response=responses({201: InvoiceDetailOut}),
    tags=["invoices"],
    summary="Record a payment",
)
def pay(request: HttpRequest, payload: PaymentIn, id: int = path_id()):
    """Money received (by hand or from the ERP); more than is still owed is refused."""
    user = actor(request)
    invoice = queries.get_invoice_for_user(user, id)
    services.record_payment(
        invoice, actor=user, amount=payload.amount, paid_on=payload.paid_on, reference=payload.reference
    )
    return Status(201, queries.get_invoice_for_user(user, id))


class CreditIn(InputSchema):
    amount: Amount()
    issued_on: IsoDate
    reason: Text(300, required=True)


@router.post(
    "/invoices/{id}/credit-notes",
    response=responses({201: InvoiceDetailOut}),
    tags=["invoices"],
    summary="Issue a credit note",
)
def credit(request: HttpRequest, payload: CreditIn, id: int = path_id()):
    user = actor(request)
    invoice = queries.get_invoice_for_user(user, id)
    services.credit_invoice(
        invoice, actor=user, amount=payload.amount, reason=payload.reason, issued_on=payload.issued_on
    )
    return Status(201, queries.get_invoice_for_user(user, id))


class VoidIn(InputSchema):
    reason: Text(300, required=True)


@router.post(
    "/invoices/{id}/void", response=responses({200: InvoiceDetailOut}), tags=["invoices"], summary="Void"
)
def void(request: HttpRequest, payload: VoidIn, id: int = path_id()):
    """A draft or an unpaid invoice is cancelled; one with payments is credited instead."""
    user = actor(request)
    invoice = queries.get_invoice_for_user(user, id)
    services.void_invoice(invoice, actor=user, reason=payload.reason)
    return queries.get_invoice_for_user(user, id)


class DebtOut(Schema):
    account: Ref
    follow_up: Ref | None
    csm: Ref | None
    current: Decimal
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    days_90_plus: Decimal
    overdue: Decimal
    outstanding: Decimal
    dso: int | None


class CollectionsOut(Schema):
    on: dt.date
    accounts: list[DebtOut]
    totals: dict[str, Decimal]
    overdue: Decimal


class CollectionsQuery(Schema):
    overdue_only: bool = True


@router.get(
    "/collections", response=responses({200: CollectionsOut}), tags=["invoices"], summary="Collections"
)
def collections(request: HttpRequest, query: Query[CollectionsQuery]):
    """What each account owes on open invoices today by days past due, with its follow-up owner."""
    today = queries.today()
    result = queries.collections(actor(request), today, overdue_only=query.overdue_only)
    return {
        "on": today,
        "accounts": [
            {
                "account": r.account,
                "follow_up": r.follow_up,
                "csm": r.csm,
                "current": r.totals["current"],
                "days_1_30": r.totals["1-30"],
                "days_31_60": r.totals["31-60"],
                "days_61_90": r.totals["61-90"],
                "days_90_plus": r.totals["90+"],
                "overdue": r.overdue,
                "outstanding": r.outstanding,
                "dso": r.dso,
            }
            for r in result.rows
        ],
        "totals": result.totals,
        "overdue": result.overdue,
    }
