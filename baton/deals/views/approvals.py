"""The approver's queue and decisions, and the administrators' approval rules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.views_generic import run_action
from baton.deals import approvals
from baton.deals.forms import (
    ApprovalRuleForm,
    DecisionForm,
)
from baton.deals.models import (
    ApprovalRule,
    ApprovalStep,
)

# --- approvals -------------------------------------------------------------------------------------------


@login_required
def approval_queue(request: AuthedHttpRequest) -> HttpResponse:
    steps = list(approvals.queue_for(request.user)[:200])
    recent = list(
        ApprovalStep.objects.filter(approver=request.user, decided_at__isnull=False)
        .select_related("request__quote__opportunity")
        .order_by("-decided_at")[:20]
    )
    return render(request, "deals/sales/approval_queue.html", {"steps": steps, "recent": recent})


@login_required
@require_POST
def approval_decide(request: AuthedHttpRequest, step_id: int) -> HttpResponse:
    step = (
        ApprovalStep.objects.filter(pk=step_id, approver=request.user)
        .select_related("request__quote")
        .first()
    )
    if step is None:
        raise Http404("Not found")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
    elif run_action(
        request,
        lambda: approvals.decide(
            step,
            actor=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(request, _("Decision recorded."))
    return redirect("deals:quote", step.request.quote_id)


@login_required
def approval_rules(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.is_admin:
        raise PermissionDenied
    form = ApprovalRuleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            people = list(data.pop("approvers"))
            data["threshold"] = data["threshold"] or 0
            data["scope"] = data.get("scope") or ApprovalRule.Scope.QUOTE
            if (
                run_action(
                    request,
                    lambda: approvals.save_rule(actor=request.user, approvers=people, **data),
                    form=form,
                )
                and not form.errors
            ):
                messages.success(request, _("Rule saved."))
                return redirect("deals:approval_rules")
        status = 400
    rules = ApprovalRule.objects.prefetch_related("rule_approvers__user")
    return render(request, "deals/sales/approval_rules.html", {"rules": rules, "form": form}, status=status)


@login_required
@require_POST
def approval_rule_toggle(request: AuthedHttpRequest, rule_id: int) -> HttpResponse:
    if not request.user.is_admin:
        raise PermissionDenied
    rule = get_object_or_404(ApprovalRule, pk=rule_id)
    run_action(
        request, lambda: approvals.set_rule_active(rule, actor=request.user, active=not rule.is_active)
    )
    return redirect("deals:approval_rules")
