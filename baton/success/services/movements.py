"""Revenue movements: the dated ``ContractChange`` rows (with their audit row) and the contract's ARR,
which is their sum."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from baton.core.audit import log_change
from baton.core.models import ChangeLog, User
from baton.success.models import CENT, Contract, ContractChange
from baton.success.revenue import bump_version
from baton.success.services.common import ZERO, actor_user


def refresh_arr(contract: Contract) -> None:
    bump_version()
    transaction.on_commit(bump_version)
    arr = Decimal(
        ContractChange.objects.filter(contract=contract).aggregate(s=Sum("arr_delta"))["s"] or 0
    ).quantize(CENT)
    if contract.status != Contract.Status.ACTIVE:
        arr = ZERO
    Contract.objects.filter(pk=contract.pk).update(arr=arr, updated_at=timezone.now())
    contract.arr = arr


def write_change(contract: Contract, *, actor: User | None, **values: Any) -> ContractChange:
    change = ContractChange.objects.create(contract=contract, created_by=actor_user(actor), **values)
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
