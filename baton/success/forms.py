"""Forms of the contract pages: they parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.core.models import Role, User
from baton.core.views_generic import style_form
from baton.deals.models import Product
from baton.success.models import Contract, ContractChange, ContractLine, Renewal

DATE = forms.DateInput(attrs={"type": "date"})


def csm_people():
    return User.objects.filter(is_active=True, role__in=[Role.CUSTOMER_SUCCESS, Role.ADMIN]).order_by(
        "display_name", "username"
    )


class CreateContractForm(forms.Form):
    start_date = forms.DateField(label=_("Term start"), widget=DATE)
    end_date = forms.DateField(label=_("Term end"), widget=DATE, required=False)
    billing_frequency = forms.ChoiceField(
        label=_("Billing"),
        choices=Contract.BillingFrequency.choices,
        initial=Contract.BillingFrequency.ANNUAL,
    )
    auto_renew = forms.BooleanField(label=_("Renews automatically"), required=False)
    notice_days = forms.IntegerField(label=_("Notice period (days)"), min_value=0, max_value=3650, initial=30)
    csm = forms.ModelChoiceField(
        label=_("Customer success manager"), queryset=User.objects.none(), required=False
    )
    recurring = forms.MultipleChoiceField(
        label=_("Recurring lines (priced per year)"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, codes: list[tuple[str, str]] = (), **kwargs: Any):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["csm"].queryset = csm_people()  # type: ignore[attr-defined]
        self.fields["recurring"].choices = codes  # type: ignore[attr-defined]
        style_form(self)


class AmendForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Change"),
        choices=[
            (ContractChange.Kind.UPSELL, ContractChange.Kind.UPSELL.label),
            (ContractChange.Kind.DOWNSELL, ContractChange.Kind.DOWNSELL.label),
            (ContractChange.Kind.PRICE, ContractChange.Kind.PRICE.label),
        ],
    )
    line = forms.ModelChoiceField(label=_("Line"), queryset=ContractLine.objects.none(), required=False)
    product = forms.ModelChoiceField(
        label=_("or a new product"), queryset=Product.objects.none(), required=False
    )
    quantity = forms.DecimalField(
        label=_("New quantity"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    unit_price = forms.DecimalField(
        label=_("New yearly unit price"), max_digits=18, decimal_places=2, required=False, min_value=0
    )
    effective_date = forms.DateField(label=_("Effective"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = contract.lines.filter(is_recurring=True)  # type: ignore[attr-defined]
        self.fields["product"].queryset = Product.objects.filter(is_archived=False)  # type: ignore[attr-defined]
        style_form(self)


class TerminateForm(forms.Form):
    effective_date = forms.DateField(label=_("Ends on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        style_form(self)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[c for c in Renewal.Outcome.choices if c[0] != Renewal.Outcome.OPEN]
    )
    new_end_date = forms.DateField(label=_("New term end"), widget=DATE, required=False)
    reason = forms.CharField(label=_("Reason / note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        style_form(self)
