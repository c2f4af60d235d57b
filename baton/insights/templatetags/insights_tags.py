from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def pct(value: Decimal | None) -> str:
    """A ratio as a whole percentage ("87%"), or an en dash when there is nothing to divide by."""
    if value is None:
        return "–"
    return f"{(value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


@register.filter
def times(value: Decimal | None) -> str:
    """A coverage ratio as "2.5×"."""
    if value is None:
        return "–"
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}×"


@register.filter
def negate(value: Decimal | None) -> Decimal | None:
    """The amount by which a quota was beaten, from a negative gap."""
    return None if value is None else -value


@register.filter
def num(value: object) -> object:
    """A number with thousands separators (two decimals when it has a fraction); other values as they are."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return value
    if isinstance(value, Decimal) and value != value.to_integral():
        return f"{value:,.2f}"
    return f"{int(value):,}"


@register.filter
def hours(value: Decimal | None) -> str:
    """A duration in hours with one decimal ("3.5 h"), or an en dash."""
    if value is None:
        return "–"
    return f"{Decimal(value).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,} h"
