"""The deal team: our people and the buyer's side on a deal, requests to team members, and the
overview of requests (who asks late).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.records import can_edit
from baton.core.views_generic import run_action
from baton.deals import team, workdays
from baton.deals.forms import (
    BuyerForm,
    TeamMemberForm,
    TeamRequestForm,
)
from baton.deals.models import (
    BuyerTeamMember,
    DealTeamMember,
    Opportunity,
    TeamRequest,
)
from baton.deals.queries import get_opportunity_for_user

# --- the team --------------------------------------------------------------------------------------------


def _team_context(request: AuthedHttpRequest, opp: Opportunity, **forms: Any) -> dict[str, Any]:
    requests_ = TeamRequest.objects.filter(opportunity=opp).select_related("requester", "assignee")
    return {
        "opportunity": opp,
        "members": list(
            DealTeamMember.objects.filter(opportunity=opp).select_related("user", "product_family")
        ),
        "buyers": list(BuyerTeamMember.objects.filter(opportunity=opp).select_related("contact")),
        "requests": list(requests_[:100]),
        "late_counts": team.late_request_counts(requests_),
        "can_edit": can_edit(request.user, opp),
        "member_form": forms.get("member_form") or TeamMemberForm(),
        "buyer_form": forms.get("buyer_form") or BuyerForm(opportunity=opp, user=request.user),
        "request_form": forms.get("request_form") or TeamRequestForm(),
    }


@login_required
def team_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    return render(request, "deals/sales/team.html", _team_context(request, opp))


@login_required
@require_POST
def team_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = TeamMemberForm(request.POST)
    if (
        form.is_valid()
        and run_action(
            request, lambda: team.add_team_member(opp, actor=request.user, **form.cleaned_data), form=form
        )
        and not form.errors
    ):
        return redirect("deals:team", opp.pk)
    return render(request, "deals/sales/team.html", _team_context(request, opp, member_form=form), status=400)


@login_required
@require_POST
def buyer_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = BuyerForm(request.POST, opportunity=opp, user=request.user)
    if (
        form.is_valid()
        and run_action(
            request, lambda: team.add_buyer(opp, actor=request.user, **form.cleaned_data), form=form
        )
        and not form.errors
    ):
        return redirect("deals:team", opp.pk)
    return render(request, "deals/sales/team.html", _team_context(request, opp, buyer_form=form), status=400)


@login_required
@require_POST
def team_remove(request: AuthedHttpRequest, pk: int, kind: str, entry_id: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    entry: DealTeamMember | BuyerTeamMember
    if kind == "member":
        entry = get_object_or_404(DealTeamMember, pk=entry_id, opportunity=opp)
    elif kind == "buyer":
        entry = get_object_or_404(BuyerTeamMember, pk=entry_id, opportunity=opp)
    else:
        raise Http404("Not found")
    run_action(request, lambda: team.remove_team_entry(entry, actor=request.user))
    return redirect("deals:team", opp.pk)


@login_required
@require_POST
def request_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = TeamRequestForm(request.POST)
    made: list[TeamRequest] = []
    if (
        form.is_valid()
        and run_action(
            request,
            lambda: made.append(team.create_team_request(opp, actor=request.user, **form.cleaned_data)),
            form=form,
        )
        and made
    ):
        if made[0].is_late:
            messages.warning(
                request,
                _("Asked late: the lead-time rule wanted this by %(date)s.")
                % {"date": made[0].latest_on_time.isoformat()},
            )
        else:
            messages.success(request, _("Request sent."))
        return redirect("deals:team", opp.pk)
    return render(
        request, "deals/sales/team.html", _team_context(request, opp, request_form=form), status=400
    )


@login_required
def requests_overview(request: AuthedHttpRequest) -> HttpResponse:
    """Requests I made and requests made to me, and late requests counted per requester (over the deals
    I can see: a manager sees their teams')."""
    visible = Opportunity.objects.visible_to(request.user).values("id")
    base = TeamRequest.objects.filter(Q(opportunity_id__in=visible) | Q(assignee=request.user))
    rows = list(
        base.filter(Q(requester=request.user) | Q(assignee=request.user))
        .select_related("requester", "assignee", "opportunity")
        .order_by("-created_at", "-id")[:100]
    )
    return render(
        request,
        "deals/sales/requests.html",
        {"rows": rows, "late_counts": team.late_request_counts(base), "lead_days": workdays.lead_days()},
    )
