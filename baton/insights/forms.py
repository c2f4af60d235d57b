"""Forms of the forecast pages: a manager's adjustment, a quota, an exchange rate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.core.money import Currency
from baton.insights.models import ForecastAdjustment


class AdjustmentForm(forms.Form):
    subject = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    category = forms.ChoiceField(label=_("Category"), choices=ForecastAdjustment.Category.choices)
    amount = forms.DecimalField(label=_("Amount (KRW)"), max_digits=18, decimal_places=0, min_value=0)
    note = forms.CharField(label=_("Note"), max_length=500)


class QuotaForm(forms.Form):
    target = forms.CharField(label=_("Person or team"))
    amount = forms.DecimalField(label=_("Quota (KRW)"), max_digits=18, decimal_places=0, min_value=0)

    def __init__(self, *args, targets: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"] = forms.ChoiceField(label=_("Person or team"), choices=targets)


class ExchangeRateForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"), choices=[c for c in Currency.choices if c[0] != "KRW"])
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    krw_per_unit = forms.DecimalField(
        label=_("KRW per unit"), max_digits=18, decimal_places=6, min_value=0.000001
    )
