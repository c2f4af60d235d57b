"""Scoring pages: the lead score panel, lead qualification and disqualification, MEDDPICC and competitors
on opportunities, the rules editor, the model evaluation, win/loss, routing and capacity, the supply queue.

Views are thin: they parse a form and call one service; records come through the permission-aware
helpers (404 for records the user may not see); admin pages raise 403 for everyone else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.models import User
from baton.core.params import text_param
from baton.core.records import can_edit
from baton.core.services import ServiceError
from baton.core.views_generic import apply_validation_error
from baton.deals.models import Opportunity
from baton.deals.queries import get_opportunity_for_user
from baton.leads.language import lead_language
from baton.leads.models import Lead
from baton.leads.queries import get_lead_for_user
from baton.scoring import routing
from baton.scoring.competitors import (
    add_opportunity_competitor,
    competitors_on,
    remove_opportunity_competitor,
)
from baton.scoring.forms import (
    AnswerForm,
    CapacityForm,
    CompetitorForm,
    DisqualifyForm,
    DisqualifyReasonForm,
    RoutingRuleForm,
    ScoringRuleForm,
)
from baton.scoring.models import (
    DisqualifyReason,
    OpportunityCompetitor,
    PredictiveModel,
    RepCapacity,
    RoutingRule,
    ScoringRule,
    SupplyRun,
)
from baton.scoring.qualification.checklists import lead_qualification, opportunity_qualification
from baton.scoring.qualification.disqualification import (
    disqualify_lead,
    draft_explanation,
    save_disqualify_reason,
)
from baton.scoring.qualification.services import set_lead_qualification, set_meddpicc
from baton.scoring.routing import assignments_for
from baton.scoring.scores.deferred import current_score
from baton.scoring.scores.queries import latest_model, predicted_reasons, rule_reasons
from baton.scoring.scores.services import save_rule, score_all_leads, train_model
from baton.scoring.supply import may_supply, plan_supply, queue, run_supply, supply_by_period
from baton.scoring.winloss import disqualified_by_reason, win_loss


def _admin(request: AuthedHttpRequest) -> User:
    user = request.user
    if not user.is_admin:
        raise PermissionDenied
    return user


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@login_required
def index(request: AuthedHttpRequest) -> HttpResponse:
    return render(request, "scoring/index.html", {"model": latest_model()})


# --- leads --------------------------------------------------------------------------------------------


def _panel_context(request: AuthedHttpRequest, lead: Lead) -> dict[str, Any]:
    score = current_score(lead)
    model = latest_model()
    assignments = list(assignments_for(lead, limit=1))
    latest = assignments[0] if assignments else None
    qual = lead_qualification(lead.pk)
    return {
        "lead": lead,
        "score": score,
        "model": model,
        "qualification": qual,
        "assignment": latest,
        "assignment_text": routing.explain(latest.explanation) if latest else [],
        "predicted_reasons": predicted_reasons(score),
        "rule_reasons": rule_reasons(score),
        "probability_pct": round(score.probability * 100) if score.probability is not None else None,
    }


@login_required
def lead_panel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The score panel for the lead page (htmx): scores, reasons, predicted probability, qualification."""
    lead = get_lead_for_user(request.user, pk)
    return render(request, "scoring/partials/_lead_panel.html", _panel_context(request, lead))


@login_required
def lead(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    obj = get_lead_for_user(request.user, pk)
    qual = lead_qualification(obj.pk)
    # The letter is written in the customer's language (not the rep's screen's), unless the rep picks one.
    language = text_param(request.GET, "lang", max_length=5)
    form = DisqualifyForm(
        initial={
            "explanation": draft_explanation(
                qual.gaps,
                language=language if language in ("ko", "en") else lead_language(obj),
                recycle_on=None,
                name=obj.name,
            )
        }
    )
    context = _panel_context(request, obj) | {
        "obj": obj,
        "groups": [("BANT", qual.group("BANT")), (_("The Model's four conditions"), qual.group("Model"))],
        "can_edit": can_edit(request.user, obj),
        "disqualify_form": form,
        "disqualifications": list(obj.disqualifications.select_related("reason", "disqualified_by")[:5]),
        "assignments": list(assignments_for(obj)),
    }
    return render(request, "scoring/lead.html", context)


@login_required
def lead_explanation(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The drafted customer-facing explanation in the chosen language (htmx swaps the textarea)."""
    obj = get_lead_for_user(request.user, pk)
    language = text_param(request.GET, "lang", max_length=5)
    language = language if language in ("ko", "en") else lead_language(obj)
    text = draft_explanation(
        lead_qualification(obj.pk).gaps, language=language, recycle_on=None, name=obj.name
    )
    return render(request, "scoring/partials/_explanation.html", {"text": text})


@login_required
@require_POST
def lead_qualify(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    obj = get_lead_for_user(request.user, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            set_lead_qualification(
                obj,
                form.cleaned_data["item"],
                answer=form.cleaned_data["answer"],
                evidence=form.cleaned_data["evidence"],
                actor=request.user,
            )
            messages.success(request, _("Qualification saved."))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    return redirect("scoring:lead", obj.pk)


@login_required
@require_POST
def lead_disqualify(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    obj = get_lead_for_user(request.user, pk)
    form = DisqualifyForm(request.POST)
    if form.is_valid():
        try:
            disqualify_lead(
                obj,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                recycle_on=form.cleaned_data["recycle_on"],
                explanation=form.cleaned_data["explanation"],
            )
            messages.success(request, _("The lead is disqualified and will come back on its recycle date."))
        except (ValidationError, ServiceError) as exc:
            messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.error(request, _("Choose a reason."))
    return redirect("scoring:lead", obj.pk)


@login_required
@require_POST
def lead_route(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    obj = get_lead_for_user(request.user, pk)
    try:
        a = routing.route_lead(obj, actor=request.user, product=request.POST.get("product", "")[:60])
        if a.assignee_id:
            messages.success(request, _("Assigned to %(rep)s.") % {"rep": a.assignee})
        else:
            messages.warning(request, _("No rep with free capacity matched; the lead was not reassigned."))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("scoring:lead", obj.pk)


# --- opportunities --------------------------------------------------------------------------------------


def _opportunity_context(request: AuthedHttpRequest, opp: Opportunity) -> dict[str, Any]:
    return {
        "opp": opp,
        "qualification": opportunity_qualification(opp.pk),
        "competitors": list(competitors_on(opp)),
        "competitor_form": CompetitorForm(),
        "can_edit": can_edit(request.user, opp),
    }


@login_required
def opportunity(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    return render(request, "scoring/opportunity.html", _opportunity_context(request, opp))


@login_required
def opportunity_panel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    return render(request, "scoring/partials/_opportunity_panel.html", _opportunity_context(request, opp))


@login_required
@require_POST
def opportunity_meddpicc(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            set_meddpicc(
                opp,
                form.cleaned_data["item"],
                answer=form.cleaned_data["answer"],
                evidence=form.cleaned_data["evidence"],
                actor=request.user,
            )
            messages.success(request, _("Qualification saved."))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    return redirect("scoring:opportunity", opp.pk)


@login_required
@require_POST
def opportunity_competitor(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = CompetitorForm(request.POST)
    if form.is_valid():
        try:
            add_opportunity_competitor(opp, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    else:
        messages.error(request, _("Name the competitor."))
    return redirect("scoring:opportunity", opp.pk)


@login_required
@require_POST
def competitor_remove(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(OpportunityCompetitor.objects.select_related("opportunity"), pk=pk)
    opp = get_opportunity_for_user(request.user, row.opportunity_id)
    remove_opportunity_competitor(row, actor=request.user)
    return redirect("scoring:opportunity", opp.pk)


# --- admin: rules, reasons -------------------------------------------------------------------------------


@login_required
def rules(request: AuthedHttpRequest) -> HttpResponse:
    user = _admin(request)
    new_form = ScoringRuleForm(prefix="new")
    reason_form = DisqualifyReasonForm(prefix="reason")
    if request.method == "POST":
        kind = request.POST.get("kind")
        try:
            if kind == "rule":
                rule = ScoringRule.objects.filter(pk=request.POST.get("pk") or 0).first()
                new_form = ScoringRuleForm(
                    request.POST, prefix="new" if rule is None else f"r{rule.pk}", instance=rule
                )
                if new_form.is_valid():
                    fields = ScoringRuleForm.Meta.fields
                    save_rule(rule, actor=user, values={f: new_form.cleaned_data[f] for f in fields})
                    messages.success(request, _("Rule saved. Run “baton score_leads” to rescore every lead."))
                    return redirect("scoring:rules")
            elif kind == "reason":
                reason = DisqualifyReason.objects.filter(pk=request.POST.get("pk") or 0).first()
                reason_form = DisqualifyReasonForm(request.POST, prefix="reason", instance=reason)
                if reason_form.is_valid():
                    fields = DisqualifyReasonForm.Meta.fields
                    save_disqualify_reason(
                        reason, actor=user, values={f: reason_form.cleaned_data[f] for f in fields}
                    )
                    messages.success(request, _("Reason saved."))
                    return redirect("scoring:rules")
        except ValidationError as exc:
            apply_validation_error(new_form if kind == "rule" else reason_form, exc)
    all_rules = list(ScoringRule.objects.all())
    reasons = list(DisqualifyReason.objects.all())
    context = {
        "rule_forms": [(r, ScoringRuleForm(prefix=f"r{r.pk}", instance=r)) for r in all_rules],
        "new_form": new_form,
        "reasons": reasons,
        "reason_form": reason_form,
        # Rename or archive: one form per reason (an archived reason is no longer offered).
        "reason_rows": [
            (r, DisqualifyReasonForm(prefix="reason", instance=r, auto_id=f"id_reason{r.pk}_%s"))
            for r in reasons
        ],
    }
    return render(request, "scoring/rules.html", context)


# --- evaluation --------------------------------------------------------------------------------------------


@login_required
def evaluation(request: AuthedHttpRequest) -> HttpResponse:
    models = list(PredictiveModel.objects.order_by("-version")[:10])
    current = models[0] if models else None
    chart = None
    if current and current.metrics.get("model"):
        chart = {
            "labels": [r["decile"] for r in current.metrics["model"]["lift"]],
            "model": [round(r["lift"], 3) for r in current.metrics["model"]["lift"]],
            "baseline": [round(r["lift"], 3) for r in current.metrics["baseline"]["lift"]],
        }
    return render(
        request,
        "scoring/evaluation.html",
        {
            "current": current,
            "models": models,
            "chart": chart,
            "chart_labels": {"model": _("Learned model"), "baseline": _("Naive Bayes baseline")},
        },
    )


@login_required
@require_POST
def train(request: AuthedHttpRequest) -> HttpResponse:
    user = _admin(request)
    row = train_model(actor=user)
    if row.status == PredictiveModel.Status.ACTIVE:
        score_all_leads()
        messages.success(request, _("Model v%(v)s is active; every lead was rescored.") % {"v": row.version})
    else:
        messages.warning(request, row.note or row.get_status_display())
    return redirect("scoring:evaluation")


# --- win/loss -----------------------------------------------------------------------------------------------


@login_required
def win_loss_page(request: AuthedHttpRequest) -> HttpResponse:
    result = win_loss(request.user)
    titles = {
        "reason": _("By reason"),
        "competitor": _("By competitor"),
        "incumbent": _("By incumbent"),
        "industry": _("By segment: industry"),
        "size": _("By segment: size"),
        "stage": _("By stage reached"),
    }
    groups = [(titles[k], k, v) for k, v in result.groups.items()]
    context = {
        "overall": result.overall,
        "groups": groups,
        "disqualified": disqualified_by_reason(request.user),
    }
    return render(request, "scoring/win_loss.html", context)


# --- routing and capacity (admins) -----------------------------------------------------------------------


@login_required
def routing_admin(request: AuthedHttpRequest) -> HttpResponse:
    user = _admin(request)
    new_form = RoutingRuleForm(prefix="new")
    if request.method == "POST":
        kind = request.POST.get("kind")
        try:
            if kind == "rule":
                rule = RoutingRule.objects.filter(pk=request.POST.get("pk") or 0).first()
                new_form = RoutingRuleForm(
                    request.POST, prefix="new" if rule is None else f"r{rule.pk}", instance=rule
                )
                if new_form.is_valid():
                    data = new_form.cleaned_data
                    values = {f: data[f] for f in RoutingRuleForm.Meta.fields}
                    routing.save_routing_rule(rule, actor=user, values=values, members=list(data["members"]))
                    messages.success(request, _("Routing rule saved."))
                    return redirect("scoring:routing")
            elif kind == "capacity":
                rep = get_object_or_404(User, pk=request.POST.get("user") or 0)
                cap = RepCapacity.objects.filter(user=rep).first()
                capacity_form = CapacityForm(request.POST, prefix=f"c{rep.pk}", instance=cap)
                if capacity_form.is_valid():
                    routing.set_capacity(rep, actor=user, values=capacity_form.cleaned_data)
                    messages.success(request, _("Capacity saved for %(rep)s.") % {"rep": rep})
                else:
                    messages.error(request, _("Check the capacity values."))
                return redirect("scoring:routing")
        except ValidationError as exc:
            apply_validation_error(new_form, exc)
    now = timezone.now()
    caps = {c.user_id: c for c in RepCapacity.objects.all()}
    reps = list(
        User.objects.filter(is_active=True, role__in=["field_sales", "specialist_sales"]).order_by("username")
    )
    load = routing.load_this_week([r.pk for r in reps], now)
    rows = [
        {
            "rep": r,
            "cap": caps.get(r.pk),
            "load": load.get(r.pk, 0),
            "form": CapacityForm(prefix=f"c{r.pk}", instance=caps.get(r.pk)),
        }
        for r in reps
    ]
    rules_ = list(RoutingRule.objects.prefetch_related("members"))
    context = {
        "rows": rows,
        "rule_forms": [(r, RoutingRuleForm(prefix=f"r{r.pk}", instance=r)) for r in rules_],
        "new_form": new_form,
    }
    return render(request, "scoring/routing.html", context)


# --- supply ------------------------------------------------------------------------------------------------


@login_required
def supply(request: AuthedHttpRequest) -> HttpResponse:
    if not may_supply(request.user):
        raise PermissionDenied
    now = timezone.now()
    plan = plan_supply(now)
    passing = {lead.pk for lead in plan.passing}
    waiting = list(queue()[:200])
    rows = []
    for lead_ in waiting:
        score = getattr(lead_, "score", None)
        since = score.qualified_at if score and score.qualified_at else lead_.created_at
        rows.append(
            {"lead": lead_, "score": score, "days": (now - since).days, "passes": lead_.pk in passing}
        )
    can_run = True
    return render(
        request,
        "scoring/supply.html",
        {
            "plan": plan,
            "rows": rows,
            "periods": supply_by_period(),
            "runs": SupplyRun.objects.all()[:10],
            "can_run": can_run,
        },
    )


@login_required
@require_POST
def supply_run(request: AuthedHttpRequest) -> HttpResponse:
    run = run_supply(actor=request.user)
    messages.success(request, _("%(n)s leads handed to field sales.") % {"n": run.passed})
    return redirect("scoring:supply")
