"""Invoice pages: the list with filters, an invoice with its payments and credit notes (issue, record a
payment, credit, void), creating a contract's invoices from its billing schedule, and the collections
page (what each account owes by aging bucket, with a CSV). Thin: each POST calls one billing service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.audit import history_for
from baton.core.csvout import csv_response
from baton.core.http import AuthedHttpRequest
from baton.core.params import bool_param, choice_param, id_param, text_param
from baton.core.records import can_edit
from baton.core.views_generic import run_action
from baton.success import queries as contract_queries
from baton.success.billing import dunning, queries, services
from baton.success.billing.forms import (
    BillingContactForm,
    CreditForm,
    DunningStepForm,
    IssueForm,
    PaymentForm,
    ScheduleForm,
    VoidForm,
)
from baton.success.billing.models import DunningStep, Invoice

BUCKET_FILTERS = ["overdue", *services.BUCKETS]


@login_required
def invoice_list(request: AuthedHttpRequest) -> HttpResponse:
    filters = {
        "status": choice_param(request.GET, "status", Invoice.Status.values),
        "bucket": choice_param(request.GET, "bucket", BUCKET_FILTERS),
        "account": id_param(request.GET, "account"),
        "contract": id_param(request.GET, "contract"),
        "q": text_param(request.GET, "q", max_length=100),
    }
    today = queries.today()
    invoices = list(queries.filtered_invoices(request.user, filters, today)[:300])
    rows = [(i, services.bucket_of(i, today) if i.status == Invoice.Status.OPEN else "") for i in invoices]
    return render(
        request,
        "success/billing/invoice_list.html",
        {
            "rows": rows,
            "filters": filters,
            "statuses": Invoice.Status.choices,
            "buckets": BUCKET_FILTERS,
            "today": today,
        },
    )


def _context(request: AuthedHttpRequest, invoice: Invoice, **forms_: forms.Form) -> dict[str, Any]:
    today = queries.today()
    return {
        "invoice": invoice,
        "contract": invoice.contract,
        "payments": list(invoice.payments.select_related("created_by").order_by("paid_on", "id")),
        "credit_notes": list(invoice.credit_notes.select_related("created_by").order_by("issued_on", "id")),
        "can_edit": can_edit(request.user, invoice.contract),
        "bucket": services.bucket_of(invoice, today) if invoice.status == Invoice.Status.OPEN else "",
        "issue_form": forms_.get("issue_form") or IssueForm(initial={"issue_date": today}),
        "payment_form": forms_.get("payment_form")
        or PaymentForm(initial={"paid_on": today, "amount": invoice.outstanding}),
        "credit_form": forms_.get("credit_form") or CreditForm(initial={"issued_on": today}),
        "void_form": forms_.get("void_form") or VoidForm(),
        "dunning_runs": list(invoice.dunning_runs.order_by("days", "id")),
        "history": history_for(invoice, limit=20),
    }


@login_required
def invoice_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    invoice = queries.get_invoice_for_user(request.user, pk)
    return render(request, "success/billing/invoice_detail.html", _context(request, invoice))


def _post(
    request: AuthedHttpRequest,
    pk: int,
    form_class: type[forms.Form],
    name: str,
    action: Callable[[Invoice, dict[str, Any]], Any],
    success: str,
) -> HttpResponse:
    invoice = queries.get_invoice_for_user(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid() and run_action(
        request, lambda: action(invoice, form.cleaned_data), form=form, success=success
    ):
        return redirect("success:invoice", invoice.pk)
    return render(
        request, "success/billing/invoice_detail.html", _context(request, invoice, **{name: form}), status=400
    )


@login_required
@require_POST
def invoice_issue(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        IssueForm,
        "issue_form",
        lambda i, d: services.issue_invoice(i, actor=request.user, issue_date=d["issue_date"]),
        _("Invoice issued."),
    )


@login_required
@require_POST
def invoice_payment(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        PaymentForm,
        "payment_form",
        lambda i, d: services.record_payment(i, actor=request.user, **d),
        _("Payment recorded."),
    )


@login_required
@require_POST
def invoice_credit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        CreditForm,
        "credit_form",
        lambda i, d: services.credit_invoice(i, actor=request.user, **d),
        _("Credit note issued."),
    )


@login_required
@require_POST
def invoice_void(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        VoidForm,
        "void_form",
        lambda i, d: services.void_invoice(i, actor=request.user, reason=d["reason"]),
        _("Invoice voided."),
    )


@login_required
@require_POST
def invoice_schedule(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Draft invoices for the periods of the contract's term that have none yet."""
    contract = contract_queries.get_contract_for_user(request.user, pk)
    form = ScheduleForm(request.POST)
    made: list[Invoice] = []
    if form.is_valid() and run_action(
        request,
        lambda: made.extend(
            services.schedule_invoices(
                contract,
                actor=request.user,
                payment_terms_days=form.cleaned_data["payment_terms_days"],
                draft=True,
            )
        ),
        form=form,
    ):
        messages.success(request, _("%(count)s draft invoices created.") % {"count": len(made)})
    elif form.errors:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(f"{reverse('success:invoices')}?contract={contract.pk}")


COLUMNS = ("current", "1-30", "31-60", "61-90", "90+")


@login_required
def collections_page(request: AuthedHttpRequest) -> HttpResponse:
    export = choice_param(request.GET, "format", ["csv"])
    overdue_only = bool_param(request.GET, "overdue") is not False
    today = queries.today()
    result = queries.collections(request.user, today, overdue_only=overdue_only)
    if export == "csv":
        header = [
            _("Account"),
            _("Follow-up owner"),
            _("CSM"),
            _("Current"),
            "1-30",
            "31-60",
            "61-90",
            "90+",
            _("Overdue"),
            _("Outstanding"),
            _("DSO (days)"),
            _("Last dunning step"),
        ]
        rows = [
            [
                r.account.name,
                str(r.follow_up or ""),
                str(r.csm or ""),
                *(r.totals[b] for b in COLUMNS),
                r.overdue,
                r.outstanding,
                "" if r.dso is None else r.dso,
                f"{r.last_dunning.label} ({r.last_dunning.done_on:%Y-%m-%d})" if r.last_dunning else "",
            ]
            for r in result.rows
        ]
        return csv_response(
            header,
            rows,
            filename=f"collections-{today:%Y%m%d}.csv",
            exported_by=request.user,
            what="collections",
        )
    return render(
        request,
        "success/billing/collections.html",
        {
            "result": result,
            "columns": COLUMNS,
            "today": today,
            "overdue_only": overdue_only,
            "rows": [(r, [(b, r.totals[b]) for b in COLUMNS]) for r in result.rows],
            "totals": [(b, result.totals[b]) for b in COLUMNS],
        },
    )


@login_required
@require_POST
def billing_contact(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Set who at the customer receives the invoices and the payment reminders."""
    contract = contract_queries.get_contract_for_user(request.user, pk)
    form = BillingContactForm(request.POST, contract=contract)
    saved = form.is_valid() and run_action(
        request,
        lambda: services.set_billing_contact(
            contract,
            actor=request.user,
            contact=form.cleaned_data["billing_contact"],
            expected_version=form.cleaned_data["version"],
        ),
        form=form,
        success=_("Saved."),
    )
    if not saved and form.errors:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("success:contract", contract.pk)


def _all_steps() -> list[DunningStep]:
    dunning.ladder()  # the defaults, the first time
    return list(DunningStep.objects.order_by("-is_active", "days", "id"))


@login_required
def dunning_settings(request: AuthedHttpRequest) -> HttpResponse:
    """The dunning ladder (administrators change it; everyone may read it)."""
    form = DunningStepForm(initial={"is_active": True})
    editing: DunningStep | None = None
    if request.method == "POST":
        if not request.user.is_admin:
            raise PermissionDenied
        step_id = id_param(request.POST, "step")
        if step_id is not None:
            editing = DunningStep.objects.filter(pk=step_id).first()
            if editing is None:
                raise Http404("Not found")
        form = DunningStepForm(request.POST)
        if form.is_valid() and run_action(
            request,
            lambda: dunning.save_step(actor=request.user, step=editing, **form.cleaned_data),
            form=form,
            success=_("Saved."),
        ):
            return redirect("success:dunning")
    return render(
        request,
        "success/billing/dunning.html",
        {
            "steps": _all_steps(),
            "form": form,
            "editing": editing,
            "actions": DunningStep.Action.choices,
        },
        status=400 if form.errors else 200,
    )
