"""Forms of the partner pages: they parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.core.choices import Industry, Region
from baton.core.models import Role, User
from baton.core.views_generic import style_form
from baton.deals.models import Opportunity, PriceList, ProductFamily, Stage
from baton.leads.models import LeadSource
from baton.partners.models import Partner, PartnerKind, RoutingRule, Tier

DATE = forms.DateInput(attrs={"type": "date"})


class RegistrationForm(forms.Form):
    customer = forms.CharField(label=_("Customer"), max_length=200)
    brn = forms.CharField(label=_("Business registration number"), max_length=12, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=120)
    contact_email = forms.EmailField(label=_("Contact email"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    product_interest = forms.CharField(label=_("Product interest"), max_length=200)
    amount = forms.DecimalField(
        label=_("Estimated amount (KRW)"), max_digits=18, decimal_places=0, min_value=1
    )
    close_date = forms.DateField(label=_("Estimated close date"), widget=DATE)
    evidence = forms.CharField(label=_("Evidence of your work"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)


def _set(form: forms.Form, name: str, **attrs: Any) -> None:
    field = form.fields[name]
    for attr, value in attrs.items():
        setattr(field, attr, value)


def reps() -> Any:
    return User.objects.filter(is_active=True).exclude(role=Role.PARTNER).order_by("display_name", "username")


class ApproveForm(forms.Form):
    into = forms.ChoiceField(
        label=_("Approve into"),
        choices=[("opportunity", _("An opportunity")), ("lead", _("A lead (not qualified yet)"))],
        initial="opportunity",
        required=False,
        widget=forms.RadioSelect,
    )
    owner = forms.ModelChoiceField(label=_("Owner of the opportunity"), queryset=User.objects.none())
    account = forms.TypedChoiceField(
        label=_("Account"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[],
        help_text=_("For an opportunity only."),
    )

    def __init__(self, *args: Any, accounts: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "owner", queryset=reps())
        if self.is_bound and not self.data.get("into"):
            data = self.data.copy()  # type: ignore[attr-defined]
            data["into"] = "opportunity"
            self.data = data
        _set(self, "account", choices=[("", _("A new account")), *(accounts or [])])
        style_form(self)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the partner reads it)"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)


class LinkForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=PartnerKind.choices)
    contact_name = forms.CharField(label=_("Partner contact"), max_length=120, required=False)
    sourced = forms.BooleanField(label=_("Sourced by the partner"), required=False)
    influenced = forms.BooleanField(label=_("Influenced by the partner"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "partner", queryset=Partner.objects.filter(is_active=True).select_related("account"))
        style_form(self)


class PortalDealForm(forms.Form):
    """What a partner may change on their opportunity."""

    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none())
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    expected_close_date = forms.DateField(label=_("Expected close date"), widget=DATE, required=False)

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stages = Stage.objects.filter(
            pipeline_id=opportunity.pipeline_id, is_archived=False, outcome=Stage.Outcome.OPEN
        ).order_by("sequence", "id")
        _set(self, "stage", queryset=stages)
        style_form(self)


def _multi(label: Any, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )


class PartnerForm(forms.Form):
    """A partner's profile; on create also the partner organisation's new account (name, BRN, site)."""

    name = forms.CharField(label=_("Partner organisation"), max_length=200)
    brn = forms.CharField(label=_("Business registration number"), max_length=12, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    manager = forms.ModelChoiceField(label=_("Partner manager"), queryset=User.objects.none(), required=False)
    product_families = forms.ModelMultipleChoiceField(
        label=_("Product families"), queryset=ProductFamily.objects.none(), required=False
    )
    industries = _multi(_("Industries"), Industry.choices)
    regions = _multi(_("Regions"), Region.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["is_active"]
        else:
            for name in ("name", "brn", "website"):
                del self.fields[name]
        _set(self, "manager", queryset=reps().filter(role__in=[Role.PARTNER_MANAGER, Role.SALES_MANAGER]))
        _set(self, "product_families", queryset=ProductFamily.objects.order_by("name"))
        style_form(self)


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices)
    product_family = forms.ModelChoiceField(
        label=_("Product family"),
        queryset=ProductFamily.objects.none(),
        required=False,
        empty_label=_("Every family"),
    )
    discount_pct = forms.DecimalField(
        label=_("Discount %"), max_digits=5, decimal_places=2, min_value=0, max_value=100, initial=0
    )
    margin_pct = forms.DecimalField(
        label=_("Margin %"), max_digits=5, decimal_places=2, min_value=0, max_value=100, initial=0
    )
    payment_terms_days = forms.IntegerField(
        label=_("Payment terms (days)"), min_value=0, max_value=365, initial=30
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "product_family", queryset=ProductFamily.objects.order_by("name"))
        style_form(self)


class PassForm(forms.Form):
    """Pass a lead to the channel: by the routing rules, to a chosen partner, or into the pool."""

    to = forms.ChoiceField(
        label=_("Pass to"),
        choices=[
            ("rules", _("The partner the routing rules choose")),
            ("partner", _("This partner")),
            ("pool", _("The shared pool")),
        ],
        initial="rules",
        widget=forms.RadioSelect,
    )
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none(), required=False)
    product_family = forms.ModelChoiceField(
        label=_("Product family"),
        queryset=ProductFamily.objects.none(),
        required=False,
        help_text=_("What the lead is about, for the routing rules that ask."),
    )
    days = forms.IntegerField(label=_("Days to accept"), min_value=1, max_value=30, initial=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "partner", queryset=Partner.objects.filter(is_active=True).select_related("account"))
        _set(self, "product_family", queryset=ProductFamily.objects.order_by("name"))
        style_form(self)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)


class PublishForm(forms.Form):
    """Publish a price list or a file to partner tiers and/or one partner."""

    price_list = forms.ModelChoiceField(
        label=_("Price list"), queryset=PriceList.objects.none(), required=False
    )
    file = forms.FileField(label=_("File"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    tiers = forms.MultipleChoiceField(
        label=_("Tiers"), choices=Tier.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "price_list", queryset=PriceList.objects.filter(is_archived=False))
        _set(self, "partner", queryset=Partner.objects.filter(is_active=True).select_related("account"))
        style_form(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("price_list")) == bool(data.get("file")):
            raise forms.ValidationError(_("Choose a price list or a file (one of them)."))
        return data


class RoutingRuleForm(forms.Form):
    """A routing rule of passed leads: its conditions (empty: any) and where a matching lead goes."""

    name = forms.CharField(label=_("Name"), max_length=120)
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", _("Any region")), *Region.choices], required=False
    )
    industry = forms.ChoiceField(
        label=_("Industry"), choices=[("", _("Any industry")), *Industry.choices], required=False
    )
    product_family = forms.ModelChoiceField(
        label=_("Product family"),
        queryset=ProductFamily.objects.none(),
        required=False,
        empty_label=_("Any product family"),
    )
    lead_source = forms.ChoiceField(
        label=_("Lead source"), choices=[("", _("Any source")), *LeadSource.choices], required=False
    )
    target = forms.ChoiceField(label=_("Pass to"), choices=RoutingRule.Target.choices)
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Partner.objects.none(),
        required=False,
        help_text=_("When passing to a partner."),
    )
    tier = forms.ChoiceField(
        label=_("Tier"),
        choices=[("", "—"), *Tier.choices],
        required=False,
        help_text=_("When passing to a tier."),
    )
    is_active = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "product_family", queryset=ProductFamily.objects.order_by("name"))
        _set(self, "partner", queryset=Partner.objects.filter(is_active=True).select_related("account"))
        style_form(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A target's unused choice is dropped, so a rule never says two things.
        if data.get("target") != RoutingRule.Target.PARTNER:
            data["partner"] = None
        if data.get("target") != RoutingRule.Target.TIER:
            data["tier"] = ""
        return data
