"""The channel team's pages: partners, the registration queue with its conflicts, approve and reject,
and the partners panel of the opportunity page (with the ranked suggestion)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.accounts.models import Account
from baton.core.http import AuthedHttpRequest
from baton.core.models import User
from baton.core.records import can_edit, get_for_user
from baton.core.views_generic import run_action
from baton.deals.queries import get_opportunity_for_user
from baton.partners import conflicts, metrics, services
from baton.partners.access import works_channel
from baton.partners.forms import ApproveForm, LinkForm, RejectForm
from baton.partners.models import OpportunityPartner, Partner, Registration, Tier
from baton.partners.suggest import suggest_partners


def _channel(request: AuthedHttpRequest) -> None:
    if not works_channel(request.user):
        raise PermissionDenied


@login_required
def partner_list(request: AuthedHttpRequest) -> HttpResponse:
    _channel(request)
    partners = list(
        Partner.objects.select_related("account", "manager").prefetch_related("product_families")[:200]
    )
    rows = [(p, metrics.performance(p)) for p in partners]
    by_tier = {tier: metrics.performance(Partner.objects.filter(tier=tier)) for tier in Tier}
    return render(request, "partners/list.html", {"rows": rows, "by_tier": by_tier})


@login_required
def registrations(request: AuthedHttpRequest) -> HttpResponse:
    _channel(request)
    regs = Registration.objects.select_related("partner__account", "submitted_by").order_by(
        "status", "-created_at"
    )
    return render(request, "partners/registrations.html", {"registrations": list(regs[:200])})


def _accounts_for(reg: Registration, user: User) -> list[tuple[int, str]]:
    """The matching accounts the approver may see (the others stay "a record of another team")."""
    ids = [c["id"] for c in reg.conflicts if c.get("kind") == "account"]
    visible = Account.objects.visible_to(user).filter(pk__in=ids, is_archived=False)
    return list(visible.values_list("id", "name"))


def _registration_page(
    request: AuthedHttpRequest,
    reg: Registration,
    approve: ApproveForm | None = None,
    reject: RejectForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "partners/registration.html",
        {
            "reg": reg,
            "conflicts": conflicts.describe(reg.conflicts, request.user),
            "approve_form": approve
            or ApproveForm(accounts=_accounts_for(reg, request.user), initial={"owner": request.user.pk}),
            "reject_form": reject or RejectForm(),
        },
    )


def _registration(request: AuthedHttpRequest, pk: int) -> Registration:
    _channel(request)
    return get_for_user(
        Registration.objects.select_related("partner__account", "opportunity", "lead"), request.user, pk
    )


@login_required
def registration(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _registration_page(request, _registration(request, pk))


@login_required
@require_POST
def approve(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    reg = _registration(request, pk)
    form = ApproveForm(request.POST, accounts=_accounts_for(reg, request.user))
    if form.is_valid():
        account_id = form.cleaned_data["account"]
        account = (
            Account.objects.visible_to(request.user).filter(pk=account_id).first() if account_id else None
        )
        if run_action(
            request,
            lambda: services.approve_registration(
                reg,
                actor=request.user,
                owner=form.cleaned_data["owner"],
                account=account,
                into=form.cleaned_data["into"],
            ),
            form=form,
            success=_("Registration approved."),
        ):
            return redirect("partners:registration", reg.pk)
    return _registration_page(request, reg, approve=form)


@login_required
@require_POST
def reject(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    reg = _registration(request, pk)
    form = RejectForm(request.POST)
    if form.is_valid() and run_action(
        request,
        lambda: services.reject_registration(reg, actor=request.user, reason=form.cleaned_data["reason"]),
        form=form,
        success=_("Registration rejected."),
    ):
        return redirect("partners:registration", reg.pk)
    return _registration_page(request, reg, reject=form)


def _panel(request: AuthedHttpRequest, opportunity_pk: int, form: LinkForm | None = None) -> HttpResponse:
    opportunity = get_opportunity_for_user(request.user, opportunity_pk)
    links = list(
        OpportunityPartner.objects.filter(opportunity=opportunity).select_related(
            "partner__account", "registration"
        )
    )
    editable = can_edit(request.user, opportunity)
    return render(
        request,
        "partners/partials/_deal_panel.html",
        {
            "opportunity": opportunity,
            "links": links,
            "sourced_by_partner": any(link.sourced for link in links),
            "suggestions": suggest_partners(opportunity, user=request.user) if editable else [],
            "form": (form or LinkForm()) if editable else None,
        },
    )


@login_required
def deal_panel(request: AuthedHttpRequest, opportunity_pk: int) -> HttpResponse:
    """The partners panel of the opportunity page (loaded by htmx)."""
    return _panel(request, opportunity_pk)


@login_required
@require_POST
def link(request: AuthedHttpRequest, opportunity_pk: int) -> HttpResponse:
    opportunity = get_opportunity_for_user(request.user, opportunity_pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: services.link_partner(opportunity, actor=request.user, **form.cleaned_data),
            success=_("Partner added."),
        )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("deals:detail", opportunity.pk)
