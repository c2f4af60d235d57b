"""Report values: money per currency (custom money fields are never added across currencies), and a
value as a page, a CSV or a chart shows it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from baton.core.money import Currency, format_money


class Amounts(dict[str, Decimal]):
    """A money value per currency (currency -> amount): custom money fields are summed, averaged and
    compared within each currency, never added across currencies."""

    def sort_key(self) -> tuple[Decimal, ...]:
        return tuple(self.get(c, Decimal(0)) for c in Currency.values)

    def __str__(self) -> str:
        return " · ".join(format_money(self[c], c) for c in sorted(self, key=_currency_order))


def _currency_order(currency: str) -> tuple[int, str]:
    values = list(Currency.values)
    return (values.index(currency) if currency in values else len(values), currency)


def scalar(value: Any) -> float | None:
    """A value as one number (for a chart): None for amounts in several currencies."""
    if isinstance(value, Amounts):
        return float(next(iter(value.values()))) if len(value) == 1 else None
    return None if value is None else float(value)


def display(value: Any) -> Any:
    """A cell for a CSV or a page: numbers rounded to two places, dates in ISO form, money per
    currency ("₩30,000 · $20.00")."""
    if isinstance(value, Amounts):
        return str(value)
    if isinstance(value, Decimal):
        return (
            value.quantize(Decimal("0.01")).normalize()
            if value != value.to_integral()
            else value.quantize(Decimal(1))
        )
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            if timezone.is_aware(value)
            else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def money_cell(value: Any) -> Any:
    if not isinstance(value, dict) or value.get("amount") is None:
        return value
    currency = str(value.get("currency") or Currency.KRW.value)
    return format_money(Decimal(str(value["amount"])), currency)
