"""Quotes: versioned snapshots of a deal's line items; one primary quote sets the deal's amount.

A quote is a copy (its lines are ``QuoteLine`` rows), so editing the deal later never rewrites what
was offered. Submitting a quote runs the approval rules (``approvals.py``); while it is pending the
quote and the deal's offer are locked.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from baton.accounts.models import Contact
from baton.core.models import User
from baton.core.money import minor_digits
from baton.core.records import can_edit
from baton.core.services import ServiceError, create_record, update_record
from baton.deals import catalog
from baton.deals.models import HUNDRED, Opportunity, Quote, QuoteLine
from baton.deals.services import update_opportunity

EDITABLE_FIELDS = {"language", "valid_until", "payment_terms_days", "nonstandard_clauses", "notes"}


def vat_for(taxable: Decimal, vat_percent: Decimal, currency: str) -> Decimal:
    """VAT on the taxable supply, cut (not rounded) to the currency's minor unit, as Korean tax invoices
    drop the fraction of a won."""
    exp = Decimal(1).scaleb(-minor_digits(currency))
    return (taxable * vat_percent / HUNDRED).quantize(exp, rounding=ROUND_DOWN)


def _require_edit(actor: User | None, opportunity: Opportunity) -> None:
    if actor is not None and not can_edit(actor, opportunity):
        raise PermissionDenied(_("You cannot change this opportunity."))


@transaction.atomic
def create_quote(
    opportunity: Opportunity,
    *,
    actor: User | None,
    language: str = Quote.Language.KO,
    valid_until: dt.date | None = None,
    payment_terms_days: int = 30,
    nonstandard_clauses: str = "",
    notes: str = "",
    contact: Contact | None = None,
) -> Quote:
    """A new version from the deal's current line items and effort (the first one becomes primary).

    The quote keeps the VAT rate in force (``BATON_VAT_PERCENT``) and is addressed to ``contact``
    (default: the deal's primary contact), so later changes never rewrite what was offered."""
    catalog.require_commercial_edit(actor, opportunity)
    # Lock the deal row so two quotes made at once cannot take the same version number.
    Opportunity.objects.select_for_update().filter(pk=opportunity.pk).first()
    eco = catalog.economics(opportunity)
    if not eco.lines:
        raise ValidationError({"lines": [_("Add products to the deal before making a quote.")]})
    if contact is not None and contact.account_id != opportunity.account_id:
        raise ValidationError({"contact": [_("Choose a contact of the deal's account.")]})
    vat_percent = Decimal(settings.BATON_VAT_PERCENT)
    taxable = sum((amounts["net"] for line, amounts in eco.lines if not line.vat_exempt), Decimal(0))
    revision = (opportunity.quotes.aggregate(m=Max("revision"))["m"] or 0) + 1
    first = revision == 1 and not opportunity.quotes.exists()
    quote = create_record(
        Quote,
        actor=actor,
        opportunity=opportunity,
        contact=contact if contact is not None else opportunity.primary_contact,
        number=f"Q-{opportunity.pk:05d}-{revision:02d}",
        revision=revision,
        language=language,
        currency=opportunity.currency,
        valid_until=valid_until,
        payment_terms_days=payment_terms_days,
        nonstandard_clauses=(nonstandard_clauses or "").strip(),
        notes=notes or "",
        list_total=eco.list_total,
        net_total=eco.net_total,
        vat_percent=vat_percent,
        vat_total=vat_for(taxable, vat_percent, opportunity.currency),
        cost_total=eco.product_cost,
        delivery_cost=eco.delivery_cost,
        created_by=actor if actor is not None and actor.pk else None,
    )
    QuoteLine.objects.bulk_create(
        QuoteLine(
            quote=quote,
            product_code=line.product.code,
            product_name=line.product.name
            if language == Quote.Language.KO
            else (line.product.name_en or line.product.name),
            description=line.description,
            quantity=line.quantity,
            list_price=line.list_price,
            discount_percent=line.discount_percent,
            net_amount=amounts["net"],
            unit_cost=line.unit_cost,
            vat_exempt=line.vat_exempt,
            sequence=index,
        )
        for index, (line, amounts) in enumerate(eco.lines, start=1)
    )
    if first:
        set_primary(quote, actor=actor)
    return quote


def _require_quote_editable(quote: Quote) -> None:
    # Judge the stored status (the caller's copy may predate a submission).
    current = Quote.objects.select_for_update().filter(pk=quote.pk).values_list("status", flat=True).first()
    if Quote.Status.PENDING in (quote.status, current):
        raise ServiceError(_("The quote is pending approval; recall it to make changes."))


@transaction.atomic
def update_quote(
    quote: Quote, *, actor: User | None, changes: dict[str, Any], expected_version: int | None
) -> Quote:
    """Terms of a quote; changing them after approval sends it back to draft (it must be approved again)."""
    _require_edit(actor, quote.opportunity)
    _require_quote_editable(quote)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    changes = dict(changes)
    if quote.status in (Quote.Status.APPROVED, Quote.Status.REJECTED) and (
        {"payment_terms_days", "nonstandard_clauses"} & set(changes)
    ):
        changes["status"] = Quote.Status.DRAFT
    return update_record(quote, actor=actor, changes=changes, expected_version=expected_version)


@transaction.atomic
def set_primary(quote: Quote, *, actor: User | None) -> Quote:
    """Make this the deal's primary quote and set the deal's amount to its total."""
    opportunity = quote.opportunity
    _require_edit(actor, opportunity)
    if quote.status == Quote.Status.REJECTED:
        raise ServiceError(_("A rejected quote cannot be the primary quote."))
    others = opportunity.quotes.filter(is_primary=True).exclude(pk=quote.pk)
    for other in others:
        update_record(other, actor=actor, changes={"is_primary": False})
    if not quote.is_primary:
        update_record(quote, actor=actor, changes={"is_primary": True})
    sync_amount(quote, actor=actor)
    return quote


def sync_amount(quote: Quote, *, actor: User | None) -> None:
    """The primary quote's total is the deal's amount (through the deal's own update service)."""
    opportunity = quote.opportunity
    if not quote.is_primary:
        return
    changes: dict[str, Any] = {}
    if opportunity.amount != quote.net_total:
        changes["amount"] = quote.net_total
    if opportunity.currency != quote.currency:
        changes["currency"] = quote.currency
    if changes:
        update_opportunity(opportunity, actor=actor, changes=changes, expected_version=None)


def quote_context(quote: Quote) -> dict[str, Any]:
    """What the printable page and the PDF show, in the quote's language."""
    lines = list(quote.lines.all())
    return {
        "quote": quote,
        "lines": lines,
        "opportunity": quote.opportunity,
        "account": quote.opportunity.account,
    }
