"""Forms of the health pages: they parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.core.views_generic import style_form
from baton.success.models import Contract


class WeightsForm(forms.Form):
    cases = forms.IntegerField(label=_("Support cases"), min_value=0, max_value=100)
    engagement = forms.IntegerField(label=_("Engagement"), min_value=0, max_value=100)
    renewal = forms.IntegerField(label=_("Renewal risk"), min_value=0, max_value=100)
    nps = forms.IntegerField(label=_("NPS"), min_value=0, max_value=100)
    usage = forms.IntegerField(label=_("Product usage"), min_value=0, max_value=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)


class NpsForm(forms.Form):
    score = forms.IntegerField(label=_("NPS answer (0-10)"), min_value=0, max_value=10)
    answered_on = forms.DateField(label=_("Answered on"), widget=forms.DateInput(attrs={"type": "date"}))
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)


class UsageForm(forms.Form):
    """One usage figure entered by hand (the usage service checks the numbers and the day)."""

    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    seats_bought = forms.IntegerField(label=_("Seats bought"), min_value=0)
    seats_used = forms.IntegerField(label=_("Seats in use"), min_value=0)
    logins = forms.IntegerField(label=_("Sign-ins in the last 30 days"), min_value=0, initial=0)
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=Contract.objects.none(), required=False)

    def __init__(self, *args: Any, contracts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["contract"]
        field.queryset = contracts
        style_form(self)
