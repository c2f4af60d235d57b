"""Pages: the share panel on account, contact, lead and opportunity pages (loaded by htmx), and the
administrators' page of organisation-wide defaults."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.records import can_edit, get_record_for_user, record_kinds, record_url
from baton.sharing import services
from baton.sharing.forms import DefaultsForm, ShareForm

PANEL_LIMIT = 50


def _record(request: AuthedHttpRequest, kind: str, pk: int) -> Any:
    return get_record_for_user(request.user, kind, pk, kinds=services.SHARABLE_KINDS)


def _panel(request: AuthedHttpRequest, kind: str, record: Any, form: ShareForm | None = None) -> HttpResponse:
    now = timezone.now()
    shares = list(services.shares_of(record)[:PANEL_LIMIT])
    for share in shares:
        share.expired = share.expires_at is not None and share.expires_at <= now  # type: ignore[attr-defined]
    return render(
        request,
        "sharing/partials/share_panel.html",
        {
            "kind": kind,
            "record": record,
            "shares": shares,
            "form": form or ShareForm(),
            "may_edit": can_edit(request.user, record),
        },
    )


@login_required
def share_panel(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    return _panel(request, kind, _record(request, kind, pk))


@login_required
@require_POST
def share_add(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    record = _record(request, kind, pk)
    form = ShareForm(request.POST)
    if form.is_valid():
        try:
            services.share_record(
                record,
                actor=request.user,
                user=form.cleaned_data["user"],
                team=form.cleaned_data["team"],
                access=form.cleaned_data["access"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
        else:
            if request.headers.get("HX-Request"):
                return _panel(request, kind, record)
            messages.success(request, _("The record was shared."))
            return redirect(record_url(record))
    response = _panel(request, kind, record, form)
    # htmx swaps only 2xx answers: the panel with its field errors comes back as 200 there.
    if not request.headers.get("HX-Request"):
        response.status_code = 400
    return response


@login_required
@require_POST
def share_revoke(request: AuthedHttpRequest, kind: str, pk: int, share_id: int) -> HttpResponse:
    record = _record(request, kind, pk)
    share = services.shares_of(record).filter(pk=share_id).first()
    if share is None:
        raise Http404("Not found")
    services.revoke_share(share, record, actor=request.user)
    if request.headers.get("HX-Request"):
        return _panel(request, kind, record)
    messages.success(request, _("The share was revoked."))
    return redirect(record_url(record))


@login_required
def defaults(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.is_admin:
        raise PermissionDenied(_("Only administrators may change the sharing defaults."))
    kinds = record_kinds()
    labels = {kind: str(kinds[kind].model._meta.verbose_name_plural) for kind in services.SHARABLE_KINDS}
    current = services.current_defaults()
    form = DefaultsForm(request.POST or None, labels=labels, initial_modes=current)
    if request.method == "POST" and form.is_valid():
        changed = [k for k in services.SHARABLE_KINDS if form.cleaned_data[k] != current[k]]
        with transaction.atomic():  # all kinds or none
            for kind in changed:
                services.set_default(kind, form.cleaned_data[kind], actor=request.user)
        messages.success(request, _("The sharing defaults were saved."))
        return redirect(reverse("sharing:defaults"))
    status = 400 if request.method == "POST" else 200
    return render(request, "sharing/defaults.html", {"form": form}, status=status)
