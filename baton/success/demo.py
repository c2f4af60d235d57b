"""The demo's post-sales world: contracts made from the won deals' primary quotes, amendments (upsells,
price changes, an early termination), past terms renewed or churned, renewals due in the next months
(opened in the renewal pipeline) and the CSM assigned to the customers. Run by ``seed_demo`` through
``seed_success_demo``; idempotent (a deal already under contract is skipped)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from baton.accounts.models import Account
from baton.accounts.services import update_account
from baton.core.models import Role, User
from baton.deals.models import Opportunity, Product, Stage
from baton.success import services
from baton.success.billing.demo import seed_dunning, seed_invoices
from baton.success.cases.demo import seed_cases
from baton.success.expansion.demo import seed_expansion
from baton.success.health.demo import seed_usage
from baton.success.models import Contract, ContractChange, Renewal
from baton.success.plans.demo import seed_plans_and_health
from baton.success.services import LineSpec

# Sold by the year in the demo catalogue: cloud subscriptions and ERP user licences (with maintenance).
RECURRING = {"cloud-std", "erp-user"}
CHURN_REASONS = ["예산 삭감", "경쟁사로 이전", "사업 축소", "자체 개발로 전환"]


def _renew_until_current(contract: Contract, today: dt.date, rng: random.Random, admin: User) -> None:
    """Terms that already ended: renewed (some with more seats), or churned once in a while."""
    for _ in range(4):
        contract.refresh_from_db()
        if contract.status != Contract.Status.ACTIVE or contract.end_date >= today:
            return
        renewal = services.open_renewal(contract, actor=admin)
        if renewal is None:
            renewal = Renewal.objects.get(contract=contract, term_end=contract.end_date)
        roll = rng.random()
        if roll < 0.15:
            services.record_renewal_outcome(
                renewal, actor=admin, outcome="churned", reason=rng.choice(CHURN_REASONS)
            )
            return
        if roll < 0.45:
            line = contract.lines.filter(is_recurring=True, quantity__gt=0).order_by("sequence").first()
            if line is not None:
                more = (line.quantity * Decimal("1.2")).quantize(Decimal(1)) + 1
                services.record_renewal_outcome(
                    renewal,
                    actor=admin,
                    outcome="changed",
                    line_changes={line.pk: (more, None)},
                    reason="증설",
                )
                continue
        services.record_renewal_outcome(renewal, actor=admin, outcome="renewed")


def _amend_some(contract: Contract, today: dt.date, rng: random.Random, admin: User) -> None:
    contract.refresh_from_db()
    if contract.status != Contract.Status.ACTIVE:
        return
    line = contract.lines.filter(is_recurring=True, quantity__gt=0).order_by("sequence").first()
    if line is None:
        return
    last = ContractChange.objects.filter(contract=contract).order_by("-effective_date").first()
    first_day = max(contract.start_date, last.effective_date if last else contract.start_date)
    span = (min(contract.end_date, today) - first_day).days
    if span < 30:
        return
    when = first_day + dt.timedelta(days=rng.randint(15, span - 1))
    roll = rng.random()
    if roll < 0.5:
        services.amend(
            contract,
            actor=admin,
            kind="upsell",
            effective_date=when,
            line=line,
            quantity=line.quantity + rng.randint(2, 10),
        )
    elif roll < 0.7 and line.quantity > 2:
        services.amend(
            contract, actor=admin, kind="downsell", effective_date=when, line=line, quantity=line.quantity - 1
        )
    elif roll < 0.85:
        price = (line.unit_price * Decimal("1.05")).quantize(Decimal(1000))
        services.amend(
            contract,
            actor=admin,
            kind="price",
            effective_date=when,
            line=line,
            unit_price=price,
            note="물가 인상",
        )


def seed(stdout: Any = None, *, seed_value: int = 13) -> dict[str, int]:
    rng = random.Random(seed_value)
    today = timezone.localdate()
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    csm = (
        User.objects.filter(username="csm").first() or User.objects.filter(role=Role.CUSTOMER_SUCCESS).first()
    )
    if admin is None:
        return {"contracts": 0}
    made = 0
    products = {p.code: p for p in Product.objects.filter(code__in=[*RECURRING, "erp-core", "svc-impl"])}
    if not {"cloud-std", "erp-user"} <= set(products):
        return {"contracts": 0}
    # The won deals: from the primary quote when there is one, otherwise from what the deal sold.
    won = list(
        Opportunity.objects.filter(
            stage__outcome=Stage.Outcome.WON, contract__isnull=True, renewal__isnull=True
        )
        .select_related("account")
        .order_by("closed_at", "id")
    )
    for opportunity in won:
        _give_csm(opportunity.account, rng, admin, csm)
        if services.primary_quote(opportunity) is not None:
            contract = services.create_contract_from_opportunity(
                opportunity, actor=admin, recurring_codes=RECURRING, billing_frequency=_billing(rng)
            )
        else:
            start = timezone.localdate(opportunity.closed_at) if opportunity.closed_at else today
            contract = _hand_built(
                opportunity.account, start, rng, admin, csm, products, opportunity=opportunity
            )
        made += 1
        _amend_some(contract, today, rng, admin)
    # Customers of earlier years: terms renewed (some with more seats), churned, amended.
    older = list(Account.objects.filter(contracts__isnull=True, is_archived=False).order_by("id")[3:15])
    for account in older:
        _give_csm(account, rng, admin, csm)
        start = today - dt.timedelta(days=rng.randint(200, 1000))
        contract = _hand_built(account, start, rng, admin, csm, products)
        made += 1
        _amend_some(contract, today, rng, admin)
        _renew_until_current(contract, today, rng, admin)
        _amend_some(contract, today, rng, admin)
    made += _renewals_due_soon(today, rng, admin, csm)
    # One early termination, so the NRR page shows every movement.
    victim = (
        Contract.objects.filter(status=Contract.Status.ACTIVE, start_date__lt=today - dt.timedelta(days=60))
        .order_by("id")
        .first()
    )
    if victim is not None and victim.end_date > today:
        services.terminate(victim, actor=admin, effective_date=today - dt.timedelta(days=10), reason="폐업")
    result = services.sweep_renewals(today)
    cases = seed_cases(rng, admin, csm)
    summary = {
        "contracts": made,
        "renewals_opened": result["opened"],
        "cases": cases,
        "invoices": seed_invoices(rng, today, admin),
        "dunning_steps": seed_dunning(today, admin),
        "usage": seed_usage(rng, today, admin),
        "expansion_deals": seed_expansion(today, admin),
        **seed_plans_and_health(rng, today, admin, csm),
    }
    if stdout is not None:
        stdout.write(f"Success demo: {summary}")
    return summary


def _billing(rng: random.Random) -> str:
    return rng.choice(["annual", "annual", "quarterly", "monthly"])


def _give_csm(account: Account, rng: random.Random, admin: User, csm: User | None) -> None:
    if csm is not None and account.csm_id is None and rng.random() < 0.8:
        update_account(account, actor=admin, changes={"csm": csm}, expected_version=None)
        account.refresh_from_db()


def _hand_built(
    account: Account,
    start: dt.date,
    rng: random.Random,
    admin: User,
    csm: User | None,
    products: dict[str, Product],
    *,
    opportunity: Opportunity | None = None,
) -> Contract:
    """A one-year subscription: ERP user licences and/or cloud, often with a one-time set-up."""
    lines = []
    if rng.random() < 0.7:
        p = products["erp-user"]
        lines.append(LineSpec(p.code, p.name, Decimal(rng.randint(20, 120)), Decimal(90_000), True, p))
    if not lines or rng.random() < 0.5:
        p = products["cloud-std"]
        lines.append(LineSpec(p.code, p.name, Decimal(rng.randint(1, 4)), Decimal(15_000_000), True, p))
    if "svc-impl" in products and rng.random() < 0.5:
        p = products["svc-impl"]
        lines.append(LineSpec(p.code, p.name, Decimal(rng.randint(10, 40)), Decimal(900_000), False, p))
    return services.create_contract(
        actor=admin,
        account=account,
        name=(opportunity.name if opportunity is not None else f"{account.name} 구독")[:200],
        number=f"C-{opportunity.pk:06d}" if opportunity is not None else f"C-H{account.pk:05d}",
        start_date=start,
        lines=lines,
        owner=opportunity.owner if opportunity is not None else account.owner,
        csm=account.csm if account.csm_id else csm,
        billing_frequency=_billing(rng),
        auto_renew=rng.random() < 0.4,
        notice_days=rng.choice([30, 60, 90]),
        opportunity=opportunity,
    )


def _renewals_due_soon(today: dt.date, rng: random.Random, admin: User, csm: User | None) -> int:
    """Three customers whose yearly subscription ends in the next months, so renewals are due now."""
    products = {p.code: p for p in Product.objects.filter(code__in=RECURRING)}
    if not products:
        return 0
    accounts = list(Account.objects.filter(contracts__isnull=True, is_archived=False).order_by("id")[:3])
    made = 0
    for account, days in zip(accounts, (21, 55, 100), strict=False):
        end = today + dt.timedelta(days=days)
        start = end.replace(year=end.year - 1) + dt.timedelta(days=1)
        if csm is not None and account.csm_id is None:
            update_account(account, actor=admin, changes={"csm": csm}, expected_version=None)
            account.refresh_from_db()
        lines = [
            LineSpec(
                p.code,
                p.name,
                Decimal(rng.randint(1, 3) if p.code == "cloud-std" else rng.randint(20, 80)),
                Decimal(15_000_000 if p.code == "cloud-std" else 90_000),
                True,
                p,
            )
            for p in products.values()
        ]
        services.create_contract(
            actor=admin,
            account=account,
            name=f"{account.name} 구독",
            number=f"C-D{account.pk:05d}",
            start_date=start,
            end_date=end,
            lines=lines,
            owner=account.owner,
            csm=csm,
            auto_renew=days > 60,
        )
        made += 1
    return made
