"""The notification bell and page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from baton.activities import queries, services
from baton.activities.views.common import (
    as_get,
    int_or_none,
)
from baton.core.http import AuthedHttpRequest

# --- notifications ---------------------------------------------------------------------------------


@login_required
@require_GET
def notifications_page(request: AuthedHttpRequest) -> HttpResponse:
    items = list(queries.notifications_for(request.user)[:100])
    return render(request, "activities/notifications.html", {"notifications": items})


@login_required
@require_GET
def notification_bell(request: AuthedHttpRequest) -> HttpResponse:
    context = {
        "unread": queries.unread_count(request.user),
        "latest": list(queries.notifications_for(request.user).filter(read_at__isnull=True)[:8]),
    }
    return render(request, "activities/partials/_bell.html", context)


@login_required
@require_POST
def notifications_read(request: AuthedHttpRequest) -> HttpResponse:
    ids = [int_or_none(v) for v in request.POST.getlist("id")]
    services.mark_read(request.user, [i for i in ids if i is not None] or None)
    if request.headers.get("HX-Request"):
        return notification_bell(as_get(request))
    return redirect("activities:notifications")
