"""What the navigation offers from the scoring app: the supply queue only to the roles that supply."""

from __future__ import annotations

from typing import Any

from django import template

from baton.scoring.supply import may_supply as _may_supply

register = template.Library()


@register.filter
def may_supply(user: Any) -> bool:
    return _may_supply(user)
