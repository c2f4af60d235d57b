"""Renewals: the renewal pipeline, opening a renewal once per term (with its deal), the periodic
sweep, and the outcome (renewed, renewed with changes, churned)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.activities import services as activities
from baton.activities.models import Notification
from baton.core.audit import log_change
from baton.core.i18n_text import Msg
from baton.core.models import ChangeLog, User
from baton.core.services import ServiceError, create_record, update_record
from baton.deals.models import LineItem, LostReason, Opportunity, Pipeline, Stage
from baton.deals.services import create_opportunity, move_opportunity
from baton.success.models import Contract, ContractChange, Renewal, RenewalPipeline
from baton.success.services.common import (
    ZERO,
    actor_user,
    lock_contract,
    one_year_term,
    parse_money,
    require_edit,
)
from baton.success.services.movements import refresh_arr, write_change
from baton.success.services.reminders import send_reminders

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
            contract = lock_contract(contract)
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
def close_renewal(renewal: Renewal, *, actor: User | None, outcome: str, reason: str = "") -> None:
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
    contract = lock_contract(renewal.contract)
    require_edit(actor, contract)
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
        refresh_arr(contract)
        close_renewal(renewal, actor=actor, outcome=outcome, reason=reason)
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
        qty = parse_money(quantity, "quantity") if quantity not in (None, "") else line.quantity
        price = parse_money(unit_price, "unit_price") if unit_price not in (None, "") else line.unit_price
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
            created_by=actor_user(actor),
        )
    write_change(
        contract,
        actor=actor,
        kind=ContractChange.Kind.RENEWAL,
        effective_date=first_day,
        end_date_before=contract.end_date,
        end_date_after=new_end,
        note=reason[:300],
    )
    update_record(contract, actor=actor, changes={"end_date": new_end})
    refresh_arr(contract)
    close_renewal(renewal, actor=actor, outcome=outcome, reason=reason)
    renewal.refresh_from_db()
    return renewal
