"""The demo's product usage: for the customers with an active contract, a monthly figure over the last
quarter (seats bought from the contract's recurring quantities, seats in use and sign-ins spread by the
seeded random numbers), so the health score's usage component has something to read. Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Sum

from baton.core.models import User
from baton.success.health import usage
from baton.success.health.models import UsageRecord
from baton.success.models import Contract


def seed_usage(rng: random.Random, today: dt.date, admin: User, limit: int = 12) -> int:
    if UsageRecord.objects.exists():
        return 0
    contracts = list(
        Contract.objects.filter(status=Contract.Status.ACTIVE, end_date__gte=today)
        .select_related("account")
        .order_by("id")[:limit]
    )
    made = 0
    seen: set[int] = set()
    for contract in contracts:
        if contract.account_id in seen:
            continue
        seen.add(contract.account_id)
        bought = int(
            contract.lines.filter(is_recurring=True, quantity__gt=0).aggregate(q=Sum("quantity"))["q"] or 0
        )
        bought = max(bought, 1)
        share = rng.choice([0.95, 0.85, 0.6, 0.35, 0.15])
        for months_ago in (2, 1, 0):
            day = today - dt.timedelta(days=30 * months_ago)
            used = min(bought, max(0, round(bought * (share + rng.uniform(-0.1, 0.05)))))
            logins = 0 if share < 0.2 and months_ago == 0 else used * rng.randint(3, 12)
            figure = usage.UsageFigure(
                account=contract.account,
                day=day,
                seats_bought=bought,
                seats_used=used,
                logins=logins,
                contract=contract,
            )
            usage.record_usage(figure, actor=admin, today=today, source=UsageRecord.Source.IMPORT)
            made += 1
    return made
