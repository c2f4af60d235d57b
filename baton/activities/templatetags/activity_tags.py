"""Template helpers of the activities app, for its own pages and for the record pages of others."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

from baton.activities.views.feed import panel_context

register = template.Library()


@register.filter
def model_name_of(record) -> str:
    return record._meta.model_name


@register.simple_tag(takes_context=True)
def activity_panel(context, record):
    """Render the activities/"?"/feed panel of a record inline: ``{% activity_panel account %}``.
    The record must already have been fetched with a permission check (it was, to show its page)."""
    request = context["request"]
    return render_to_string(
        "activities/partials/_record_panel.html",
        panel_context(request, record._meta.model_name, record),
        request=request,
    )
