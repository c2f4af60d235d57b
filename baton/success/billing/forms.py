"""Forms of the invoice pages: they parse input; the billing services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.accounts.models import Contact
from baton.core.views_generic import style_form
from baton.success.billing.models import DunningStep
from baton.success.models import Contract

DATE = forms.DateInput(attrs={"type": "date"})


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)


class ScheduleForm(_Styled):
    payment_terms_days = forms.IntegerField(
        label=_("Payment terms (days)"), min_value=0, max_value=365, initial=30
    )


class IssueForm(_Styled):
    issue_date = forms.DateField(label=_("Tax invoice issue date"), widget=DATE)


class PaymentForm(_Styled):
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=18, decimal_places=2)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class CreditForm(_Styled):
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=18, decimal_places=2)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class VoidForm(_Styled):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class DunningStepForm(_Styled):
    days = forms.IntegerField(label=_("Days after the due date"), min_value=1, max_value=365)
    action = forms.ChoiceField(label=_("Action"), choices=DunningStep.Action.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class BillingContactForm(_Styled):
    billing_contact = forms.ModelChoiceField(
        label=_("Billing contact"), queryset=Contact.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["billing_contact"]
        field.queryset = Contact.objects.filter(account_id=contract.account_id, is_archived=False).order_by(
            "name"
        )
