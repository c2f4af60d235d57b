"""Helpers every contract write shares: the actor stored on rows, money input, the one-year term,
the edit check and the row lock."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from baton.core.models import User
from baton.core.records import can_edit
from baton.success.models import CENT, Contract

ZERO = Decimal(0)


def contract_url(contract: Contract) -> str:
    return reverse("success:contract", args=[contract.pk])


def actor_user(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def parse_money(value: Any, name: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({name: [_("Enter a number.")]}) from None
    if amount < 0 or amount >= Decimal("1e15"):
        raise ValidationError({name: [_("Enter a number that is not negative.")]})
    return amount


def one_year_term(start: dt.date) -> dt.date:
    """The last day of a one-year term starting on ``start``."""
    try:
        return start.replace(year=start.year + 1) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def require_edit(actor: User | None, contract: Contract) -> None:
    if actor is not None and not can_edit(actor, contract):
        raise PermissionDenied(_("You cannot change this contract."))


def lock_contract(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().select_related("account").get(pk=contract.pk)
