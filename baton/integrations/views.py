"""Integration pages (administrators): webhook endpoints, their delivery log, and redelivery."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.params import choice_param, int_param
from baton.integrations import webhooks
from baton.integrations.forms import EndpointForm
from baton.integrations.models import Delivery, Endpoint
from baton.integrations.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER

PER_PAGE = 50


def _save(request: AuthedHttpRequest, form: EndpointForm, endpoint: Endpoint | None) -> Endpoint | None:
    if not form.is_valid():
        return None
    try:
        return webhooks.save_endpoint(endpoint, actor=request.user, values=form.cleaned_data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    return None


@login_required
def webhooks_page(request: AuthedHttpRequest) -> HttpResponse:
    webhooks.require_admin(request.user)
    form = EndpointForm(request.POST or None)
    if request.method == "POST":
        saved = _save(request, form, None)
        if saved is not None:
            messages.success(request, _("Webhook endpoint added."))
            return redirect("integrations:endpoint", pk=saved.pk)
    endpoints = Endpoint.objects.all()
    return render(request, "integrations/webhooks.html", {"form": form, "endpoints": endpoints})


@login_required
def endpoint(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    webhooks.require_admin(request.user)
    target = get_object_or_404(Endpoint, pk=pk)
    initial = {"name": target.name, "url": target.url, "events": target.events, "is_active": target.is_active}
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and _save(request, form, target) is not None:
        messages.success(request, _("Webhook endpoint saved."))
        return redirect("integrations:endpoint", pk=pk)
    status = choice_param(request.GET, "status", Delivery.Status.values)
    rows = target.deliveries.all()
    if status:
        rows = rows.filter(status=status)
    page = Paginator(rows, PER_PAGE).get_page(int_param(request.GET, "page", minimum=1) or 1)
    return render(
        request,
        "integrations/endpoint.html",
        {
            "endpoint": target,
            "form": form,
            "page": page,
            "status": status,
            "statuses": Delivery.Status.choices,
            "headers": {
                "signature": SIGNATURE_HEADER,
                "timestamp": TIMESTAMP_HEADER,
                "event": EVENT_HEADER,
                "delivery": DELIVERY_HEADER,
            },
        },
    )


@login_required
@require_POST
def rotate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    webhooks.require_admin(request.user)
    webhooks.rotate_secret(get_object_or_404(Endpoint, pk=pk), actor=request.user)
    messages.success(request, _("A new signing secret was made; give it to the receiver."))
    return redirect("integrations:endpoint", pk=pk)


@login_required
def delivery(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    webhooks.require_admin(request.user)
    row = get_object_or_404(Delivery.objects.select_related("endpoint"), pk=pk)
    payload_json = json.dumps(row.payload, ensure_ascii=False, indent=2, sort_keys=True)
    return render(
        request,
        "integrations/delivery.html",
        {"delivery": row, "attempts": row.attempt_log.all(), "payload_json": payload_json},
    )


@login_required
@require_POST
def redeliver(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    webhooks.require_admin(request.user)
    row = get_object_or_404(Delivery, pk=pk)
    try:
        webhooks.redeliver(row, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The delivery is queued again."))
    return redirect("integrations:delivery", pk=pk)
