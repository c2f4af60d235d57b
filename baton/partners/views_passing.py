"""Passed leads: the lead page's channel box (pass a lead by the routing rules, to a partner or into the
pool), the channel team's list of passed leads, and the portal's side (offers to accept or decline
before their deadline, the pool to pick from, the leads the partner accepted)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.records import can_edit, get_for_user
from baton.core.views_generic import run_action
from baton.leads.models import Lead
from baton.partners import passing
from baton.partners.forms import DeclineForm, PassForm
from baton.partners.models import LeadPass
from baton.partners.views import _channel
from baton.partners.views_portal import _partner


@login_required
def lead_panel(request: AuthedHttpRequest, lead_pk: int) -> HttpResponse:
    """The channel box of the lead page (loaded by htmx)."""
    lead = get_for_user(Lead.objects.all(), request.user, lead_pk)
    lp = LeadPass.objects.filter(lead=lead).select_related("partner__account").first()
    editable = can_edit(request.user, lead) and (lp is None or lp.status != LeadPass.Status.ACCEPTED)
    return render(
        request,
        "partners/partials/_lead_panel.html",
        {"lead": lead, "lead_pass": lp, "form": PassForm() if editable else None},
    )


@login_required
@require_POST
def pass_lead(request: AuthedHttpRequest, lead_pk: int) -> HttpResponse:
    lead = get_for_user(Lead.objects.all(), request.user, lead_pk)
    form = PassForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        run_action(
            request,
            lambda: passing.pass_lead(
                lead,
                actor=request.user,
                to=data["to"],
                partner=data["partner"],
                days=data["days"],
                product_family=data["product_family"],
            ),
            success=_("The lead was passed to the channel."),
        )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("leads:detail", lead.pk)


@login_required
def passes(request: AuthedHttpRequest) -> HttpResponse:
    """Every passed lead, for the channel team (the lead's name only where they may see the lead)."""
    _channel(request)
    rows = list(
        LeadPass.objects.select_related("partner__account", "lead").order_by("status", "-passed_at")[:200]
    )
    visible = set(
        Lead.objects.visible_to(request.user)
        .filter(pk__in=[r.lead_id for r in rows])
        .values_list("pk", flat=True)
    )
    return render(request, "partners/passes.html", {"rows": rows, "visible": visible})


# --- the portal ------------------------------------------------------------------------------------------


@login_required
def portal_leads(request: AuthedHttpRequest) -> HttpResponse:
    partner = _partner(request)
    return render(
        request,
        "partners/portal/leads.html",
        {"partner": partner, "passes": passing.passes_of(partner), "pool": passing.pool_for(partner)},
    )


def _offer(request: AuthedHttpRequest, lead_pk: int) -> LeadPass:
    partner = _partner(request)
    lead = get_for_user(Lead.objects.all(), request.user, lead_pk)
    lp = LeadPass.objects.filter(lead=lead, partner=partner).select_related("lead").first()
    if lp is None:
        raise Http404
    return lp


@login_required
def portal_lead(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lp = _offer(request, pk)
    return render(
        request,
        "partners/portal/lead.html",
        {"partner": lp.partner, "lead_pass": lp, "lead": lp.lead, "decline_form": DeclineForm()},
    )


@login_required
@require_POST
def portal_accept(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lp = _offer(request, pk)
    run_action(request, lambda: passing.accept(lp, actor=request.user), success=_("The lead is yours."))
    return redirect("portal:lead", pk)


@login_required
@require_POST
def portal_decline(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lp = _offer(request, pk)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if run_action(
        request,
        lambda: passing.decline(lp, actor=request.user, reason=reason),
        success=_("Declined: the lead went back to the pool."),
    ):
        return redirect("portal:leads")
    return redirect("portal:lead", pk)


@login_required
@require_POST
def portal_claim(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Pick a lead from the pool (``pk`` is the pool entry: the lead itself is not theirs to see yet)."""
    partner = _partner(request)
    lp = LeadPass.objects.filter(pk=pk, status=LeadPass.Status.POOL).first()
    if lp is None or partner.pk in lp.passed_over:
        raise Http404
    if run_action(request, lambda: passing.claim(lp, actor=request.user), success=_("The lead is yours.")):
        return redirect("portal:lead", lp.lead_id)
    return redirect("portal:leads")
