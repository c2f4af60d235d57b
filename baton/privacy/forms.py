from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.activities.forms import StyledForm
from baton.leads.models import LeadStatus
from baton.privacy.models import Channel, Purpose, RetentionRule


class ConsentForm(StyledForm):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    granted = forms.TypedChoiceField(
        label=_("Statement"),
        choices=[("1", _("Consent given")), ("0", _("Consent withdrawn"))],
        coerce=lambda v: v == "1",
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    given_at = forms.DateTimeField(
        label=_("Date"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class RetentionRuleForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    target = forms.ChoiceField(label=_("Records"), choices=RetentionRule.Target.choices)
    lead_statuses = forms.MultipleChoiceField(
        label=_("Lead statuses (none: every status)"), choices=LeadStatus.choices, required=False
    )
    inactive_days = forms.IntegerField(
        label=_("Days without activity"), min_value=30, max_value=36500, initial=3 * 365
    )
    include_archived = forms.BooleanField(label=_("Archived contacts too"), required=False, initial=True)
    is_active = forms.BooleanField(label=_("Applied by the worker"), required=False, initial=True)


class EraseForm(StyledForm):
    confirm = forms.BooleanField(
        label=_("I understand that the personal data of these records is erased for good."), required=True
    )
