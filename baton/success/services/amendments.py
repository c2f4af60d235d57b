"""Amendments of an active contract: upsell, downsell and price change of a line, and early
termination, each a dated row (never an overwrite)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from baton.core.models import User
from baton.core.services import ServiceError, update_record
from baton.deals.models import Product
from baton.success.models import Contract, ContractChange, ContractLine, Renewal
from baton.success.services.common import ZERO, actor_user, lock_contract, parse_money, require_edit
from baton.success.services.movements import refresh_arr, write_change
from baton.success.services.renewals import close_renewal


def _check_effective(
    contract: Contract, effective_date: dt.date | None, line: ContractLine | None
) -> dt.date:
    if effective_date is None:
        raise ValidationError({"effective_date": [_("Give the date the change takes effect.")]})
    if contract.status != Contract.Status.ACTIVE:
        raise ServiceError(_("The contract has ended; it cannot be amended."))
    if not contract.start_date <= effective_date <= contract.end_date:
        raise ValidationError({"effective_date": [_("The date must fall within the contract's term.")]})
    latest = ContractChange.objects.filter(contract=contract)
    if line is not None:
        latest = latest.filter(line=line)
    last = latest.aggregate(m=Max("effective_date"))["m"]
    if last is not None and effective_date < last:
        # A change dated before a later one would be computed from the later state; history stays exact
        # only when changes are added in date order.
        raise ValidationError(
            {"effective_date": [_("A later change is already recorded (%(date)s).") % {"date": last}]}
        )
    return effective_date


@transaction.atomic
def amend(
    contract: Contract,
    *,
    actor: User | None,
    kind: str,
    effective_date: dt.date | None,
    line: ContractLine | None = None,
    quantity: Any = None,
    unit_price: Any = None,
    product: Product | None = None,
    note: str = "",
) -> ContractChange:
    """Upsell (more units, or a new product), downsell (fewer units, down to none) or price change of
    one recurring line, from ``effective_date`` on; a dated row, never an overwrite."""
    contract = lock_contract(contract)
    require_edit(actor, contract)
    if kind not in (ContractChange.Kind.UPSELL, ContractChange.Kind.DOWNSELL, ContractChange.Kind.PRICE):
        raise ValidationError({"kind": [_("Choose upsell, downsell or price change.")]})
    if line is not None and line.contract_id != contract.pk:
        raise ValidationError({"line": [_("This line is not on this contract.")]})
    if line is not None and not line.is_recurring:
        raise ValidationError({"line": [_("One-time lines are not amended.")]})
    note = (note or "").strip()[:300]
    if line is None:
        # A new product on the contract: only as an upsell, with its quantity and yearly unit price.
        if kind != ContractChange.Kind.UPSELL or product is None:
            raise ValidationError({"line": [_("Choose a line of the contract, or a product to add.")]})
        qty = parse_money(quantity if quantity not in (None, "") else 1, "quantity")
        price = parse_money(unit_price, "unit_price") if unit_price not in (None, "") else None
        if price is None:
            raise ValidationError({"unit_price": [_("Give the yearly price per unit.")]})
        if qty <= 0:
            raise ValidationError({"quantity": [_("Quantities must be positive.")]})
        effective_date = _check_effective(contract, effective_date, None)
        last = contract.lines.aggregate(m=Max("sequence"))["m"] or 0
        line = ContractLine.objects.create(
            contract=contract,
            product=product,
            family_id=product.family_id,
            product_code=product.code,
            product_name=str(product),
            is_recurring=True,
            quantity=qty,
            unit_price=price,
            sequence=last + 1,
        )
        change = write_change(
            contract,
            actor=actor,
            line=line,
            kind=kind,
            effective_date=effective_date,
            quantity_after=qty,
            unit_price_after=price,
            arr_delta=line.amount,
            note=note,
        )
        refresh_arr(contract)
        return change
    effective_date = _check_effective(contract, effective_date, line)
    old_qty, old_price = line.quantity, line.unit_price
    new_qty = parse_money(quantity, "quantity") if quantity not in (None, "") else old_qty
    new_price = parse_money(unit_price, "unit_price") if unit_price not in (None, "") else old_price
    if kind == ContractChange.Kind.UPSELL and not new_qty > old_qty:
        raise ValidationError({"quantity": [_("An upsell raises the quantity.")]})
    if kind == ContractChange.Kind.DOWNSELL and not new_qty < old_qty:
        raise ValidationError({"quantity": [_("A downsell lowers the quantity.")]})
    if kind == ContractChange.Kind.PRICE and (new_price == old_price or new_qty != old_qty):
        raise ValidationError(
            {"unit_price": [_("A price change gives a new price (and keeps the quantity).")]}
        )
    old_amount = line.amount
    line.quantity, line.unit_price = new_qty, new_price
    line.save(update_fields=["quantity", "unit_price"])
    change = write_change(
        contract,
        actor=actor,
        line=line,
        kind=kind,
        effective_date=effective_date,
        quantity_before=old_qty,
        quantity_after=new_qty,
        unit_price_before=old_price,
        unit_price_after=new_price,
        arr_delta=line.amount - old_amount,
        note=note,
    )
    refresh_arr(contract)
    return change


@transaction.atomic
def terminate(
    contract: Contract, *, actor: User | None, effective_date: dt.date | None, reason: str
) -> Contract:
    """End the contract early: from ``effective_date`` it has no revenue (one row per recurring line)."""
    contract = lock_contract(contract)
    require_edit(actor, contract)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the contract ends early.")]})
    effective_date = _check_effective(contract, effective_date, None)
    if effective_date <= contract.start_date:
        raise ValidationError({"effective_date": [_("The date must fall within the contract's term.")]})
    old_end = contract.end_date
    for line in contract.lines.filter(is_recurring=True).order_by("sequence", "id"):
        current = ContractChange.objects.filter(line=line).aggregate(s=Sum("arr_delta"))["s"] or ZERO
        if current:
            ContractChange.objects.create(
                contract=contract,
                line=line,
                kind=ContractChange.Kind.TERMINATION,
                effective_date=effective_date,
                quantity_before=line.quantity,
                unit_price_before=line.unit_price,
                unit_price_after=line.unit_price,
                arr_delta=-current,
                note=reason[:300],
                created_by=actor_user(actor),
            )
    write_change(
        contract,
        actor=actor,
        kind=ContractChange.Kind.TERMINATION,
        effective_date=effective_date,
        end_date_before=old_end,
        end_date_after=effective_date - dt.timedelta(days=1),
        note=reason[:300],
    )
    update_record(
        contract,
        actor=actor,
        changes={
            "status": Contract.Status.TERMINATED,
            "end_date": effective_date - dt.timedelta(days=1),
            "churn_reason": reason[:300],
        },
    )
    refresh_arr(contract)
    for renewal in Renewal.objects.filter(contract=contract, outcome=Renewal.Outcome.OPEN):
        close_renewal(renewal, actor=actor, outcome=Renewal.Outcome.CHURNED, reason=reason)
    return contract
