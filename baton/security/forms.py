"""Forms of the security pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.core.models import Role


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "data-testid": "two-factor-code",
            }
        ),
    )


class PolicyForm(forms.Form):
    require_for_all = forms.BooleanField(
        label=_("Everyone must use two-factor sign-in"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles that must use two-factor sign-in"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
