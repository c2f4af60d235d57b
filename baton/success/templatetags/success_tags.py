"""Template helpers for the panel success adds to the account 360° page (the installed base)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

from baton.deals.models import ProductFamily
from baton.success.models import Contract, ContractLine
from baton.success.queries import contracts_for
from baton.success.revenue import arr_on

register = template.Library()


@dataclass
class InstalledBase:
    """What an account owns (per contract line), since when and until when, its ARR, the renewal
    dates, and the product families it does not own yet (whitespace)."""

    contracts: list[Contract] = field(default_factory=list)
    lines: list[tuple[ContractLine, Contract]] = field(default_factory=list)
    arr: Decimal = Decimal(0)
    renewals: list[Contract] = field(default_factory=list)
    whitespace: list[ProductFamily] = field(default_factory=list)


@register.simple_tag(takes_context=True)
def installed_base(context: dict[str, Any], account) -> InstalledBase:
    """Four queries: the contracts the reader may see, their lines, the families, the ARR today."""
    request = context.get("request")
    user: Any = getattr(request, "user", None)
    today = timezone.localdate()
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
