"""Template helpers for panels that delivery adds to other apps' pages."""

from __future__ import annotations

from django import template

from baton.delivery.models import DeliveryProject

register = template.Library()


@register.simple_tag
def account_projects(account) -> list[DeliveryProject]:
    """The delivery projects of an account the user already sees (the 360° page checked it): one query."""
    return list(
        DeliveryProject.objects.filter(account=account)
        .select_related("pm", "opportunity")
        .order_by("-created_at")[:50]
    )
