"""Helpers shared by the activities pages: error display, cursors and the ``?record=`` parameter."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from baton.activities import queries, services
from baton.activities.models import Activity
from baton.core.http import AuthedHttpRequest
from baton.core.params import (
    datetime_param,
    id_param,
    text_param,
)


def apply_errors(form, exc: ValidationError) -> None:
    for field, msgs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


def error_text(exc: ValidationError) -> str:
    return " ".join(msg for msgs in exc.message_dict.values() for msg in msgs)


def feed_cursor(request: AuthedHttpRequest):
    """The feed's "before" cursor; a bad one (hand-edited, truncated) starts again at the newest."""
    try:
        return datetime_param(request.GET, "before")
    except ValidationError:
        return None


def record_from_request(request: AuthedHttpRequest):
    """The record named by ?record=<kind>:<id> (or a hidden field), checked for visibility."""
    raw = request.POST.get("record") or text_param(request.GET, "record", max_length=40)
    if not raw:
        return None
    kind, _sep, pk = raw.partition(":")
    return queries.get_record_for_user(request.user, kind, id_param({"record": pk}, "record"))


def int_or_none(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def editable_or_404(request: AuthedHttpRequest, pk: int) -> Activity:
    activity = queries.get_activity_for_user(request.user, pk)
    if not services.can_edit_activity(request.user, activity):
        raise Http404("Not found")
    return activity


def safe_next(request: AuthedHttpRequest) -> bool:
    nxt = request.POST.get("next", "")
    return bool(nxt) and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})


def as_get(request: AuthedHttpRequest) -> AuthedHttpRequest:
    request.method = "GET"
    return request
