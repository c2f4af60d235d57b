"""Health pages: the customers by health (the red accounts list, with the weights an administrator
sets), and recording an NPS answer from the account's panel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.accounts.models import Account
from baton.core.http import AuthedHttpRequest
from baton.core.params import choice_param
from baton.core.records import get_for_user
from baton.core.views_generic import run_action
from baton.success.health import queries, scoring
from baton.success.health.forms import NpsForm, WeightsForm
from baton.success.health.models import HealthSnapshot


def _page(request: AuthedHttpRequest, form: WeightsForm | None = None, status: int = 200) -> HttpResponse:
    band = choice_param(request.GET, "band", HealthSnapshot.Band.values)
    w = scoring.weights()
    rows = [
        (s, [queries.reason_text(c) for c in s.components if c["score"] < 70])
        for s in queries.customers_by_health(request.user, band)[:200]
    ]
    return render(
        request,
        "success/health/health.html",
        {
            "rows": rows,
            "band": band,
            "bands": HealthSnapshot.Band.choices,
            "day": queries.latest_day(),
            "weights": w,
            "form": form
            or WeightsForm(
                initial={
                    "cases": w.cases,
                    "engagement": w.engagement,
                    "renewal": w.renewal,
                    "nps": w.nps,
                    "usage": w.usage,
                }
            ),
        },
        status=status,
    )


@login_required
def health_page(request: AuthedHttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def health_weights(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.is_admin:
        raise PermissionDenied
    form = WeightsForm(request.POST)
    if form.is_valid() and run_action(
        request,
        lambda: scoring.set_weights(actor=request.user, **form.cleaned_data),
        form=form,
        success=_("Saved. Scores use the new weights from the next snapshot on."),
    ):
        return redirect("success:health")
    return _page(request, form, status=400)


@login_required
@require_POST
def record_nps(request: AuthedHttpRequest, account_pk: int) -> HttpResponse:
    account = get_for_user(Account.objects.all(), request.user, account_pk)
    form = NpsForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: scoring.record_nps(actor=request.user, account=account, **form.cleaned_data),
            success=_("NPS answer recorded."),
        )
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("accounts:detail", account.pk)


def panel_context(account: Account) -> dict[str, object]:
    """What the account's panel shows of its health (used by the installed base panel)."""
    today = timezone.localdate()
    return {
        "health": queries.account_health(account, today),
        "nps_form": NpsForm(initial={"answered_on": today}),
    }
