"""Template helpers for panels that delivery adds to other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template

from baton.delivery.models import DeliveryProject
from baton.delivery.queries import projects_for

register = template.Library()


@register.simple_tag(takes_context=True)
def account_projects(context: dict[str, Any], account) -> list[DeliveryProject]:
    """The delivery projects of an account that the reader may see (one query): a project is visible
    through its deal or to its delivery team, never merely because the account is."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return list(projects_for(user).filter(account=account).order_by("-created_at")[:50])  # type: ignore[arg-type]
