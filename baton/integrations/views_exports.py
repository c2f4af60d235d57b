"""The activities list as CSV or XLSX (issue 11, "export any list"): only the activities the reader may
see (``Activity.objects.visible_to``), filtered by type, status and owner, formula cells neutralised and
the download written to the privacy export log (both by ``core.listexport``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from baton.activities.models import Activity
from baton.activities.queries import activities_for
from baton.core.http import AuthedHttpRequest
from baton.core.listexport import EXPORT_FORMATS, list_export
from baton.core.params import bool_param, choice_param, date_param

ACTIVITY_COLUMNS = [
    "kind",
    "subject",
    "status",
    "outcome",
    "direction",
    "due_at",
    "start_at",
    "end_at",
    "completed_at",
    "owner",
    "account",
    "contact",
    "opportunity",
    "lead",
    "location",
]


@login_required
def activities_export(request: AuthedHttpRequest) -> HttpResponse:
    """``?export=csv|xlsx`` (CSV by default), ``kind``, ``status``, ``mine=1``, ``since``/``until``
    (the activity's due or start day); a bad value is a 400 with its reason, never a 500."""
    try:
        fmt = choice_param(request.GET, "export", EXPORT_FORMATS) or "csv"
        kind = choice_param(request.GET, "kind", Activity.Kind.values)
        status = choice_param(request.GET, "status", Activity.Status.values)
        mine = bool_param(request.GET, "mine")
        since = date_param(request.GET, "since")
        until = date_param(request.GET, "until")
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages), content_type="text/plain; charset=utf-8")
    qs = activities_for(request.user)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(owner=request.user)
    if since is not None:
        qs = qs.filter(Q(due_at__date__gte=since) | Q(start_at__date__gte=since))
    if until is not None:
        qs = qs.filter(Q(due_at__date__lte=until) | Q(start_at__date__lte=until))
    qs = qs.order_by("-due_at", "-id")
    return list_export(
        fmt,
        qs,
        ACTIVITY_COLUMNS,
        user=request.user,
        filename="activities",
        what=f"{_('Activities')} ({request.GET.urlencode()[:150]})",
    )
