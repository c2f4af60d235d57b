"""Forms of the opportunity pages: they parse input; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.accounts.queries import accounts_for, contacts_for
from baton.core.models import User
from baton.core.views_generic import LookupSelect, ServiceModelForm, assignable_owners, model_choice_field
from baton.deals.models import Opportunity, Stage
from baton.deals.queries import offered_lost_reasons
from baton.deals.services import default_pipeline


class OpportunityForm(ServiceModelForm):
    class Meta:
        model = Opportunity
        fields = [
            "name",
            "account",
            "primary_contact",
            "amount",
            "currency",
            "expected_close_date",
            "stage",
            "forecast_category",
            "next_step",
            "owner",
            "description",
        ]
        widgets = {
            "account": LookupSelect("accounts:lookup"),
            "primary_contact": LookupSelect("contacts:lookup"),
            "expected_close_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def limit_choices(self, user: User) -> None:
        self.model_choice_field("account").queryset = accounts_for(user).filter(is_archived=False)
        self.model_choice_field("primary_contact").queryset = contacts_for(user).filter(is_archived=False)
        self.model_choice_field("owner").queryset = assignable_owners(user, self.instance.owner_id)
        self.fields["owner"].required = True
        if self.instance.pk:
            # Stage moves go through the stage buttons (lost needs a reason, the move is audited as such).
            del self.fields["stage"]
        else:
            self.fields["owner"].initial = user.pk
            pipeline = default_pipeline()
            stage = self.model_choice_field("stage")
            stage.queryset = pipeline.stages.filter(is_archived=False, outcome=Stage.Outcome.OPEN).order_by(
                "sequence", "id"
            )
            stage.required = False
            stage.empty_label = None


class MoveForm(forms.Form):
    """A stage move from the board or the detail page; lost and no-decision need a reason."""

    stage = forms.ModelChoiceField(queryset=Stage.objects.none())
    version = forms.IntegerField()
    # "Unknown (imported)" (a reason with a code) is what imports give; people choose a real one.
    lost_reason = forms.ModelChoiceField(
        label=_("Lost reason"), queryset=offered_lost_reasons(), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, opportunity: Opportunity, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "stage").queryset = Stage.objects.filter(
            pipeline_id=opportunity.pipeline_id, is_archived=False
        )

    def clean(self):
        data = super().clean()
        stage = data.get("stage")
        if (
            stage is not None
            and stage.outcome in (Stage.Outcome.LOST, Stage.Outcome.NO_DECISION)
            and not data.get("lost_reason")
        ):
            self.add_error("lost_reason", _("Say why the deal was lost."))
        return data
