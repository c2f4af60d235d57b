"""The record panel (activities, open questions and the feed of a record), comments, follows,
requests to colleagues, and "my feed"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from baton.activities import queries, services
from baton.activities.forms import RequestForm
from baton.activities.models import Activity
from baton.activities.views.common import (
    error_text,
    feed_cursor,
    safe_next,
)
from baton.core.http import AuthedHttpRequest

# --- record panel and feed -------------------------------------------------------------------------


PANEL_ACTIVITIES = 10
FEED_PAGE = 15


def panel_context(request: AuthedHttpRequest, kind: str, record) -> dict:
    items, cursor = queries.record_feed(record, user=request.user, limit=FEED_PAGE)
    activities = list(queries.record_activities(record, user=request.user)[: PANEL_ACTIVITIES + 1])
    return {
        "record": record,
        "record_kind": kind,
        "activities": activities[:PANEL_ACTIVITIES],
        "more_activities": len(activities) > PANEL_ACTIVITIES,
        "open_questions": list(queries.record_open_questions(record, user=request.user)[:50]),
        "feed_items": items,
        "feed_cursor": cursor.isoformat() if cursor else "",
        "following": services.is_following(request.user, record),
        "request_form": RequestForm(),
        "kinds": Activity.Kind.choices,
        "now": timezone.now(),
    }


@login_required
@require_GET
def record_panel(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """The activities/"?"/feed panel of a record, for the record pages to include via htmx."""
    record = queries.get_record_for_user(request.user, kind, pk)
    return render(request, "activities/partials/_record_panel.html", panel_context(request, kind, record))


@login_required
@require_GET
def record_page(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    record = queries.get_record_for_user(request.user, kind, pk)
    return render(request, "activities/record.html", panel_context(request, kind, record))


@login_required
@require_GET
def record_feed_page(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    record = queries.get_record_for_user(request.user, kind, pk)
    before = feed_cursor(request)
    items, cursor = queries.record_feed(record, user=request.user, before=before, limit=FEED_PAGE)
    return render(
        request,
        "activities/partials/_feed_items.html",
        {
            "record": record,
            "record_kind": kind,
            "feed_items": items,
            "feed_cursor": cursor.isoformat() if cursor else "",
        },
    )


def _back_to_panel(request: AuthedHttpRequest, kind: str, record) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return render(request, "activities/partials/_record_panel.html", panel_context(request, kind, record))
    if safe_next(request):
        return redirect(request.POST["next"])
    return redirect("activities:record", kind=kind, pk=record.pk)


@login_required
@require_POST
def comment_post(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    record = queries.get_record_for_user(request.user, kind, pk)
    try:
        services.post_comment(record, actor=request.user, text=request.POST.get("text", ""))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        if request.headers.get("HX-Request"):
            ctx = panel_context(request, kind, record)
            ctx["comment_error"] = error_text(exc)
            return render(request, "activities/partials/_record_panel.html", ctx, status=422)
    return _back_to_panel(request, kind, record)


@login_required
@require_POST
def follow_toggle(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    record = queries.get_record_for_user(request.user, kind, pk)
    services.set_following(record, user=request.user, follow=request.POST.get("follow") == "1")
    return _back_to_panel(request, kind, record)


@login_required
@require_POST
def request_create(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    record = queries.get_record_for_user(request.user, kind, pk)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            services.create_request(
                record,
                actor=request.user,
                assignee=form.cleaned_data["assignee"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                due_at=form.cleaned_data["due_at"],
            )
            messages.success(request, _("Request sent."))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, _("Check the request: %(errors)s") % {"errors": form.errors.as_text()})
    return _back_to_panel(request, kind, record)


@login_required
@require_GET
def my_feed_page(request: AuthedHttpRequest) -> HttpResponse:
    before = feed_cursor(request)
    items, cursor = queries.my_feed_items(request.user, before=before, limit=30)
    return render(
        request,
        "activities/my_feed.html",
        {"items": items, "feed_cursor": cursor.isoformat() if cursor else ""},
    )
