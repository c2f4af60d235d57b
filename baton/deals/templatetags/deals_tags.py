"""Template filters of the offer pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from baton.core.money import format_money

register = template.Library()


@register.filter
def signed_money(amount: Any, currency: str = "KRW") -> str:
    """Money that may be negative (a margin): the sign before the symbol, −₩873,337 not ₩-873,337."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount)
    text = format_money(abs(value), currency)
    return f"−{text}" if value < 0 else text
