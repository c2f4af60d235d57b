"""The partner portal: what a partner user sees of Baton. Their organisation's registrations (with the
decision and the reason), the opportunities they are on (stage, next step and close date they may
update, through deals' services), the customers they sell to or deliver to, and their performance.
Internal people get 403 here; a partner user gets 403 everywhere else (core.partner_fence)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from baton.accounts.models import Account
from baton.core.http import AuthedHttpRequest
from baton.core.partner_fence import is_partner_user
from baton.core.views_generic import run_action
from baton.deals.models import Opportunity
from baton.deals.queries import get_opportunity_for_user
from baton.deals.services import move_opportunity, update_opportunity
from baton.partners import metrics, services
from baton.partners.access import require_partner
from baton.partners.forms import PortalDealForm, RegistrationForm
from baton.partners.models import Partner, Registration


def _partner(request: AuthedHttpRequest) -> Partner:
    if not is_partner_user(request.user):
        raise PermissionDenied
    return require_partner(request.user)


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    partner = _partner(request)
    deals = list(
        Opportunity.objects.visible_to(request.user)
        .select_related("account", "stage")
        .order_by("-updated_at")[:100]
    )
    return render(
        request,
        "partners/portal/home.html",
        {
            "partner": partner,
            "registrations": list(Registration.objects.filter(partner=partner)[:100]),
            "deals": deals,
            "customers": list(Account.objects.visible_to(request.user).order_by("name")[:100]),
            "performance": metrics.performance(partner),
        },
    )


@login_required
def register(request: AuthedHttpRequest) -> HttpResponse:
    partner = _partner(request)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made: list[Registration] = []
        if run_action(
            request,
            lambda: made.append(services.submit_registration(actor=request.user, **form.cleaned_data)),
            form=form,
            success=_("Registration submitted. Your partner manager reviews it."),
        ):
            return redirect("portal:registration", made[0].pk)
    return render(request, "partners/portal/register.html", {"partner": partner, "form": form})


@login_required
def registration(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    partner = _partner(request)
    reg = Registration.objects.filter(partner=partner, pk=pk).first()
    if reg is None:
        raise Http404
    return render(request, "partners/portal/registration.html", {"partner": partner, "reg": reg})


@login_required
def deal(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """An opportunity the partner is on; they may move its stage and set its next step and close date."""
    partner = _partner(request)
    opportunity = get_opportunity_for_user(request.user, pk)
    initial = {
        "stage": opportunity.stage_id,
        "next_step": opportunity.next_step,
        "expected_close_date": opportunity.expected_close_date,
    }
    form = PortalDealForm(request.POST or None, opportunity=opportunity, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save() -> None:
            current = opportunity
            if data["stage"].pk != current.stage_id:
                current = move_opportunity(
                    current, actor=request.user, stage=data["stage"], expected_version=current.version
                )
            update_opportunity(
                current,
                actor=request.user,
                changes={"next_step": data["next_step"], "expected_close_date": data["expected_close_date"]},
                expected_version=current.version,
            )

        if run_action(request, save, form=form, success=_("Saved.")):
            return redirect("portal:deal", opportunity.pk)
    return render(
        request, "partners/portal/deal.html", {"partner": partner, "opportunity": opportunity, "form": form}
    )
