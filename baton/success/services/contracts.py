"""Creating contracts (by hand, or from a won deal's primary quote, once per deal) and changing the
terms that are not revenue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.accounts.models import Account
from baton.core.audit import log_change
from baton.core.models import ChangeLog, User
from baton.core.records import can_edit
from baton.core.services import ServiceError, create_record, update_record
from baton.deals.models import Opportunity, Product, Quote, Stage
from baton.success.models import CENT, Contract, ContractChange, ContractLine
from baton.success.revenue import bump_version
from baton.success.services.common import ZERO, actor_user, one_year_term, require_edit

#: Units that mark a product as sold by the period: its quoted amount is per year (or per month).
YEARLY_UNITS = {"년", "연", "연간", "year", "yr", "annual", "/년", "/year"}
MONTHLY_UNITS = {"월", "월간", "month", "mo", "/월", "/month"}


def is_recurring_unit(unit: str) -> bool:
    return (unit or "").strip().lower() in YEARLY_UNITS | MONTHLY_UNITS


def _periods_per_year(unit: str) -> int:
    return 12 if (unit or "").strip().lower() in MONTHLY_UNITS else 1


def _may_create_for(actor: User | None, opportunity: Opportunity) -> bool:
    if actor is None:
        return True
    return bool(actor.is_admin or can_edit(actor, opportunity) or opportunity.account.csm_id == actor.pk)


@dataclass
class LineSpec:
    """A line of a new contract: recurring lines are priced per unit per year."""

    product_code: str
    product_name: str
    quantity: Decimal
    unit_price: Decimal
    is_recurring: bool = True
    product: Product | None = None


def _validate_term(start: dt.date | None, end: dt.date | None) -> None:
    errors: dict[str, list[str]] = {}
    if start is None:
        errors["start_date"] = [_("Give the start of the term.")]
    if end is None:
        errors["end_date"] = [_("Give the end of the term.")]
    if start and end and end < start:
        errors["end_date"] = [_("The term cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_contract(
    *,
    actor: User | None,
    account: Account,
    name: str,
    number: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    lines: Iterable[LineSpec],
    owner: User | None = None,
    csm: User | None = None,
    currency: str = "KRW",
    billing_frequency: str = Contract.BillingFrequency.ANNUAL,
    auto_renew: bool = False,
    notice_days: int = 30,
    opportunity: Opportunity | None = None,
    quote: Quote | None = None,
) -> Contract:
    """A contract with its lines and the START row of every recurring line (its ARR from day one)."""
    end_date = end_date or (one_year_term(start_date) if start_date else None)
    _validate_term(start_date, end_date)
    assert end_date is not None
    specs = list(lines)
    if not specs:
        raise ValidationError({"lines": [_("A contract needs at least one product.")]})
    if billing_frequency not in Contract.BillingFrequency.values:
        raise ValidationError({"billing_frequency": [_("Choose how the contract is billed.")]})
    for spec in specs:
        if spec.quantity <= 0:
            raise ValidationError({"lines": [_("Quantities must be positive.")]})
        if spec.unit_price < 0:
            raise ValidationError({"lines": [_("Prices cannot be negative.")]})
    contract = create_record(
        Contract,
        actor=actor,
        number=number[:40],
        name=(name or "").strip()[:200] or str(account)[:200],
        account=account,
        opportunity=opportunity,
        quote=quote,
        owner=owner if owner is not None else actor_user(actor),
        csm=csm if csm is not None else account.csm,
        currency=currency,
        start_date=start_date,
        end_date=end_date,
        billing_frequency=billing_frequency,
        auto_renew=bool(auto_renew),
        notice_days=notice_days,
    )
    arr = one_time = ZERO
    made: list[ContractLine] = []
    for index, spec in enumerate(specs, start=1):
        line = ContractLine(
            contract=contract,
            product=spec.product,
            family_id=spec.product.family_id if spec.product is not None else None,
            product_code=spec.product_code[:40],
            product_name=spec.product_name[:200],
            is_recurring=spec.is_recurring,
            quantity=spec.quantity,
            unit_price=spec.unit_price,
            sequence=index,
        )
        made.append(line)
    ContractLine.objects.bulk_create(made)
    rows = []
    for line in made:
        if line.is_recurring:
            arr += line.amount
            rows.append(
                ContractChange(
                    contract=contract,
                    line=line,
                    kind=ContractChange.Kind.START,
                    effective_date=start_date,
                    quantity_after=line.quantity,
                    unit_price_after=line.unit_price,
                    arr_delta=line.amount,
                    end_date_after=end_date,
                    created_by=actor_user(actor),
                )
            )
        else:
            one_time += line.amount
    ContractChange.objects.bulk_create(rows)
    Contract.objects.filter(pk=contract.pk).update(arr=arr, one_time_total=one_time)
    contract.arr, contract.one_time_total = arr, one_time
    bump_version()
    transaction.on_commit(bump_version)
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=contract,
        after={
            "lines": [f"{line.product_code} × {line.quantity} @ {line.unit_price}" for line in made],
            "arr": str(arr),
            "one_time_total": str(one_time),
        },
        note="lines",
    )
    return contract


def primary_quote(opportunity: Opportunity) -> Quote | None:
    return opportunity.quotes.filter(is_primary=True).prefetch_related("lines").first()


def quote_line_specs(quote: Quote, recurring_codes: Iterable[str] | None = None) -> list[LineSpec]:
    """The quote's lines as contract lines. A recurring line's quoted amount is for a year (or for a
    month when its unit is a month: times 12); ``recurring_codes`` overrides which are recurring
    (default: products sold by the year or month)."""
    lines = list(quote.lines.all())
    products = {p.code: p for p in Product.objects.filter(code__in=[ql.product_code for ql in lines])}
    chosen = set(recurring_codes) if recurring_codes is not None else None
    specs = []
    for ql in lines:
        product = products.get(ql.product_code)
        unit = product.unit if product is not None else ""
        recurring = (ql.product_code in chosen) if chosen is not None else is_recurring_unit(unit)
        total = ql.net_amount * (_periods_per_year(unit) if recurring else 1)
        quantity = ql.quantity if ql.quantity > 0 else Decimal(1)
        specs.append(
            LineSpec(
                product_code=ql.product_code,
                product_name=ql.product_name,
                quantity=quantity,
                unit_price=(total / quantity).quantize(CENT, rounding=ROUND_HALF_UP),
                is_recurring=recurring,
                product=product,
            )
        )
    return specs


@transaction.atomic
def create_contract_from_opportunity(
    opportunity: Opportunity,
    *,
    actor: User | None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    recurring_codes: Iterable[str] | None = None,
    billing_frequency: str = Contract.BillingFrequency.ANNUAL,
    auto_renew: bool = False,
    notice_days: int = 30,
    csm: User | None = None,
) -> Contract:
    """The contract of a won deal, from its primary quote (once per deal)."""
    opportunity = (
        Opportunity.objects.select_for_update().select_related("account", "stage").get(pk=opportunity.pk)
    )
    if not _may_create_for(actor, opportunity):
        raise PermissionDenied(_("You cannot change this opportunity."))
    if Contract.objects.filter(opportunity=opportunity).exists():
        raise ServiceError(_("This deal already has its contract."))
    if opportunity.stage.outcome != Stage.Outcome.WON:
        raise ServiceError(_("Only a won deal becomes a contract."))
    quote = primary_quote(opportunity)
    if quote is None:
        raise ServiceError(_("The deal has no primary quote to make the contract from."))
    if start_date is None:
        closed = opportunity.closed_at
        start_date = timezone.localdate(closed) if closed else timezone.localdate()
    if csm is not None and not csm.is_active:
        raise ValidationError({"csm": [_("This user is not active.")]})
    return create_contract(
        actor=actor,
        account=opportunity.account,
        name=opportunity.name,
        number=f"C-{opportunity.pk:06d}",
        start_date=start_date,
        end_date=end_date,
        lines=quote_line_specs(quote, recurring_codes),
        owner=opportunity.owner,
        csm=csm,
        currency=quote.currency,
        billing_frequency=billing_frequency,
        auto_renew=auto_renew,
        notice_days=notice_days,
        opportunity=opportunity,
        quote=quote,
    )


@transaction.atomic
def update_contract(
    contract: Contract, *, actor: User | None, changes: dict[str, Any], expected_version: int | None
) -> Contract:
    """The terms that are not revenue: CSM, auto-renew, notice period, billing frequency."""
    require_edit(actor, contract)
    allowed = {"csm", "auto_renew", "notice_days", "billing_frequency"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    csm = changes.get("csm")
    if csm is not None and not csm.is_active:
        raise ValidationError({"csm": [_("This user is not active.")]})
    return update_record(contract, actor=actor, changes=changes, expected_version=expected_version)
