"""The channel team's screens to create and edit partners and their agreements (partner managers, sales
managers and administrators). The forms parse; partners' services validate, write and audit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from baton.accounts.services import create_account
from baton.core.http import AuthedHttpRequest
from baton.core.views_generic import run_action
from baton.partners import metrics, services
from baton.partners.forms import AgreementForm, PartnerForm
from baton.partners.models import Agreement, Partner
from baton.partners.views import _channel


def _partner(request: AuthedHttpRequest, pk: int) -> Partner:
    _channel(request)
    return get_object_or_404(Partner.objects.select_related("account", "manager"), pk=pk)


def _profile(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in ("tier", "manager", "industries", "regions")}


@login_required
def create(request: AuthedHttpRequest) -> HttpResponse:
    _channel(request)
    form = PartnerForm(request.POST or None, creating=True)
    made: list[Partner] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        @transaction.atomic
        def save() -> None:
            account = create_account(
                actor=request.user, name=data["name"], brn=data["brn"], website=data["website"]
            )
            made.append(
                services.create_partner(
                    actor=request.user,
                    account=account,
                    product_families=list(data["product_families"]),
                    **_profile(data),
                )
            )

        if run_action(request, save, form=form, success=_("Partner created.")):
            return redirect("partners:detail", made[0].pk)
    return render(request, "partners/partner_form.html", {"form": form, "partner": None})


@login_required
def detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    partner = _partner(request, pk)
    return render(
        request,
        "partners/partner.html",
        {
            "partner": partner,
            "agreements": list(partner.agreements.select_related("product_family")),
            "certifications": list(partner.certifications.select_related("product_family")),
            "members": list(partner.members.select_related("user")),
            "performance": metrics.performance(partner),
        },
    )


@login_required
def edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    partner = _partner(request, pk)
    initial = {
        "tier": partner.tier,
        "manager": partner.manager_id,
        "product_families": list(partner.product_families.values_list("pk", flat=True)),
        "industries": partner.industries,
        "regions": partner.regions,
        "is_active": partner.is_active,
    }
    form = PartnerForm(request.POST or None, creating=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {**_profile(data), "is_active": data["is_active"]}
        if run_action(
            request,
            lambda: services.update_partner(
                partner,
                actor=request.user,
                changes=changes,
                product_families=list(data["product_families"]),
            ),
            form=form,
            success=_("Saved."),
        ):
            return redirect("partners:detail", partner.pk)
    return render(request, "partners/partner_form.html", {"form": form, "partner": partner})


@login_required
def agreement_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    partner = _partner(request, pk)
    form = AgreementForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_action(
            request,
            lambda: services.add_agreement(partner, actor=request.user, **form.cleaned_data),
            form=form,
            success=_("Agreement added."),
        )
    ):
        return redirect("partners:detail", partner.pk)
    return render(
        request, "partners/agreement_form.html", {"form": form, "partner": partner, "agreement": None}
    )


@login_required
def agreement_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _channel(request)
    agreement = get_object_or_404(Agreement.objects.select_related("partner__account"), pk=pk)
    initial = {name: getattr(agreement, name) for name in services.AGREEMENT_FIELDS}
    form = AgreementForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_action(
            request,
            lambda: services.update_agreement(agreement, actor=request.user, changes=form.cleaned_data),
            form=form,
            success=_("Saved."),
        )
    ):
        return redirect("partners:detail", agreement.partner_id)
    return render(
        request,
        "partners/agreement_form.html",
        {"form": form, "partner": agreement.partner, "agreement": agreement},
    )
