"""Health pages: the customers by health (the red accounts list, with the weights an administrator
sets), recording an NPS answer from the account's panel, and an account's usage figures (seats bought
and in use, sign-ins) entered by hand through the same service as the API."""

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
from baton.success.health import queries, scoring, usage
from baton.success.health.forms import NpsForm, UsageForm, WeightsForm
from baton.success.health.models import HealthSnapshot, UsageRecord
from baton.success.models import Contract


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


@login_required
def account_usage(request: AuthedHttpRequest, account_pk: int) -> HttpResponse:
    """An account's usage figures, newest first, and the form a CSM records one with (a second figure
    for the same day replaces the first); the usage component of the health score reads them."""
    account = get_for_user(Account.objects.all(), request.user, account_pk)
    today = timezone.localdate()
    contracts = (
        Contract.objects.visible_to(request.user).filter(account=account).order_by("-start_date", "-id")
    )
    form = UsageForm(request.POST or None, contracts=contracts, initial={"day": today, "logins": 0})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        figure = usage.UsageFigure(
            account=account,
            day=data["day"],
            seats_bought=data["seats_bought"],
            seats_used=data["seats_used"],
            logins=data["logins"] or 0,
            contract=data["contract"],
        )
        if run_action(
            request,
            lambda: usage.record_usage(
                figure, actor=request.user, today=today, source=UsageRecord.Source.MANUAL
            ),
            form=form,
            success=_("Usage recorded."),
        ):
            return redirect("success:account_usage", account.pk)
    health = queries.account_health(account, today)
    return render(
        request,
        "success/health/usage.html",
        {
            "account": account,
            "form": form,
            "records": list(
                UsageRecord.objects.filter(account=account)
                .select_related("contract", "created_by")
                .order_by("-day", "-id")[:30]
            ),
            "usage_row": next((r for r in health.rows if r["key"] == "usage"), None),
            "health": health,
        },
        status=400 if form.errors else 200,
    )
