"""A quote: its page, the printable sheet (in the quote's language, without internal numbers) and its
PDF, and submitting, recalling or making it the primary quote.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.audit import history_for
from baton.core.http import AuthedHttpRequest
from baton.core.models import User
from baton.core.params import bool_param
from baton.core.records import can_edit
from baton.core.views_generic import run_action
from baton.deals import approvals, quoting
from baton.deals.forms import (
    DecisionForm,
)
from baton.deals.models import (
    ApprovalStep,
    Opportunity,
    Quote,
)
from baton.deals.queries import get_opportunity_for_user
from baton.deals.quote_pdf import render_quote_pdf
from baton.deals.quote_sheet import build_sheet

# --- quotes ----------------------------------------------------------------------------------------------


def get_quote_for_user(user: User, pk: int) -> Quote:
    """A quote of a deal the user sees, or one they are asked to approve; 404 otherwise."""
    quote = (
        Quote.objects.select_related("opportunity__account", "opportunity__owner", "contact")
        .filter(pk=pk)
        .first()
    )
    if quote is None:
        raise Http404("Not found")
    if Opportunity.objects.visible_to(user).filter(pk=quote.opportunity_id).exists():
        return quote
    if approvals.is_approver_of(user, quote):
        return quote
    raise Http404("Not found")


@login_required
def quote_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    quote = get_quote_for_user(request.user, pk)
    requests_ = list(
        quote.approval_requests.select_related("requested_by").prefetch_related(
            Prefetch(
                "steps",
                queryset=ApprovalStep.objects.select_related("approver").order_by(
                    "rule_name", "position", "id"
                ),
            )
        )
    )
    my_steps = [
        s
        for r in requests_
        for s in r.steps.all()
        if s.approver_id == request.user.pk and s.status == ApprovalStep.Status.PENDING
    ]
    lines = list(quote.lines.all())
    context = {
        "quote": quote,
        "lines": lines,
        "sheet": build_sheet(quote, lines),
        "requests": requests_,
        "my_step": my_steps[0] if my_steps else None,
        "decision_form": DecisionForm(),
        "can_edit": can_edit(request.user, quote.opportunity),
        "history": history_for(quote, limit=30, viewer=request.user),
        "print": bool(bool_param(request.GET, "print")),
    }
    return render(request, "deals/sales/quote.html", context)


@login_required
def quote_pdf(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    quote = get_quote_for_user(request.user, pk)
    response = HttpResponse(render_quote_pdf(quote, viewer=request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}.pdf"'
    return response


def _editable_quote(request: AuthedHttpRequest, pk: int) -> Quote:
    quote = get_quote_for_user(request.user, pk)
    get_opportunity_for_user(request.user, quote.opportunity_id)  # approvers only decide
    return quote


@login_required
@require_POST
def quote_submit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    quote = _editable_quote(request, pk)
    if run_action(request, lambda: approvals.submit_quote(quote, actor=request.user)):
        quote.refresh_from_db()
        messages.success(
            request,
            _("Quote %(number)s: %(status)s.")
            % {"number": quote.number, "status": quote.get_status_display()},
        )
    return redirect("deals:quote", quote.pk)


@login_required
@require_POST
def quote_recall(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    quote = _editable_quote(request, pk)
    if run_action(
        request,
        lambda: approvals.recall(quote, actor=request.user, reason=request.POST.get("reason", "")[:300]),
    ):
        messages.success(request, _("Recalled."))
    return redirect("deals:quote", quote.pk)


@login_required
@require_POST
def quote_primary(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    quote = _editable_quote(request, pk)
    if run_action(request, lambda: quoting.set_primary(quote, actor=request.user)):
        messages.success(request, _("This is now the primary quote; the deal's amount follows it."))
    return redirect("deals:quote", quote.pk)


@login_required
def quote_print(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    quote = get_quote_for_user(request.user, pk)  # type: ignore[arg-type]
    return render(request, "deals/sales/quote_print.html", {"sheet": build_sheet(quote)})
