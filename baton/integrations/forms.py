from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.activities.forms import StyledForm
from baton.integrations.models import EventType


class EndpointForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    url = forms.CharField(label=_("URL"), max_length=500)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
