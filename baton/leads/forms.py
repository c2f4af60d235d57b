"""Forms of the leads pages: they parse input; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.core.models import User
from baton.core.views_generic import ServiceModelForm, assignable_owners, style_form
from baton.deals.models import Stage
from baton.leads.models import Lead, LeadInteraction, LeadStatus
from baton.leads.queries import campaigns_for


class LeadForm(ServiceModelForm):
    class Meta:
        model = Lead
        fields = [
            "name",
            "company",
            "title",
            "email",
            "phone",
            "brn",
            "website",
            "industry",
            "region",
            "size",
            "language",
            "source",
            "campaign",
            "status",
            "owner",
            "description",
        ]

    def limit_choices(self, user: User) -> None:
        self.model_choice_field("campaign").queryset = campaigns_for(user)
        self.model_choice_field("owner").queryset = assignable_owners(user, self.instance.owner_id)
        self.fields["owner"].required = True
        if not self.instance.pk:
            self.fields["owner"].initial = user.pk
        # Converted is reached only through the conversion; disqualify asks for a reason on the detail page.
        allowed = [
            c for c in LeadStatus.choices if c[0] not in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED)
        ]
        if self.instance.pk and self.instance.status == LeadStatus.DISQUALIFIED:
            allowed.append((LeadStatus.DISQUALIFIED, LeadStatus.DISQUALIFIED.label))
        self.choice_field("status").choices = allowed


class InteractionForm(forms.ModelForm):
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )

    class Meta:
        model = LeadInteraction
        fields = ["kind", "occurred_at", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs["rows"] = 2
        style_form(self)

    def _post_clean(self) -> None:
        pass


class LeadStatusForm(forms.Form):
    """The status buttons on the lead page (working / nurturing / qualified / disqualified)."""

    status = forms.ChoiceField(
        choices=[
            (s, s.label)
            for s in (
                LeadStatus.NEW,
                LeadStatus.WORKING,
                LeadStatus.NURTURING,
                LeadStatus.QUALIFIED,
                LeadStatus.DISQUALIFIED,
            )
        ]
    )
    disqualify_reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if (
            data.get("status") == LeadStatus.DISQUALIFIED
            and not (data.get("disqualify_reason") or "").strip()
        ):
            self.add_error("disqualify_reason", _("Say why the lead is disqualified."))
        return data


NEW = "new"


class ConvertForm(forms.Form):
    """Choices of the conversion screen: new or existing account and contact, and the opportunity."""

    account_choice = forms.CharField(initial=NEW)
    contact_choice = forms.CharField(initial=NEW)
    create_opportunity = forms.BooleanField(label=_("Create an opportunity"), required=False, initial=True)
    opportunity_name = forms.CharField(label=_("Opportunity name"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=18, decimal_places=2, min_value=0, required=False
    )
    currency = forms.ChoiceField(label=_("Currency"))
    expected_close_date = forms.DateField(
        label=_("Expected close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, stages, currencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages
        self.fields["stage"].empty_label = None
        self.fields["currency"].choices = currencies
        style_form(self)
