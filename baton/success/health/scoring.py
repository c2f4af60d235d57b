"""Computing an account's health, and every write of health data (weights, NPS answers, the daily
snapshots).

Each component scores 0-100 with a reason a person can check:

- ``cases``: 100 − 15 per open case on time − 40 per open case past its SLA (not below 0);
- ``engagement``: days since the last completed activity on the account: up to 14 → 100, up to 30 →
  70, up to 60 → 40, later → 10, none → 0;
- ``renewal``: a renewal still undecided after its term ended → 0; otherwise the nearest term end of an
  active contract: more than 120 days away → 100, 31-120 → 60, 30 or fewer → 30 (no active contract:
  left out);
- ``nps``: the latest answer of the last 365 days: 9-10 → 100, 7-8 → 60, 0-6 → 20 (none: left out);
- ``usage``: the latest usage figure of the last 90 days: seats in use ÷ seats bought, as a whole
  percent (half up): 80 % or more → 100, 50-79 → 60, 25-49 → 30, less → 10; nobody signed in over the
  30 days → 10 whatever the seats (no figure: left out).

The score is the weighted mean of the components present, rounded half up; 70 and above is healthy,
40-69 watch, below 40 at risk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.accounts.models import Account, Contact
from baton.activities.models import Activity
from baton.core.audit import log_change, snapshot
from baton.core.models import User
from baton.success.cases.models import Case
from baton.success.health.models import HealthSnapshot, HealthWeights, NpsResponse, UsageRecord
from baton.success.models import Contract, Renewal

OPEN_STATUSES = (Case.Status.NEW, Case.Status.IN_PROGRESS, Case.Status.WAITING)
COMPONENTS = ("cases", "engagement", "renewal", "nps", "usage")


@dataclass
class Component:
    key: str
    score: int
    weight: int
    reason: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "score": self.score,
            "weight": self.weight,
            "reason": self.reason,
            "params": self.params,
        }


@dataclass
class Health:
    score: int
    band: str
    components: list[Component]


def weights() -> HealthWeights:
    return HealthWeights.objects.order_by("pk").first() or HealthWeights()


def band_of(score: int) -> str:
    if score >= 70:
        return HealthSnapshot.Band.GREEN
    if score >= 40:
        return HealthSnapshot.Band.YELLOW
    return HealthSnapshot.Band.RED


def _cases(account: Account, weight: int) -> Component:
    open_cases = Case.objects.filter(account=account, status__in=OPEN_STATUSES)
    counts = open_cases.aggregate(
        total=Count("id"),
        breached=Count("id", filter=Q(first_response_breached=True) | Q(resolution_breached=True)),
    )
    total, breached = counts["total"], counts["breached"]
    score = max(0, 100 - 15 * (total - breached) - 40 * breached)
    reason = gettext_noop("%(open)s open cases, %(breached)s past their SLA")
    return Component("cases", score, weight, reason, {"open": total, "breached": breached})


def _engagement(account: Account, weight: int, today: dt.date) -> Component:
    last = Activity.objects.filter(account=account, completed_at__isnull=False).aggregate(
        last=Max("completed_at")
    )["last"]
    if last is None:
        return Component("engagement", 0, weight, gettext_noop("No completed activity yet"))
    days = (today - timezone.localtime(last).date()).days
    score = 100 if days <= 14 else 70 if days <= 30 else 40 if days <= 60 else 10
    return Component(
        "engagement", score, weight, gettext_noop("Last activity %(days)s days ago"), {"days": days}
    )


def _renewal(account: Account, weight: int, today: dt.date) -> Component | None:
    missed = Renewal.objects.filter(
        contract__account=account, outcome=Renewal.Outcome.OPEN, term_end__lt=today
    ).exists()
    if missed:
        return Component("renewal", 0, weight, gettext_noop("A renewal is undecided after its term ended"))
    nearest = (
        Contract.objects.filter(account=account, status=Contract.Status.ACTIVE, end_date__gte=today)
        .order_by("end_date")
        .values_list("end_date", flat=True)
        .first()
    )
    if nearest is None:
        return None
    days = (nearest - today).days
    score = 100 if days > 120 else 60 if days > 30 else 30
    return Component(
        "renewal", score, weight, gettext_noop("Next term ends in %(days)s days"), {"days": days}
    )


def _nps(account: Account, weight: int, today: dt.date) -> Component | None:
    answer = (
        NpsResponse.objects.filter(account=account, answered_on__gt=today - dt.timedelta(days=365))
        .order_by("-answered_on", "-id")
        .first()
    )
    if answer is None:
        return None
    score = 100 if answer.score >= 9 else 60 if answer.score >= 7 else 20
    return Component("nps", score, weight, gettext_noop("Latest NPS answer: %(nps)s"), {"nps": answer.score})


def usage_percent(used: int, bought: int) -> int:
    return int((Decimal(used) * 100 / Decimal(bought)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _usage(account: Account, weight: int, today: dt.date) -> Component | None:
    figure = (
        UsageRecord.objects.filter(account=account, day__gt=today - dt.timedelta(days=90), day__lte=today)
        .order_by("-day", "-id")
        .first()
    )
    if figure is None:
        return None
    percent = usage_percent(figure.seats_used, figure.seats_bought)
    params = {
        "used": figure.seats_used,
        "bought": figure.seats_bought,
        "percent": percent,
        "logins": figure.logins,
    }
    if figure.logins == 0:
        return Component("usage", 10, weight, gettext_noop("Nobody signed in over 30 days"), params)
    score = 100 if percent >= 80 else 60 if percent >= 50 else 30 if percent >= 25 else 10
    reason = gettext_noop(
        "%(used)s of %(bought)s seats in use (%(percent)s%%), %(logins)s sign-ins in 30 days"
    )
    return Component("usage", score, weight, reason, params)


def compute_health(account: Account, today: dt.date, w: HealthWeights | None = None) -> Health:
    """The account's health today from its components (a handful of queries)."""
    w = w or weights()
    parts = [
        _cases(account, w.cases),
        _engagement(account, w.engagement, today),
        _renewal(account, w.renewal, today),
        _nps(account, w.nps, today),
        _usage(account, w.usage, today),
    ]
    present = [p for p in parts if p is not None]
    total_weight = sum(p.weight for p in present)
    if total_weight == 0:
        score = 0
    else:
        mean = Decimal(sum(p.score * p.weight for p in present)) / Decimal(total_weight)
        score = int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Health(score, band_of(score), present)


def customer_accounts() -> Any:
    """The accounts health is kept for: those with a contract or a CSM."""
    return Account.objects.filter(is_archived=False).filter(
        Q(pk__in=Contract.objects.values("account_id")) | Q(csm__isnull=False)
    )


def snapshot_health(today: dt.date) -> int:
    """Write (or refresh) today's snapshot of every customer account; reruns the same day replace it."""
    w = weights()
    written = 0
    for account in customer_accounts().order_by("id").iterator():
        health = compute_health(account, today, w)
        HealthSnapshot.objects.update_or_create(
            account=account,
            day=today,
            defaults={
                "score": health.score,
                "band": health.band,
                "components": [c.as_json() for c in health.components],
            },
        )
        written += 1
    return written


@transaction.atomic
def set_weights(
    *, actor: User | None, cases: int, engagement: int, renewal: int, nps: int, usage: int | None = None
) -> HealthWeights:
    """Administrators only. Cases and engagement are known for every account, so they may not both be 0.
    ``usage`` left out keeps its current weight."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied(_("Only an administrator sets the health weights."))
    errors: dict[str, list[str]] = {}
    current = HealthWeights.objects.order_by("pk").first() or HealthWeights()
    usage = current.usage if usage is None else usage
    pairs = (
        ("cases", cases),
        ("engagement", engagement),
        ("renewal", renewal),
        ("nps", nps),
        ("usage", usage),
    )
    for name, value in pairs:
        if not 0 <= value <= 100:
            errors[name] = [_("Between 0 and 100.")]
    if not errors and cases + engagement == 0:
        errors["cases"] = [_("Cases and engagement cannot both weigh 0.")]
    if errors:
        raise ValidationError(errors)
    row = HealthWeights.objects.select_for_update().order_by("pk").first() or HealthWeights()
    before = snapshot(row) if row.pk else None
    row.cases, row.engagement, row.renewal, row.nps, row.usage = cases, engagement, renewal, nps, usage
    row.save()
    log_change(
        actor=actor, action="update" if before else "create", instance=row, before=before, after=snapshot(row)
    )
    return row


@transaction.atomic
def record_nps(
    *,
    actor: User | None,
    account: Account,
    score: int,
    answered_on: dt.date,
    contact: Contact | None = None,
    comment: str = "",
) -> NpsResponse:
    """Record a customer's NPS answer (0-10) on an account the actor reads."""
    if actor is not None and not Account.objects.visible_to(actor).filter(pk=account.pk).exists():
        raise PermissionDenied(_("You cannot change this account."))
    errors: dict[str, list[str]] = {}
    if not 0 <= score <= 10:
        errors["score"] = [_("Between 0 and 10.")]
    if contact is not None and contact.account_id != account.pk:
        errors["contact"] = [_("This contact is not at this account.")]
    if errors:
        raise ValidationError(errors)
    answer = NpsResponse.objects.create(
        account=account,
        contact=contact,
        score=score,
        answered_on=answered_on,
        comment=(comment or "")[:500],
        created_by=actor if actor is not None and actor.pk else None,
    )
    log_change(actor=actor, action="create", instance=answer, after=snapshot(answer))
    return answer
