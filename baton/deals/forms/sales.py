"""Forms of the offer, team, quote and approval pages: they parse input; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.accounts.models import BuyerRole, Contact
from baton.accounts.queries import contacts_for
from baton.core.models import Role, User
from baton.core.money import Currency
from baton.core.views_generic import active_users, protect_form, refuse_protected, style_form
from baton.deals.models import (
    ApprovalRule,
    BuyingStep,
    LineItem,
    Opportunity,
    PriceList,
    Product,
    ProductFamily,
    Quote,
    TeamRole,
)


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


class LineItemForm(StyledForm):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=2, initial=1)
    discount_percent = forms.DecimalField(
        label=_("Discount %"), max_digits=5, decimal_places=2, initial=0, required=False
    )
    list_price = forms.DecimalField(
        label=_("List price (blank: from the price list)"), max_digits=18, decimal_places=2, required=False
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_archived=False).order_by("code")
        # A discount protected from the user (core.fieldaccess) is neither shown nor accepted.
        self.refused_fields = protect_form(self, user, LineItem) if user is not None else []

    def clean(self):
        cleaned = super().clean()
        refuse_protected(self)
        return cleaned


class EffortForm(StyledForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    person_days = forms.DecimalField(label=_("Person-days"), max_digits=8, decimal_places=1)
    day_rate = forms.DecimalField(label=_("Cost per day"), max_digits=18, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class QuoteForm(StyledForm):
    language = forms.ChoiceField(label=_("Language"), choices=Quote.Language.choices)
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    payment_terms_days = forms.IntegerField(
        label=_("Payment terms (days)"), min_value=0, max_value=365, initial=30
    )
    nonstandard_clauses = forms.CharField(
        label=_("Non-standard clauses"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(
        label=_("Notes to the customer"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TeamMemberForm(StyledForm):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices)
    product_family = forms.ModelChoiceField(
        label=_("For product family"),
        queryset=ProductFamily.objects.filter(is_archived=False),
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = active_users()  # type: ignore[attr-defined]


class BuyerForm(StyledForm):
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none())
    buying_role = forms.ChoiceField(label=_("Buying role"), choices=BuyerRole.choices)
    buying_step = forms.ChoiceField(label=_("Buying step"), choices=BuyingStep.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, opportunity: Opportunity, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts_for(user).filter(  # type: ignore[attr-defined]
            account_id=opportunity.account_id
        )


class TeamRequestForm(StyledForm):
    assignee = forms.ModelChoiceField(label=_("Ask"), queryset=User.objects.none())
    subject = forms.CharField(label=_("What is asked"), max_length=200)
    pain_point = forms.CharField(
        label=_("Customer's pain point"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    meeting_goal = forms.CharField(
        label=_("Goal of the meeting"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    customer_deadline = forms.DateField(
        label=_("Customer's deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = active_users()  # type: ignore[attr-defined]


class DecisionForm(StyledForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ApprovalRuleForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    field = forms.ChoiceField(label=_("Field"), choices=ApprovalRule.Field.choices)
    operator = forms.ChoiceField(label=_("Operator"), choices=ApprovalRule.Operator.choices)
    threshold = forms.DecimalField(
        label=_("Threshold"), max_digits=18, decimal_places=2, initial=0, required=False
    )
    scope = forms.ChoiceField(
        label=_("Applies to"),
        choices=ApprovalRule.Scope.choices,
        initial=ApprovalRule.Scope.QUOTE,
        required=False,
    )
    mode = forms.ChoiceField(label=_("Routing"), choices=ApprovalRule.Mode.choices)
    approvers = forms.ModelMultipleChoiceField(label=_("Approvers (in order)"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approvers"].queryset = active_users()  # type: ignore[attr-defined]


class FamilyForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)


class ProductForm(StyledForm):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    family = forms.ModelChoiceField(label=_("Family"), queryset=ProductFamily.objects.none())
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False)
    unit_cost = forms.DecimalField(label=_("Unit cost"), max_digits=18, decimal_places=2, min_value=0)
    cost_currency = forms.ChoiceField(label=_("Cost currency"), choices=Currency.choices)
    vat_exempt = forms.BooleanField(label=_("VAT exempt"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family"].queryset = ProductFamily.objects.filter(is_archived=False)  # type: ignore[attr-defined]


class PriceListForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    is_default = forms.BooleanField(label=_("Default for its currency"), required=False)


class EntryForm(StyledForm):
    """A product's price on one price list (the list is the page's)."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    unit_price = forms.DecimalField(label=_("List price"), max_digits=18, decimal_places=2, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_archived=False)  # type: ignore[attr-defined]


class PriceForm(StyledForm):
    price_list = forms.ModelChoiceField(label=_("Price list"), queryset=PriceList.objects.none())
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    unit_price = forms.DecimalField(label=_("List price"), max_digits=18, decimal_places=2, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price_list"].queryset = PriceList.objects.filter(is_archived=False)  # type: ignore[attr-defined]
        self.fields["product"].queryset = Product.objects.filter(is_archived=False)  # type: ignore[attr-defined]
