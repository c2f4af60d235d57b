"""Forms of the scoring pages: they parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.core.choices import CompanySize, Industry, Region
from baton.core.models import Role, User
from baton.core.views_generic import style_form
from baton.leads.models import LeadInteraction
from baton.scoring.models import DisqualifyReason, RepCapacity, RoutingRule, ScoringRule
from baton.scoring.scores.custom import custom_attributes
from baton.scoring.scores.rules import FIT_ATTRIBUTES


class Styled:
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        style_form(self)  # type: ignore[arg-type]


def attribute_choices() -> list[tuple[Any, list[tuple[str, Any]]]]:
    fit = [(k, v) for k, v in FIT_ATTRIBUTES.items()]
    engagement = list(LeadInteraction.Kind.choices)
    groups = [(_("Fit: lead attributes"), fit)]
    custom = list(custom_attributes().items())
    if custom:
        groups.append((_("Fit: custom fields"), custom))
    return [*groups, (_("Engagement: interactions"), engagement)]


class ScoringRuleForm(Styled, forms.ModelForm):
    attribute = forms.ChoiceField(label=_("attribute or interaction"), choices=attribute_choices)

    class Meta:
        model = ScoringRule
        fields = [
            "category",
            "label",
            "label_en",
            "attribute",
            "operator",
            "value",
            "points",
            "half_life_days",
            "max_points",
            "sequence",
            "is_active",
        ]

    def _post_clean(self) -> None:
        pass


class DisqualifyReasonForm(Styled, forms.ModelForm):
    class Meta:
        model = DisqualifyReason
        fields = ["name", "name_en", "recycle_days", "is_no_decision", "sequence", "is_archived"]

    def _post_clean(self) -> None:
        pass


class DisqualifyForm(Styled, forms.Form):
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=DisqualifyReason.objects.none())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    recycle_on = forms.DateField(
        label=_("Recycle on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    explanation = forms.CharField(
        label=_("Explanation to the customer"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ModelChoiceField)
        reason.queryset = DisqualifyReason.objects.filter(is_archived=False, code="")


def field_sales_users() -> Any:
    return User.objects.filter(is_active=True).order_by("display_name", "username")


class RoutingRuleForm(Styled, forms.ModelForm):
    regions = forms.MultipleChoiceField(label=_("Regions"), choices=Region.choices, required=False)
    industries = forms.MultipleChoiceField(label=_("Industries"), choices=Industry.choices, required=False)
    sizes = forms.MultipleChoiceField(label=_("Sizes"), choices=CompanySize.choices, required=False)
    members = forms.ModelMultipleChoiceField(label=_("Reps"), queryset=User.objects.none(), required=False)

    class Meta:
        model = RoutingRule
        fields = ["name", "sequence", "strategy", "regions", "industries", "sizes", "product", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        assert isinstance(members, forms.ModelMultipleChoiceField)
        members.queryset = field_sales_users().filter(
            role__in=[Role.FIELD_SALES, Role.SPECIALIST_SALES, Role.INSIDE_SALES, Role.SALES_MANAGER]
        )
        if self.instance.pk:
            members.initial = list(self.instance.members.values_list("pk", flat=True))

    def _post_clean(self) -> None:
        pass


class CapacityForm(Styled, forms.ModelForm):
    products = forms.CharField(
        label=_("Product specialties"), required=False, help_text=_("Comma-separated product codes.")
    )

    class Meta:
        model = RepCapacity
        fields = ["weekly_capacity", "opted_out", "away_until", "products"]
        widgets = {"away_until": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["products"] = ", ".join(self.instance.products or [])

    def clean_products(self) -> list[str]:
        return [p.strip() for p in (self.cleaned_data.get("products") or "").split(",") if p.strip()]

    def _post_clean(self) -> None:
        pass


class AnswerForm(forms.Form):
    item = forms.CharField(max_length=24)
    answer = forms.BooleanField(required=False)
    evidence = forms.CharField(max_length=500, required=False)


class CompetitorForm(Styled, forms.Form):
    name = forms.CharField(label=_("Competitor"), max_length=120)
    is_incumbent = forms.BooleanField(label=_("Incumbent (used today)"), required=False)
    won_deal = forms.BooleanField(label=_("Won the deal"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
