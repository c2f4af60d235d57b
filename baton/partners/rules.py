"""Approval rules of deal registrations: who may approve how much, and how long a registration protects
the customer from other partners. Amounts in KRW."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from baton.core.models import Role
from baton.partners.models import Partner, Registration, Tier

#: Up to this estimated amount the partner's own manager (or any partner manager) approves; above it, a
#: sales manager or an administrator must. Higher tiers have earned more trust.
MANAGER_LIMIT = {
    Tier.REGISTERED: Decimal("50000000"),
    Tier.SILVER: Decimal("100000000"),
    Tier.GOLD: Decimal("300000000"),
    Tier.PLATINUM: Decimal("1000000000"),
}

#: Days an approved registration protects the customer from other partners' registrations.
PROTECTION_DAYS = {Tier.REGISTERED: 60, Tier.SILVER: 90, Tier.GOLD: 120, Tier.PLATINUM: 180}


def may_approve(user: Any, reg: Registration) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_admin or user.role == Role.SALES_MANAGER:
        return True
    if user.role != Role.PARTNER_MANAGER:
        return False
    return reg.amount <= MANAGER_LIMIT[Tier(reg.partner.tier)]


def protection_until(partner: Partner, decided_on: dt.date) -> dt.date:
    return decided_on + dt.timedelta(days=PROTECTION_DAYS[Tier(partner.tier)])
