from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.activities.forms import StyledForm
from baton.integrations.models import SUBSCRIBABLE, EventType, WebForm
from baton.leads.models import Campaign, LeadSource


class EndpointForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    url = forms.CharField(label=_("URL"), max_length=500)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[c for c in EventType.choices if c[0] in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class WebFormForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    asked = forms.MultipleChoiceField(
        label=_("Fields (besides the name)"),
        choices=WebForm.FIELD_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    source = forms.ChoiceField(
        label=_("Lead source"), choices=LeadSource.choices, initial=LeadSource.WEB_FORM
    )
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    route = forms.BooleanField(label=_("Route new leads by the routing rules"), required=False, initial=True)
    thank_you_url = forms.CharField(label=_("Thank-you page URL"), max_length=500, required=False)
    thank_you_message = forms.CharField(label=_("Thank-you message"), max_length=500, required=False)
    allowed_origins = forms.CharField(
        label=_("Allowed origins"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. https://www.example.co.kr; blank: any."),
    )
    consent_text = forms.CharField(
        label=_("Consent checkbox text"),
        max_length=500,
        required=False,
        help_text=_("Blank: the form asks for no consent."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("name")  # type: ignore[attr-defined]
