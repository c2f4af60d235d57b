"""Every write of invoices and payments, and the reads of collections.

The schedule of a contract follows its billing frequency: monthly, quarterly or annual periods from the
term start (the last one cut at the term end and prorated by its days), or one period for the whole
term up front. A period's recurring amount is the contract's ARR on its first day (amendments
included) × the period's months ÷ 12, in whole won; the one-time amount goes on the first invoice.
VAT is 10 % of the supply amount with won fractions cut off (부가가치세 원 미만 절사).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import User
from baton.core.records import can_edit
from baton.core.services import update_record
from baton.success.billing.models import CreditNote, Invoice, Payment
from baton.success.models import Contract
from baton.success.revenue import contract_arr_on

WON = Decimal(1)
VAT_RATE = Decimal("0.1")
MONTHS: dict[str, int] = {
    Contract.BillingFrequency.MONTHLY: 1,
    Contract.BillingFrequency.QUARTERLY: 3,
    Contract.BillingFrequency.ANNUAL: 12,
}
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


def vat_of(supply: Decimal) -> Decimal:
    return (supply * VAT_RATE).quantize(WON, rounding=ROUND_DOWN)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def periods(contract: Contract) -> list[tuple[dt.date, dt.date, Decimal]]:
    """(first day, last day, share of a year) of each billing period of the current term."""
    if contract.billing_frequency == Contract.BillingFrequency.UPFRONT:
        months = 0
        while add_months(contract.start_date, months + 1) <= contract.end_date + dt.timedelta(days=1):
            months += 1
        return [(contract.start_date, contract.end_date, Decimal(max(months, 1)) / 12)]
    step = MONTHS[contract.billing_frequency]
    rows = []
    start = contract.start_date
    while start <= contract.end_date:
        full_end = add_months(start, step) - dt.timedelta(days=1)
        end = min(full_end, contract.end_date)
        share = Decimal(step) / 12
        if end < full_end:  # a short last period: prorated by its days
            share = share * Decimal((end - start).days + 1) / Decimal((full_end - start).days + 1)
        rows.append((start, end, share))
        start = end + dt.timedelta(days=1)
    return rows


@transaction.atomic
def schedule_invoices(
    contract: Contract,
    *,
    actor: User | None,
    payment_terms_days: int = 30,
    number_prefix: str = "",
    draft: bool = False,
) -> list[Invoice]:
    """Create the invoices of the contract's current term that do not exist yet (safe to run again).

    With ``draft`` they wait to be issued one by one (``issue_invoice`` sets the 작성일자 and the due
    date then); otherwise they are issued at once, dated on their period's first day."""
    if actor is not None and not can_edit(actor, contract):
        raise PermissionDenied(_("You cannot change this contract."))
    if not 0 <= payment_terms_days <= 365:
        raise ValidationError({"payment_terms_days": [_("Between 0 and 365 days.")]})
    contract = Contract.objects.select_for_update().select_related("account").get(pk=contract.pk)
    existing = set(contract.invoices.values_list("period_start", flat=True))
    first_ever = not contract.invoices.exists()
    made = []
    for index, (start, end, share) in enumerate(periods(contract)):
        if start in existing:
            continue
        recurring = (contract_arr_on(contract, start) * share).quantize(WON, rounding=ROUND_HALF_UP)
        one_time = contract.one_time_total.quantize(WON) if first_ever and index == 0 else Decimal(0)
        supply = recurring + one_time
        vat = vat_of(supply)
        invoice = Invoice.objects.create(
            contract=contract,
            number=f"{number_prefix or contract.number}-{start:%Y%m%d}"[:40],
            period_start=start,
            period_end=end,
            tax_invoice_date=start,
            due_date=start + dt.timedelta(days=payment_terms_days),
            payment_terms_days=payment_terms_days,
            buyer_brn=contract.account.brn or "",
            currency=contract.currency,
            recurring_amount=recurring,
            one_time_amount=one_time,
            supply_amount=supply,
            vat_amount=vat,
            total_amount=supply + vat,
            status=Invoice.Status.DRAFT if draft else Invoice.Status.OPEN,
            issued_at=None if draft else timezone.now(),
        )
        log_change(actor=actor, action="create", instance=invoice, after=snapshot(invoice), parent=contract)
        made.append(invoice)
    return made


@transaction.atomic
def record_payment(
    invoice: Invoice, *, actor: User | None, amount: Any, paid_on: dt.date, reference: str = ""
) -> Payment:
    """Money received: the invoice is paid once its total is covered; more than is owed is refused."""
    if actor is not None and not can_edit(actor, invoice.contract):
        raise PermissionDenied(_("You cannot change this contract."))
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    value = _money(amount, "amount")
    if invoice.status != Invoice.Status.OPEN:
        raise ValidationError({"amount": [_("This invoice is not open.")]})
    if value <= 0 or value > invoice.outstanding:
        raise ValidationError({"amount": [_("Between 0 and what is still owed.")]})
    payment = Payment.objects.create(
        invoice=invoice,
        amount=value,
        paid_on=paid_on,
        reference=(reference or "")[:100],
        created_by=actor if actor is not None and actor.pk else None,
    )
    before = snapshot(invoice, ["paid_amount", "status"])
    invoice.paid_amount += value
    if invoice.outstanding <= 0:
        invoice.status = Invoice.Status.PAID
    invoice.save(update_fields=["paid_amount", "status"])
    log_change(
        actor=actor,
        action="payment",
        instance=invoice,
        before=before,
        after=snapshot(invoice, ["paid_amount", "status"]),
    )
    return payment


def _money(value: Any, name: str) -> Decimal:
    try:
        result = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({name: [_("Enter a number.")]}) from None
    if not result.is_finite():
        raise ValidationError({name: [_("Enter a number.")]})
    return result


def _locked(invoice: Invoice, actor: User | None) -> Invoice:
    if actor is not None and not can_edit(actor, invoice.contract):
        raise PermissionDenied(_("You cannot change this contract."))
    return Invoice.objects.select_for_update().select_related("contract__account").get(pk=invoice.pk)


STATE_FIELDS = ["status", "tax_invoice_date", "due_date", "buyer_brn", "credited_amount", "void_reason"]


@transaction.atomic
def issue_invoice(invoice: Invoice, *, actor: User | None, issue_date: dt.date) -> Invoice:
    """A draft becomes a tax invoice: dated ``issue_date`` (작성일자), due after its payment terms, with
    the buyer's 사업자등록번호 as it is today (a tax invoice cannot go out without it)."""
    invoice = _locked(invoice, actor)
    if invoice.status != Invoice.Status.DRAFT:
        raise ValidationError(_("Only a draft invoice can be issued."))
    brn = invoice.contract.account.brn or ""
    if not brn:
        raise ValidationError(
            _("The account has no business registration number (사업자등록번호) for the tax invoice.")
        )
    before = snapshot(invoice, STATE_FIELDS)
    invoice.status = Invoice.Status.OPEN
    invoice.tax_invoice_date = issue_date
    invoice.due_date = issue_date + dt.timedelta(days=invoice.payment_terms_days)
    invoice.buyer_brn = brn
    invoice.issued_at = timezone.now()
    invoice.save(update_fields=[*STATE_FIELDS, "issued_at"])
    log_change(
        actor=actor,
        action="issue",
        instance=invoice,
        before=before,
        after=snapshot(invoice, STATE_FIELDS),
        parent=invoice.contract,
    )
    return invoice


@transaction.atomic
def void_invoice(invoice: Invoice, *, actor: User | None, reason: str) -> Invoice:
    """Cancel a draft or an unpaid invoice (with the reason); one with payments is credited instead."""
    reason = (reason or "").strip()[:300]
    if not reason:
        raise ValidationError({"reason": [_("Say why.")]})
    invoice = _locked(invoice, actor)
    if invoice.status not in (Invoice.Status.DRAFT, Invoice.Status.OPEN):
        raise ValidationError(_("This invoice is already closed."))
    if invoice.paid_amount > 0:
        raise ValidationError(_("Money was received against this invoice: issue a credit note instead."))
    before = snapshot(invoice, STATE_FIELDS)
    invoice.status = Invoice.Status.VOID
    invoice.void_reason = reason
    invoice.save(update_fields=STATE_FIELDS)
    log_change(
        actor=actor,
        action="void",
        instance=invoice,
        before=before,
        after=snapshot(invoice, STATE_FIELDS),
        note=reason,
        parent=invoice.contract,
    )
    return invoice


@transaction.atomic
def credit_invoice(
    invoice: Invoice, *, actor: User | None, amount: Any, reason: str, issued_on: dt.date
) -> CreditNote:
    """A credit note (수정세금계산서) takes up to what is still owed off an issued invoice; once nothing
    is owed the invoice is settled (status paid)."""
    reason = (reason or "").strip()[:300]
    if not reason:
        raise ValidationError({"reason": [_("Say why.")]})
    value = _money(amount, "amount")
    invoice = _locked(invoice, actor)
    if invoice.status != Invoice.Status.OPEN:
        raise ValidationError({"amount": [_("This invoice is not open.")]})
    if value <= 0 or value > invoice.outstanding:
        raise ValidationError({"amount": [_("Between 0 and what is still owed.")]})
    note = CreditNote.objects.create(
        invoice=invoice,
        amount=value,
        issued_on=issued_on,
        reason=reason,
        created_by=actor if actor is not None and actor.pk else None,
    )
    before = snapshot(invoice, STATE_FIELDS)
    invoice.credited_amount += value
    if invoice.outstanding <= 0:
        invoice.status = Invoice.Status.PAID
    invoice.save(update_fields=["credited_amount", "status"])
    log_change(
        actor=actor,
        action="credit",
        instance=invoice,
        before=before,
        after=snapshot(invoice, STATE_FIELDS),
        note=reason,
        parent=invoice.contract,
    )
    return note


def bucket_of(invoice: Invoice, today: dt.date) -> str:
    late = (today - invoice.due_date).days
    if late <= 0:
        return "current"
    if late <= 30:
        return "1-30"
    if late <= 60:
        return "31-60"
    if late <= 90:
        return "61-90"
    return "90+"


@dataclass
class Aging:
    """Outstanding amounts (합계 basis) by days past due, and the overdue invoices, worst first."""

    totals: dict[str, Decimal] = field(default_factory=lambda: {b: Decimal(0) for b in BUCKETS})
    overdue: list[tuple[Invoice, str, int]] = field(default_factory=list)

    @property
    def overdue_total(self) -> Decimal:
        return sum((v for k, v in self.totals.items() if k != "current"), Decimal(0))


def aging(invoices: QuerySet[Invoice], today: dt.date) -> Aging:
    result = Aging()
    rows = (
        invoices.filter(status=Invoice.Status.OPEN)
        .select_related("contract__account")
        .order_by("due_date", "id")
    )
    for invoice in rows[:5000]:
        bucket = bucket_of(invoice, today)
        result.totals[bucket] += invoice.outstanding
        if bucket != "current":
            result.overdue.append((invoice, bucket, (today - invoice.due_date).days))
    return result


@transaction.atomic
def set_billing_contact(
    contract: Contract, *, actor: User | None, contact: Any, expected_version: int | None = None
) -> Contract:
    """Who at the customer receives the invoices and the payment reminders: a contact of the
    contract's account (or nobody)."""
    if actor is not None and not can_edit(actor, contract):
        raise PermissionDenied(_("You cannot change this contract."))
    if contact is not None and (contact.account_id != contract.account_id or contact.is_archived):
        raise ValidationError({"billing_contact": [_("Choose a contact of the contract's account.")]})
    return update_record(
        contract,
        actor=actor,
        changes={"billing_contact": contact},
        expected_version=expected_version,
        validate=False,
    )
