"""Money: amounts with a currency. KRW (the default) and JPY have no minor unit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Currency(models.TextChoices):
    KRW = "KRW", "KRW ₩"
    USD = "USD", "USD $"
    EUR = "EUR", "EUR €"
    JPY = "JPY", "JPY ¥"
    CNY = "CNY", "CNY ¥"


ZERO_DECIMAL = frozenset({"KRW", "JPY"})
SYMBOLS = {"KRW": "₩", "USD": "$", "EUR": "€", "JPY": "¥", "CNY": "CN¥"}


def minor_digits(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL else 2


def quantize(amount: Decimal, currency: str) -> Decimal:
    exp = Decimal(1).scaleb(-minor_digits(currency))
    return amount.quantize(exp, rounding=ROUND_HALF_UP)


def validate_amount(amount: Decimal | None, currency: str) -> None:
    if amount is None:
        return
    if amount < 0:
        raise ValidationError(_("The amount cannot be negative."), code="negative")
    if amount != amount.quantize(Decimal(1).scaleb(-minor_digits(currency))):
        if currency in ZERO_DECIMAL:
            raise ValidationError(
                _("%(currency)s amounts have no decimals.") % {"currency": currency}, code="decimals"
            )
        raise ValidationError(_("At most two decimals."), code="decimals")


def format_money(amount: Decimal | int | None, currency: str = "KRW") -> str:
    if amount is None:
        return ""
    value = quantize(Decimal(amount), currency)
    digits = minor_digits(currency)
    text = f"{value:,.{digits}f}"
    return f"{SYMBOLS.get(currency, currency + ' ')}{text}"
