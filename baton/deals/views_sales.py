"""Pages for what a deal sells and who works on it: the offer (line items, effort, economics, quotes),
the deal team and requests, quotes (printable page, PDF, submit / recall / primary), the approver's
queue and decisions, and the admin pages for products and approval rules.

Views are thin: parse a form, call one service, redirect; refused writes come back as a message
(domain rule, 409-like) or as field errors (400), never as a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.audit import history_for
from baton.core.models import User
from baton.core.params import bool_param
from baton.core.records import can_edit
from baton.core.services import ConflictError, ServiceError
from baton.core.views_generic import apply_validation_error
from baton.deals import approvals, catalog, quoting, team, workdays
from baton.deals.forms_sales import (
    ApprovalRuleForm,
    BuyerForm,
    DecisionForm,
    EffortForm,
    FamilyForm,
    LineItemForm,
    PriceForm,
    ProductForm,
    QuoteForm,
    StyledForm,
    TeamMemberForm,
    TeamRequestForm,
)
from baton.deals.models import (
    ApprovalRule,
    ApprovalStep,
    BuyerTeamMember,
    DealTeamMember,
    EffortEstimate,
    LineItem,
    Opportunity,
    Product,
    Quote,
    TeamRequest,
)
from baton.deals.queries import get_opportunity_for_user
from baton.deals.quote_pdf import render_quote_pdf
from baton.deals.quote_sheet import build_sheet


def _run(request: HttpRequest, action: Callable[[], Any], form=None) -> bool:
    """Call a service; put what it refuses on the form or in a message. True when it wrote."""
    try:
        action()
    except ValidationError as exc:
        if form is not None:
            apply_validation_error(form, exc)
        else:
            messages.error(request, " ".join(exc.messages))
        return False
    except (ServiceError, ConflictError, PermissionDenied) as exc:
        messages.error(request, str(exc) or _("You cannot do this."))
        return False
    return True


# --- the offer -------------------------------------------------------------------------------------------


def _offer_context(request: HttpRequest, opp: Opportunity, **forms: Any) -> dict[str, Any]:
    lines = list(opp.line_items.select_related("product__family").order_by("sequence", "id"))
    efforts = list(opp.efforts.order_by("role", "id"))
    quotes = list(opp.quotes.order_by("-revision"))
    return {
        "opportunity": opp,
        "eco": catalog.economics(opp, lines, efforts),
        "quotes": quotes,
        "locked": any(q.status == Quote.Status.PENDING for q in quotes),
        "can_edit": can_edit(request.user, opp),
        "line_form": forms.get("line_form") or LineItemForm(),
        "effort_form": forms.get("effort_form") or EffortForm(),
        "quote_form": forms.get("quote_form") or QuoteForm(initial={"language": request.LANGUAGE_CODE[:2]}),
    }


@login_required
def offer(request: HttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    return render(request, "deals/sales/offer.html", _offer_context(request, opp))


@login_required
@require_POST
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = LineItemForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if (
            _run(
                request,
                lambda: catalog.add_line_item(
                    opp,
                    actor=request.user,
                    product=data["product"],
                    quantity=data["quantity"],
                    discount_percent=data["discount_percent"] or 0,
                    list_price=data["list_price"],
                    description=data["description"],
                ),
                form,
            )
            and not form.errors
        ):
            return redirect("deals:offer", opp.pk)
    return render(request, "deals/sales/offer.html", _offer_context(request, opp, line_form=form), status=400)


@login_required
@require_POST
def line_remove(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    line = get_object_or_404(LineItem, pk=line_id, opportunity=opp)
    _run(request, lambda: catalog.remove_line_item(line, actor=request.user))
    return redirect("deals:offer", opp.pk)


@login_required
@require_POST
def effort_add(request: HttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = EffortForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if (
            _run(request, lambda: catalog.add_effort(opp, actor=request.user, **data), form)
            and not form.errors
        ):
            return redirect("deals:offer", opp.pk)
    return render(
        request, "deals/sales/offer.html", _offer_context(request, opp, effort_form=form), status=400
    )


@login_required
@require_POST
def effort_remove(request: HttpRequest, pk: int, effort_id: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    effort = get_object_or_404(EffortEstimate, pk=effort_id, opportunity=opp)
    _run(request, lambda: catalog.remove_effort(effort, actor=request.user))
    return redirect("deals:offer", opp.pk)


@login_required
@require_POST
def quote_create(request: HttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = QuoteForm(request.POST)
    created: list[Quote] = []
    if form.is_valid() and (
        _run(
            request,
            lambda: created.append(quoting.create_quote(opp, actor=request.user, **form.cleaned_data)),
            form,
        )
        and created
    ):
        messages.success(request, _("Created quote %(number)s.") % {"number": created[0].number})
        return redirect("deals:quote", created[0].pk)
    return render(
        request, "deals/sales/offer.html", _offer_context(request, opp, quote_form=form), status=400
    )


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
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
        "history": history_for(quote, limit=30),
        "print": bool(bool_param(request.GET, "print")),
    }
    return render(request, "deals/sales/quote.html", context)


@login_required
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_quote_for_user(request.user, pk)
    response = HttpResponse(render_quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}.pdf"'
    return response


def _editable_quote(request: HttpRequest, pk: int) -> Quote:
    quote = get_quote_for_user(request.user, pk)
    get_opportunity_for_user(request.user, quote.opportunity_id)  # approvers only decide
    return quote


@login_required
@require_POST
def quote_submit(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _editable_quote(request, pk)
    if _run(request, lambda: approvals.submit_quote(quote, actor=request.user)):
        quote.refresh_from_db()
        messages.success(
            request,
            _("Quote %(number)s: %(status)s.")
            % {"number": quote.number, "status": quote.get_status_display()},
        )
    return redirect("deals:quote", quote.pk)


@login_required
@require_POST
def quote_recall(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _editable_quote(request, pk)
    if _run(
        request,
        lambda: approvals.recall(quote, actor=request.user, reason=request.POST.get("reason", "")[:300]),
    ):
        messages.success(request, _("Recalled."))
    return redirect("deals:quote", quote.pk)


@login_required
@require_POST
def quote_primary(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _editable_quote(request, pk)
    if _run(request, lambda: quoting.set_primary(quote, actor=request.user)):
        messages.success(request, _("This is now the primary quote; the deal's amount follows it."))
    return redirect("deals:quote", quote.pk)


# --- approvals -------------------------------------------------------------------------------------------


@login_required
def approval_queue(request: HttpRequest) -> HttpResponse:
    steps = list(approvals.queue_for(request.user)[:200])
    recent = list(
        ApprovalStep.objects.filter(approver=request.user, decided_at__isnull=False)
        .select_related("request__quote__opportunity")
        .order_by("-decided_at")[:20]
    )
    return render(request, "deals/sales/approval_queue.html", {"steps": steps, "recent": recent})


@login_required
@require_POST
def approval_decide(request: HttpRequest, step_id: int) -> HttpResponse:
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
    elif _run(
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
def approval_rules(request: HttpRequest) -> HttpResponse:
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
                _run(request, lambda: approvals.save_rule(actor=request.user, approvers=people, **data), form)
                and not form.errors
            ):
                messages.success(request, _("Rule saved."))
                return redirect("deals:approval_rules")
        status = 400
    rules = ApprovalRule.objects.prefetch_related("rule_approvers__user")
    return render(request, "deals/sales/approval_rules.html", {"rules": rules, "form": form}, status=status)


@login_required
@require_POST
def approval_rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    if not request.user.is_admin:
        raise PermissionDenied
    rule = get_object_or_404(ApprovalRule, pk=rule_id)
    _run(request, lambda: approvals.set_rule_active(rule, actor=request.user, active=not rule.is_active))
    return redirect("deals:approval_rules")


CATALOG_FORMS: dict[str, type[StyledForm]] = {
    "family": FamilyForm,
    "product": ProductForm,
    "price": PriceForm,
}


def _save_catalog(user: User, kind: str, data: dict[str, Any]) -> None:
    if kind == "family":
        catalog.create_family(actor=user, **data)
    elif kind == "product":
        catalog.create_product(actor=user, **data)
    else:
        catalog.set_price(data["price_list"], data["product"], data["unit_price"], actor=user)


@login_required
def products(request: HttpRequest) -> HttpResponse:
    """The catalog; administrators add families, products and list prices here."""
    manager = catalog.can_manage_catalog(request.user)  # type: ignore[arg-type]
    forms = {kind: cls() for kind, cls in CATALOG_FORMS.items()} if manager else {}
    status = 200
    if request.method == "POST":
        if not manager:
            raise PermissionDenied
        kind = request.POST.get("form", "")
        if kind not in CATALOG_FORMS:
            raise Http404("Not found")
        form = CATALOG_FORMS[kind](request.POST)
        forms[kind] = form
        if (
            form.is_valid()
            and _run(request, lambda: _save_catalog(request.user, kind, form.cleaned_data), form)
            and not form.errors
        ):
            messages.success(request, _("Saved."))
            return redirect("deals:products")
        status = 400
    items = (
        Product.objects.select_related("family").prefetch_related("prices__price_list").order_by("code")[:500]
    )
    context = {"products": items, "forms": forms, "manager": manager, "tab": "products"}
    return render(request, "deals/sales/products.html", context, status=status)


# --- the team --------------------------------------------------------------------------------------------


def _team_context(request: HttpRequest, opp: Opportunity, **forms: Any) -> dict[str, Any]:
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
def team_page(request: HttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    return render(request, "deals/sales/team.html", _team_context(request, opp))


@login_required
@require_POST
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = TeamMemberForm(request.POST)
    if (
        form.is_valid()
        and _run(request, lambda: team.add_team_member(opp, actor=request.user, **form.cleaned_data), form)
        and not form.errors
    ):
        return redirect("deals:team", opp.pk)
    return render(request, "deals/sales/team.html", _team_context(request, opp, member_form=form), status=400)


@login_required
@require_POST
def buyer_add(request: HttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = BuyerForm(request.POST, opportunity=opp, user=request.user)
    if (
        form.is_valid()
        and _run(request, lambda: team.add_buyer(opp, actor=request.user, **form.cleaned_data), form)
        and not form.errors
    ):
        return redirect("deals:team", opp.pk)
    return render(request, "deals/sales/team.html", _team_context(request, opp, buyer_form=form), status=400)


@login_required
@require_POST
def team_remove(request: HttpRequest, pk: int, kind: str, entry_id: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    entry: DealTeamMember | BuyerTeamMember
    if kind == "member":
        entry = get_object_or_404(DealTeamMember, pk=entry_id, opportunity=opp)
    elif kind == "buyer":
        entry = get_object_or_404(BuyerTeamMember, pk=entry_id, opportunity=opp)
    else:
        raise Http404("Not found")
    _run(request, lambda: team.remove_team_entry(entry, actor=request.user))
    return redirect("deals:team", opp.pk)


@login_required
@require_POST
def request_add(request: HttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = TeamRequestForm(request.POST)
    made: list[TeamRequest] = []
    if (
        form.is_valid()
        and _run(
            request,
            lambda: made.append(team.create_team_request(opp, actor=request.user, **form.cleaned_data)),
            form,
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
def requests_overview(request: HttpRequest) -> HttpResponse:
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
