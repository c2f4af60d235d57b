"""Every write of contracts: creation from a won deal's primary quote, amendments (upsell, downsell,
price change, early termination) as dated rows, renewals opened once per term, their outcome, and the
D-90/-30/-7 reminders.

Each function runs in one transaction with its audit rows; refusals raise ValidationError (input),
PermissionDenied (not yours) or ServiceError (not in this state) and leave nothing behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.accounts.models import Account
from baton.activities import services as activities
from baton.activities.models import Activity, Notification
from baton.core.audit import log_change
from baton.core.i18n_text import Msg
from baton.core.models import ChangeLog, User
from baton.core.records import can_edit
from baton.core.services import ServiceError, create_record, update_record
from baton.deals.models import LineItem, LostReason, Opportunity, Pipeline, Product, Quote, Stage
from baton.deals.services import create_opportunity, move_opportunity
from baton.success.models import (
    CENT,
    Contract,
    ContractChange,
    ContractLine,
    Renewal,
    RenewalPipeline,
    RenewalReminder,
)
from baton.success.revenue import bump_version

#: Units that mark a product as sold by the period: its quoted amount is per year (or per month).
YEARLY_UNITS = {"년", "연", "연간", "year", "yr", "annual", "/년", "/year"}
MONTHLY_UNITS = {"월", "월간", "month", "mo", "/월", "/month"}
REMINDER_DAYS = (90, 30, 7)
ZERO = Decimal(0)


def contract_url(contract: Contract) -> str:
    return reverse("success:contract", args=[contract.pk])


def _user(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def _money(value: Any, name: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({name: [_("Enter a number.")]}) from None
    if amount < 0 or amount >= Decimal("1e15"):
        raise ValidationError({name: [_("Enter a number that is not negative.")]})
    return amount


def is_recurring_unit(unit: str) -> bool:
    return (unit or "").strip().lower() in YEARLY_UNITS | MONTHLY_UNITS


def _periods_per_year(unit: str) -> int:
    return 12 if (unit or "").strip().lower() in MONTHLY_UNITS else 1


def one_year_term(start: dt.date) -> dt.date:
    """The last day of a one-year term starting on ``start``."""
    try:
        return start.replace(year=start.year + 1) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def _require_edit(actor: User | None, contract: Contract) -> None:
    if actor is not None and not can_edit(actor, contract):
        raise PermissionDenied(_("You cannot change this contract."))


def _may_create_for(actor: User | None, opportunity: Opportunity) -> bool:
    if actor is None:
        return True
    return bool(actor.is_admin or can_edit(actor, opportunity) or opportunity.account.csm_id == actor.pk)


# --- creating contracts ----------------------------------------------------------------------------------


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
        owner=owner if owner is not None else _user(actor),
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
                    created_by=_user(actor),
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


# --- amendments ------------------------------------------------------------------------------------------


def _lock(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().select_related("account").get(pk=contract.pk)


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


def _refresh_arr(contract: Contract) -> None:
    bump_version()
    transaction.on_commit(bump_version)
    arr = Decimal(
        ContractChange.objects.filter(contract=contract).aggregate(s=Sum("arr_delta"))["s"] or 0
    ).quantize(CENT)
    if contract.status != Contract.Status.ACTIVE:
        arr = ZERO
    Contract.objects.filter(pk=contract.pk).update(arr=arr, updated_at=timezone.now())
    contract.arr = arr


def _write_change(contract: Contract, *, actor: User | None, **values: Any) -> ContractChange:
    change = ContractChange.objects.create(contract=contract, created_by=_user(actor), **values)
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=contract,
        after={
            "change": change.kind,
            "effective_date": change.effective_date.isoformat(),
            "line": change.line.product_code if change.line else "",
            "quantity": str(change.quantity_after),
            "unit_price": str(change.unit_price_after),
            "arr_delta": str(change.arr_delta),
        },
        note=change.note[:200],
    )
    return change


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
    contract = _lock(contract)
    _require_edit(actor, contract)
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
        qty = _money(quantity if quantity not in (None, "") else 1, "quantity")
        price = _money(unit_price, "unit_price") if unit_price not in (None, "") else None
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
        change = _write_change(
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
        _refresh_arr(contract)
        return change
    effective_date = _check_effective(contract, effective_date, line)
    old_qty, old_price = line.quantity, line.unit_price
    new_qty = _money(quantity, "quantity") if quantity not in (None, "") else old_qty
    new_price = _money(unit_price, "unit_price") if unit_price not in (None, "") else old_price
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
    change = _write_change(
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
    _refresh_arr(contract)
    return change


@transaction.atomic
def terminate(
    contract: Contract, *, actor: User | None, effective_date: dt.date | None, reason: str
) -> Contract:
    """End the contract early: from ``effective_date`` it has no revenue (one row per recurring line)."""
    contract = _lock(contract)
    _require_edit(actor, contract)
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
                created_by=_user(actor),
            )
    _write_change(
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
    _refresh_arr(contract)
    for renewal in Renewal.objects.filter(contract=contract, outcome=Renewal.Outcome.OPEN):
        _close_renewal(renewal, actor=actor, outcome=Renewal.Outcome.CHURNED, reason=reason)
    return contract


# --- renewals ----------------------------------------------------------------------------------------------

RENEWAL_STAGES = [
    # key, name, English name, sequence, probability, outcome, forecast category
    ("renewal_due", "갱신 예정", "Renewal due", 10, 60, Stage.Outcome.OPEN, "best_case"),
    ("renewal_negotiation", "갱신 협의", "Negotiating renewal", 20, 80, Stage.Outcome.OPEN, "commit"),
    ("renewed", "갱신 완료", "Renewed", 90, 100, Stage.Outcome.WON, "closed"),
    ("churned", "해지", "Churned", 95, 0, Stage.Outcome.LOST, "omitted"),
]


def renewal_pipeline() -> Pipeline:
    """The pipeline renewal deals live in (made on first use, with its four stages)."""
    marker = RenewalPipeline.objects.select_related("pipeline").first()
    if marker is not None:
        return marker.pipeline
    with transaction.atomic():
        pipeline = create_record(Pipeline, actor=None, name="갱신", name_en="Renewals")
        for key, name, name_en, sequence, probability, outcome, category in RENEWAL_STAGES:
            create_record(
                Stage,
                actor=None,
                pipeline=pipeline,
                key=key,
                name=name,
                name_en=name_en,
                sequence=sequence,
                probability=probability,
                outcome=outcome,
                forecast_category=category,
            )
        RenewalPipeline.objects.create(pipeline=pipeline)
    return pipeline


def _renewal_stage(key: str) -> Stage:
    return Stage.objects.get(pipeline=renewal_pipeline(), key=key)


def renewal_lead_days() -> int:
    return int(getattr(settings, "BATON_RENEWAL_LEAD_DAYS", 120))


def open_renewal(contract: Contract, *, actor: User | None = None) -> Renewal | None:
    """Open the renewal of the contract's current term: a Renewal row (unique per contract and term end:
    the claim, so two workers make one) and its opportunity with the current lines and ARR. Returns None
    when another worker (or an earlier run) already opened it."""
    try:
        with transaction.atomic():
            renewal = Renewal.objects.create(contract=contract, term_end=contract.end_date)
            contract = _lock(contract)
            pipeline = renewal_pipeline()
            owner = contract.owner
            opportunity = create_opportunity(
                actor=actor,
                owner=owner,
                name=f"{contract.name} 갱신 ({contract.end_date + dt.timedelta(days=1):%Y-%m-%d}~)"[:200],
                account=contract.account,
                pipeline=pipeline,
                stage=_renewal_stage("renewal_due"),
                amount=contract.arr,
                currency=contract.currency,
                expected_close_date=contract.end_date,
                description=f"{contract.number}",
            )
            _copy_lines(contract, opportunity)
            Renewal.objects.filter(pk=renewal.pk).update(opportunity=opportunity)
            renewal.opportunity = opportunity
            log_change(
                actor=actor,
                action=ChangeLog.Action.CREATE,
                instance=contract,
                after={
                    "renewal": renewal.pk,
                    "term_end": contract.end_date.isoformat(),
                    "opportunity": opportunity.pk,
                },
                note="renewal opened",
            )
            recipients = [u for u in (contract.owner_id, contract.csm_id) if u]
            activities.notify(
                recipients,
                kind=Notification.Kind.ASSIGNMENT,
                actor=actor,
                text=Msg(gettext_noop("Renewal opened: %(contract)s"), contract=contract.name),
                url=reverse("deals:detail", args=[opportunity.pk]),
            )
            return renewal
    except IntegrityError:
        return None


def _copy_lines(contract: Contract, opportunity: Opportunity) -> None:
    """The renewal deal's line items: the contract's current recurring lines at their current prices
    (the line item table has no ``create_record`` service without a price list: written here, audited
    through the renewal's own audit row)."""
    rows = []
    for index, line in enumerate(
        contract.lines.filter(is_recurring=True, quantity__gt=0).select_related("product"), start=1
    ):
        if line.product is None:
            continue
        rows.append(
            LineItem(
                opportunity=opportunity,
                product=line.product,
                quantity=line.quantity,
                list_price=line.unit_price,
                discount_percent=ZERO,
                unit_cost=line.product.unit_cost if line.product.cost_currency == contract.currency else ZERO,
                vat_exempt=line.product.vat_exempt,
                sequence=index,
            )
        )
    LineItem.objects.bulk_create(rows)


def renewals_due(today: dt.date | None = None) -> list[int]:
    """Active contracts whose term ends within the lead time and whose renewal is not opened yet."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=renewal_lead_days())
    opened = Renewal.objects.filter(contract_id=OuterRef("pk"), term_end=OuterRef("end_date"))
    return list(
        Contract.objects.filter(status=Contract.Status.ACTIVE, end_date__gte=today, end_date__lte=horizon)
        .exclude(Exists(opened))
        .order_by("end_date", "id")
        .values_list("id", flat=True)[:5000]
    )


def sweep_renewals(today: dt.date | None = None) -> dict[str, int]:
    """Open every renewal that is due and send the reminders due today: safe to run from any number of
    workers at once (each renewal and reminder is claimed by a unique row)."""
    today = today or timezone.localdate()
    opened = 0
    for contract in Contract.objects.filter(pk__in=renewals_due(today)).select_related("account"):
        if open_renewal(contract) is not None:
            opened += 1
    return {"opened": opened, "reminders": send_reminders(today)}


@transaction.atomic
def _close_renewal(renewal: Renewal, *, actor: User | None, outcome: str, reason: str = "") -> None:
    Renewal.objects.filter(pk=renewal.pk).update(
        outcome=outcome, reason=reason[:300], decided_at=timezone.now()
    )
    opportunity = renewal.opportunity
    if opportunity is None:
        return
    opportunity.refresh_from_db()
    if opportunity.stage.is_closed:
        return
    if outcome == Renewal.Outcome.CHURNED:
        lost = LostReason.objects.filter(is_archived=False, is_no_decision=False).order_by("id").first()
        if lost is None:
            lost = create_record(LostReason, actor=None, name="갱신 안 함", name_en="Not renewed")
        move_opportunity(
            opportunity,
            actor=None,
            stage=_renewal_stage("churned"),
            expected_version=None,
            lost_reason=lost,
            note=reason[:300],
        )
    else:
        move_opportunity(opportunity, actor=None, stage=_renewal_stage("renewed"), expected_version=None)


@transaction.atomic
def record_renewal_outcome(
    renewal: Renewal,
    *,
    actor: User | None,
    outcome: str,
    reason: str = "",
    new_end_date: dt.date | None = None,
    line_changes: dict[int, tuple[Any, Any]] | None = None,
) -> Renewal:
    """Close the loop: renewed (the term is extended), renewed with changes (and the lines change from
    the new term's first day, as dated rows), or churned (with the reason; revenue ends with the term)."""
    renewal = Renewal.objects.select_for_update(of=("self",)).select_related("contract").get(pk=renewal.pk)
    contract = _lock(renewal.contract)
    _require_edit(actor, contract)
    if renewal.outcome != Renewal.Outcome.OPEN:
        raise ServiceError(_("This renewal is already decided."))
    if outcome not in (Renewal.Outcome.RENEWED, Renewal.Outcome.CHANGED, Renewal.Outcome.CHURNED):
        raise ValidationError({"outcome": [_("Choose renewed, renewed with changes or churned.")]})
    reason = (reason or "").strip()
    if outcome == Renewal.Outcome.CHURNED:
        if not reason:
            raise ValidationError({"reason": [_("Say why the customer did not renew.")]})
        update_record(
            contract, actor=actor, changes={"status": Contract.Status.CHURNED, "churn_reason": reason[:300]}
        )
        _refresh_arr(contract)
        _close_renewal(renewal, actor=actor, outcome=outcome, reason=reason)
        renewal.refresh_from_db()
        return renewal
    if contract.status != Contract.Status.ACTIVE or contract.end_date != renewal.term_end:
        raise ServiceError(_("The contract's term changed since this renewal was opened."))
    first_day = contract.end_date + dt.timedelta(days=1)
    new_end = new_end_date or one_year_term(first_day)
    if new_end < first_day:
        raise ValidationError({"new_end_date": [_("The new term cannot end before it starts.")]})
    changes = line_changes or {}
    if outcome == Renewal.Outcome.CHANGED and not changes:
        raise ValidationError({"lines": [_("Give the lines that change at renewal.")]})
    lines = {line.pk: line for line in contract.lines.filter(is_recurring=True)}
    for line_id, (quantity, unit_price) in changes.items():
        line = lines.get(line_id)
        if line is None:
            raise ValidationError({"lines": [_("This line is not on this contract.")]})
        qty = _money(quantity, "quantity") if quantity not in (None, "") else line.quantity
        price = _money(unit_price, "unit_price") if unit_price not in (None, "") else line.unit_price
        old_qty, old_price, old_amount = line.quantity, line.unit_price, line.amount
        if (qty, price) == (old_qty, old_price):
            continue
        line.quantity, line.unit_price = qty, price
        line.save(update_fields=["quantity", "unit_price"])
        ContractChange.objects.create(
            contract=contract,
            line=line,
            kind=ContractChange.Kind.RENEWAL,
            effective_date=first_day,
            quantity_before=old_qty,
            quantity_after=qty,
            unit_price_before=old_price,
            unit_price_after=price,
            arr_delta=line.amount - old_amount,
            note=reason[:300],
            created_by=_user(actor),
        )
    _write_change(
        contract,
        actor=actor,
        kind=ContractChange.Kind.RENEWAL,
        effective_date=first_day,
        end_date_before=contract.end_date,
        end_date_after=new_end,
        note=reason[:300],
    )
    update_record(contract, actor=actor, changes={"end_date": new_end})
    _refresh_arr(contract)
    _close_renewal(renewal, actor=actor, outcome=outcome, reason=reason)
    renewal.refresh_from_db()
    return renewal


# --- reminders -------------------------------------------------------------------------------------------


def send_reminders(today: dt.date | None = None) -> int:
    """D-90/-30/-7 before a term ends: a task for the owner (assigned to the owner and the CSM) and a
    notification to both, once per contract, term and threshold (a unique row claims it)."""
    today = today or timezone.localdate()
    sent = 0
    for days in REMINDER_DAYS:
        target = today + dt.timedelta(days=days)
        for contract in Contract.objects.filter(
            status=Contract.Status.ACTIVE, end_date=target
        ).select_related("account", "owner", "csm"):
            try:
                with transaction.atomic():
                    RenewalReminder.objects.create(
                        contract=contract, term_end=contract.end_date, days_before=days
                    )
                    _remind(contract, days)
                    sent += 1
            except IntegrityError:
                continue
    return sent


def _remind(contract: Contract, days: int) -> None:
    people = [u for u in (contract.owner, contract.csm) if u is not None and u.is_active]
    if not people:
        return
    subject = f"D-{days} {contract.name} 갱신 ({contract.end_date:%Y-%m-%d})"
    actor = people[0]
    due = timezone.make_aware(dt.datetime.combine(contract.end_date - dt.timedelta(days=days), dt.time(9)))
    # If the owner no longer reads the account there is no task; the notification below still goes out.
    with contextlib.suppress(ValidationError), transaction.atomic():
        activities.create_activity(
            actor=actor,
            record=contract.account,
            kind=Activity.Kind.TASK,
            subject=subject[:200],
            due_at=due,
            assignees=people,
        )
    activities.notify(
        [u.pk for u in people],
        kind=Notification.Kind.REMINDER,
        actor=None,
        text=Msg(gettext_noop("Renewal in %(days)s days: %(contract)s"), days=days, contract=contract.name),
        url=contract_url(contract),
    )


# --- contract set-up -------------------------------------------------------------------------------------


@transaction.atomic
def update_contract(
    contract: Contract, *, actor: User | None, changes: dict[str, Any], expected_version: int | None
) -> Contract:
    """The terms that are not revenue: CSM, auto-renew, notice period, billing frequency."""
    _require_edit(actor, contract)
    allowed = {"csm", "auto_renew", "notice_days", "billing_frequency"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    csm = changes.get("csm")
    if csm is not None and not csm.is_active:
        raise ValidationError({"csm": [_("This user is not active.")]})
    return update_record(contract, actor=actor, changes=changes, expected_version=expected_version)
