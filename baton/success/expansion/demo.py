"""The demo's expansion deal: the first customer with an active contract and a priced product family
it does not own yet gets one, opened by its account owner. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from baton.core.models import User
from baton.success.expansion import services
from baton.success.expansion.models import ExpansionDeal
from baton.success.models import Contract
from baton.success.queries import installed_base


def seed_expansion(today: dt.date, admin: User) -> int:
    if ExpansionDeal.objects.exists():
        return 0
    contracts = Contract.objects.filter(status=Contract.Status.ACTIVE, end_date__gte=today).select_related(
        "account__owner"
    )
    for contract in contracts.order_by("id")[:20]:
        account = contract.account
        actor = account.owner or admin
        for family in installed_base(admin, account, today).whitespace:
            if services.priced_product(family, "KRW") is None:
                continue
            try:
                services.open_expansion(actor=actor, account=account, family=family, today=today)
            except ValidationError:
                continue
            return 1
    return 0
