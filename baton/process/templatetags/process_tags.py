"""Template helpers for panels The Model adds to other apps' pages (the day page)."""

from __future__ import annotations

from typing import Any

from django import template

from baton.process.models import HandOff
from baton.process.queries import overdue_handoffs_to

register = template.Library()


@register.simple_tag(takes_context=True)
def overdue_handoffs(context: dict[str, Any]) -> list[HandOff]:
    """Overdue hand-offs addressed to the reader's department (e.g. won accounts waiting for CS)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return overdue_handoffs_to(user)
