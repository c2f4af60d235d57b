"""Permission-aware reads of contracts and renewals (through ``core.records``: ownership plus the
grants registered in ``apps.py``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from baton.core.models import User
from baton.core.records import get_for_user
from baton.deals.models import ProductFamily
from baton.success.models import Contract, ContractLine, Renewal
from baton.success.revenue import arr_on


def contracts_for(user: User) -> QuerySet[Contract]:
    return Contract.objects.visible_to(user)


def get_contract_for_user(user: User, pk: object) -> Contract:
    return get_for_user(Contract.objects.select_related("account", "owner", "csm", "opportunity"), user, pk)


def get_renewal_for_user(user: User, pk: object) -> Renewal:
    try:
        return Renewal.objects.select_related("contract", "opportunity").get(
            pk=int(pk),  # type: ignore[call-overload]
            contract__in=contracts_for(user),
        )
    except (ValueError, TypeError, OverflowError, Renewal.DoesNotExist):
        raise Http404("Not found") from None


def upcoming_renewals(user: User, today: dt.date, days: int = 120) -> QuerySet[Contract]:
    """Active contracts the user sees whose term ends within ``days`` (soonest first)."""
    return (
        contracts_for(user)
        .filter(
            status=Contract.Status.ACTIVE, end_date__gte=today, end_date__lte=today + dt.timedelta(days=days)
        )
        .select_related("account", "owner", "csm")
        .order_by("end_date", "id")
    )


def missed_renewals(user: User, today: dt.date) -> QuerySet[Renewal]:
    """Renewals still open after their term ended (flagged on the dashboards)."""
    return (
        Renewal.objects.filter(
            contract__in=contracts_for(user), outcome=Renewal.Outcome.OPEN, term_end__lt=today
        )
        .select_related("contract__account", "opportunity")
        .order_by("term_end", "id")
    )


@dataclass
class InstalledBase:
    """What an account owns (per contract line), since when and until when, its ARR, the renewal
    dates, and the product families it does not own yet (whitespace)."""

    contracts: list[Contract] = field(default_factory=list)
    lines: list[tuple[ContractLine, Contract]] = field(default_factory=list)
    arr: Decimal = Decimal(0)
    renewals: list[Contract] = field(default_factory=list)
    whitespace: list[ProductFamily] = field(default_factory=list)


def installed_base(user: Any, account: Any, today: dt.date) -> InstalledBase:
    """Four queries at most: the contracts the reader may see, their lines, ARR today, the families."""
    base = InstalledBase()
    base.contracts = list(
        contracts_for(user)
        .filter(account=account)
        .prefetch_related("lines")
        .order_by("-end_date", "-id")[:50]
    )
    owned: set[int] = set()
    for contract in base.contracts:
        active = contract.status == Contract.Status.ACTIVE and contract.end_date >= today
        for line in contract.lines.all():
            if line.quantity > 0:
                base.lines.append((line, contract))
                if active and line.family_id:
                    owned.add(line.family_id)
        if active:
            base.renewals.append(contract)
    base.renewals.sort(key=lambda c: c.end_date)
    if base.renewals:
        base.arr = arr_on(Contract.objects.filter(pk__in=[c.pk for c in base.renewals]), today)
    base.whitespace = list(
        ProductFamily.objects.filter(is_archived=False).exclude(pk__in=owned).order_by("name")
    )
    return base
