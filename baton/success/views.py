"""Contract pages: the list, a contract with its amendment history and renewals, creating one from a
won deal (the deal page's panel links here), the revenue movements (the NRR page) with drill-down and
cohorts, and the renewals due."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.accounts.models import Account
from baton.core.audit import history_for
from baton.core.http import AuthedHttpRequest
from baton.core.models import User
from baton.core.params import ParameterError, choice_param, date_param, note_ignored, text_param
from baton.core.records import can_edit, get_for_user
from baton.core.views_generic import run_action
from baton.deals.models import ProductFamily, Stage
from baton.deals.queries import get_opportunity_for_user
from baton.success import queries, revenue, services
from baton.success.billing.forms import BillingContactForm
from baton.success.cases import queries as case_queries
from baton.success.forms import AmendForm, CreateContractForm, OutcomeForm, TerminateForm
from baton.success.health import queries as health_queries
from baton.success.health import views as health_views
from baton.success.health.models import HealthSnapshot
from baton.success.models import Contract, ContractChange, Renewal
from baton.success.queries import installed_base


@login_required
def contract_list(request: AuthedHttpRequest) -> HttpResponse:
    status = choice_param(request.GET, "status", Contract.Status.values)
    q = text_param(request.GET, "q")
    qs = queries.contracts_for(request.user).select_related("account", "owner", "csm")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(account__name__icontains=q)
    contracts = list(qs.order_by("end_date", "id")[:200])
    return render(
        request,
        "success/contract_list.html",
        {"contracts": contracts, "status": status, "q": q, "statuses": Contract.Status.choices},
    )


def _contract_context(request: AuthedHttpRequest, contract: Contract, **forms: Any) -> dict[str, Any]:
    today = timezone.localdate()
    changes = list(
        ContractChange.objects.filter(contract=contract)
        .select_related("line", "created_by")
        .order_by("-effective_date", "-id")
    )
    lines = list(contract.lines.select_related("family").order_by("sequence", "id"))
    arr_today = revenue.contract_arr_on(contract, today)
    return {
        "contract": contract,
        "lines": lines,
        "changes": changes,
        "arr_today": arr_today,
        "mrr_today": revenue.monthly(arr_today),
        "renewals": list(contract.renewals.select_related("opportunity").order_by("-term_end")),
        "can_edit": can_edit(request.user, contract),
        "amend_form": forms.get("amend_form") or AmendForm(contract=contract),
        "terminate_form": forms.get("terminate_form") or TerminateForm(),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(),
        "billing_contact_form": BillingContactForm(
            contract=contract, initial={"billing_contact": contract.billing_contact_id}
        ),
        "history": history_for(contract, limit=30, viewer=request.user),
        "today": today,
    }


@login_required
def contract_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    contract = queries.get_contract_for_user(request.user, pk)
    return render(request, "success/contract_detail.html", _contract_context(request, contract))


@login_required
@require_POST
def amend(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    contract = queries.get_contract_for_user(request.user, pk)
    form = AmendForm(request.POST, contract=contract)
    if form.is_valid():
        data = form.cleaned_data
        if run_action(
            request,
            lambda: services.amend(
                contract,
                actor=request.user,
                kind=data["kind"],
                effective_date=data["effective_date"],
                line=data["line"],
                product=data["product"],
                quantity=data["quantity"],
                unit_price=data["unit_price"],
                note=data["note"],
            ),
            form=form,
        ):
            messages.success(request, _("The change is recorded."))
            return redirect("success:contract", contract.pk)
    contract.refresh_from_db()
    return render(
        request,
        "success/contract_detail.html",
        _contract_context(request, contract, amend_form=form),
        status=400,
    )


@login_required
@require_POST
def terminate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    contract = queries.get_contract_for_user(request.user, pk)
    form = TerminateForm(request.POST)
    if form.is_valid() and run_action(
        request,
        lambda: services.terminate(
            contract,
            actor=request.user,
            effective_date=form.cleaned_data["effective_date"],
            reason=form.cleaned_data["reason"],
        ),
        form=form,
    ):
        messages.success(request, _("The contract ends early."))
        return redirect("success:contract", contract.pk)
    contract.refresh_from_db()
    return render(
        request,
        "success/contract_detail.html",
        _contract_context(request, contract, terminate_form=form),
        status=400,
    )


def _line_changes(request: AuthedHttpRequest, contract: Contract) -> dict[int, tuple[Any, Any]]:
    """``qty_<line id>`` / ``price_<line id>`` fields of the outcome form (blank: unchanged)."""
    out: dict[int, tuple[Any, Any]] = {}
    for line in contract.lines.filter(is_recurring=True):
        qty = (request.POST.get(f"qty_{line.pk}") or "").strip()
        price = (request.POST.get(f"price_{line.pk}") or "").strip()
        if qty or price:
            out[line.pk] = (qty or None, price or None)
    return out


@login_required
@require_POST
def renewal_outcome(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    renewal = queries.get_renewal_for_user(request.user, pk)
    contract = renewal.contract
    form = OutcomeForm(request.POST)
    if form.is_valid() and run_action(
        request,
        lambda: services.record_renewal_outcome(
            renewal,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            reason=form.cleaned_data["reason"],
            new_end_date=form.cleaned_data["new_end_date"],
            line_changes=_line_changes(request, contract),
        ),
        form=form,
    ):
        messages.success(request, _("The renewal is decided."))
        return redirect("success:contract", contract.pk)
    contract.refresh_from_db()
    return render(
        request,
        "success/contract_detail.html",
        _contract_context(request, contract, outcome_form=form),
        status=400,
    )


# --- from a won deal -------------------------------------------------------------------------------------


@login_required
def deal_panel(request: AuthedHttpRequest, opportunity_pk: int) -> HttpResponse:
    """The contract panel of the deal page (loaded by htmx): the contract, or the button to make it."""
    opportunity = get_opportunity_for_user(request.user, opportunity_pk)
    contract = Contract.objects.filter(opportunity=opportunity).first()
    renewal = Renewal.objects.filter(opportunity=opportunity).select_related("contract").first()
    return render(
        request,
        "success/partials/_deal_panel.html",
        {
            "opportunity": opportunity,
            "contract": contract,
            "renewal": renewal,
            "is_won": opportunity.stage.outcome == Stage.Outcome.WON,
            "can_create": can_edit(request.user, opportunity) or request.user.is_admin,
        },
    )


@login_required
def create_from_deal(request: AuthedHttpRequest, opportunity_pk: int) -> HttpResponse:
    opportunity = get_opportunity_for_user(request.user, opportunity_pk)
    existing = Contract.objects.filter(opportunity=opportunity).first()
    if existing is not None:
        return redirect("success:contract", existing.pk)
    quote = services.primary_quote(opportunity)
    specs = services.quote_line_specs(quote) if quote is not None else []
    codes = [(s.product_code, f"{s.product_name} ({s.product_code})") for s in specs]
    start = timezone.localdate(opportunity.closed_at) if opportunity.closed_at else timezone.localdate()
    initial = {
        "start_date": start,
        "end_date": services.one_year_term(start),
        "csm": opportunity.account.csm_id,
        "recurring": [s.product_code for s in specs if s.is_recurring],
    }
    form = CreateContractForm(request.POST or None, initial=initial, codes=codes)
    status = 200
    if request.method == "POST":
        made: list[Contract] = []
        if form.is_valid():
            data = form.cleaned_data
            if run_action(
                request,
                lambda: made.append(
                    services.create_contract_from_opportunity(
                        opportunity,
                        actor=request.user,
                        start_date=data["start_date"],
                        end_date=data["end_date"],
                        recurring_codes=data["recurring"],
                        billing_frequency=data["billing_frequency"],
                        auto_renew=data["auto_renew"],
                        notice_days=data["notice_days"],
                        csm=data["csm"],
                    )
                ),
                form=form,
            ):
                messages.success(request, _("The contract is created."))
                return redirect("success:contract", made[0].pk)
        status = 400
    return render(
        request,
        "success/contract_create.html",
        {
            "opportunity": opportunity,
            "quote": quote,
            "specs": specs,
            "form": form,
            "is_won": opportunity.stage.outcome == Stage.Outcome.WON,
        },
        status=status,
    )


# --- revenue movements (the NRR page) ----------------------------------------------------------------------


def period_from(request: AuthedHttpRequest, today: dt.date) -> tuple[dt.date, dt.date]:
    """``first``/``last`` (default: the last twelve months up to today)."""
    try:
        first = date_param(request.GET, "first")
        last = date_param(request.GET, "last")
    except ParameterError as exc:
        note_ignored(request, exc)
        first = last = None
    last = last or today
    first = first or last - dt.timedelta(days=364)
    if first > last:
        first, last = last, first
    return first, last


def _labels(by: str, groups: list[revenue.Movements]) -> None:
    ids = [g.group for g in groups if g.group is not None]
    names: dict[Any, str] = {}
    if by in ("owner", "csm"):
        names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    elif by == "family":
        names = {f.pk: str(f) for f in ProductFamily.objects.filter(pk__in=ids)}
    elif by in ("segment", "industry"):
        field: Any = Account._meta.get_field("size" if by == "segment" else "industry")
        names = {k: str(v) for k, v in field.choices or ()}
    for g in groups:
        g.label = names.get(g.group, "") or (str(g.group) if g.group not in (None, "") else _("(none)"))


def quick_periods(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    q_start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    prev_end = q_start - dt.timedelta(days=1)
    prev_start = dt.date(prev_end.year, (prev_end.month - 1) // 3 * 3 + 1, 1)
    return [
        (_("This quarter"), q_start, today),
        (_("Last quarter"), prev_start, prev_end),
        (_("This year"), dt.date(today.year, 1, 1), today),
        (_("Last year"), dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
        (_("Last 12 months"), today - dt.timedelta(days=364), today),
    ]


@login_required
def revenue_page(request: AuthedHttpRequest) -> HttpResponse:
    """Revenue movements of a period, GRR/NRR and logo churn, by a dimension; ``movement`` (and
    ``group``) drill down to the customers and contracts behind a number; cohorts below."""
    today = timezone.localdate()
    first, last = period_from(request, today)
    by = choice_param(request.GET, "by", [k for k in revenue.DIMENSIONS if k])
    movement = choice_param(request.GET, "movement", revenue.MOVEMENTS)
    group_raw = text_param(request.GET, "group", max_length=40)
    contracts = queries.contracts_for(request.user)
    visible = None if request.user.is_admin else contracts
    stamp = revenue.cache_stamp(request.user)
    total, groups = revenue.cached(
        stamp, "movements", lambda: revenue.movements(visible, first, last, by), first, last, by
    )
    _labels(by, groups)
    arr_today = revenue.cached(stamp, "arr", lambda: revenue.arr_on(visible, today), today)
    drill: list[tuple[revenue.Customer, list[Contract]]] = []
    drill_label = ""
    if movement:
        scope = total
        if by and group_raw:
            scope = next((g for g in groups if str(g.group) == group_raw), revenue.Movements())
            drill_label = scope.label
        customers = scope.of(movement)
        behind = revenue.contracts_behind(contracts, customers, by, first, last)
        drill = [(c, behind.get((c.account_id, c.group), [])) for c in customers]
        names = dict(
            contracts.filter(account_id__in={c.account_id for c in customers}).values_list(
                "account_id", "account__name"
            )
        )
        for customer, _rows in drill:
            customer.account_name = names.get(customer.account_id, "")  # type: ignore[attr-defined]
    return render(
        request,
        "success/revenue.html",
        {
            "first": first,
            "last": last,
            "by": by,
            "dimensions": [(k, v[0]) for k, v in revenue.DIMENSIONS.items()],
            "total": total,
            "groups": groups,
            "movement": movement,
            "movements": revenue.MOVEMENTS,
            "group": group_raw,
            "drill": drill,
            "drill_label": drill_label,
            "cohorts": revenue.cached(stamp, "cohorts", lambda: revenue.cohorts(visible, today), today),
            "quick": quick_periods(today),
            "mrr_today": revenue.monthly(arr_today),
            "arr_today": arr_today,
        },
    )


@login_required
def renewals(request: AuthedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    upcoming = list(queries.upcoming_renewals(request.user, today, days=services.renewal_lead_days())[:200])
    open_ids = {
        r.contract_id: r
        for r in Renewal.objects.filter(
            contract_id__in=[c.pk for c in upcoming], outcome=Renewal.Outcome.OPEN
        ).select_related("opportunity")
    }
    return render(
        request,
        "success/renewals.html",
        {
            "upcoming": [(c, open_ids.get(c.pk), (c.end_date - today).days) for c in upcoming],
            "missed": list(queries.missed_renewals(request.user, today)[:100]),
            "zero": Decimal(0),
        },
    )


@login_required
def csm_home(request: AuthedHttpRequest) -> HttpResponse:
    """The CSM's section of the home page (loaded by htmx): renewals of their accounts, missed ones
    flagged, and the ARR they look after."""
    today = timezone.localdate()
    mine = queries.contracts_for(request.user).filter(
        Q(csm_id=request.user.pk) | Q(account__csm_id=request.user.pk)
    )
    upcoming = list(
        mine.filter(
            status=Contract.Status.ACTIVE, end_date__gte=today, end_date__lte=today + dt.timedelta(days=180)
        )
        .select_related("account")
        .order_by("end_date", "id")[:20]
    )
    missed = list(
        Renewal.objects.filter(contract__in=mine, outcome=Renewal.Outcome.OPEN, term_end__lt=today)
        .select_related("contract__account")
        .order_by("term_end")[:20]
    )
    return render(
        request,
        "success/partials/_csm_home.html",
        {
            "upcoming": [(c, (c.end_date - today).days) for c in upcoming],
            "missed": missed,
            "arr": revenue.arr_on(mine, today),
            "accounts": mine.values("account_id").distinct().count(),
            "cases": list(case_queries.csm_open_cases(request.user)[:20]),
            "red": list(
                health_queries.customers_by_health(request.user, HealthSnapshot.Band.RED).filter(
                    account__csm_id=request.user.pk
                )[:10]
            ),
        },
    )


@login_required
def installed_base_panel(request: AuthedHttpRequest, account_pk: int) -> HttpResponse:
    """The installed base panel of the account 360° page (loaded by htmx)."""
    account = get_for_user(Account.objects.all(), request.user, account_pk)
    return render(
        request,
        "success/partials/_installed_base.html",
        {
            "account": account,
            "base": installed_base(request.user, account, timezone.localdate()),
            "open_cases": list(case_queries.open_cases_of_account(request.user, account)[:10]),
            **health_views.panel_context(account),
        },
    )
