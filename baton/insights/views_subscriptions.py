"""Subscribing to a saved report from its page (the worker e-mails it: ``subscriptions.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.insights import subscriptions
from baton.insights.models import ReportSubscription
from baton.insights.services import reports_for


@login_required
@require_POST
def subscribe(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report = reports_for(request.user).filter(pk=pk).first()
    if report is None:
        raise Http404("Not found")
    frequency = (request.POST.get("frequency") or "").strip()
    target = reverse("insights:report", args=[report.pk])
    if frequency == "none":
        existing = ReportSubscription.objects.filter(report=report, user=request.user).first()
        if existing is not None:
            subscriptions.unsubscribe(actor=request.user, subscription=existing)
            messages.success(request, _("You will no longer receive this report by e-mail."))
        return redirect(target)
    try:
        sub = subscriptions.subscribe(actor=request.user, report=report, frequency=frequency)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Subscribed: %(frequency)s, the next e-mail at %(when)s.")
            % {"frequency": sub.get_frequency_display(), "when": sub.next_send_at.strftime("%Y-%m-%d %H:%M")},
        )
    return redirect(target)
