"""The deals app's forms: ``opportunities`` (the deal form and a stage move) and ``sales`` (the offer,
quotes, the deal team, approvals and the catalogue)."""

from baton.deals.forms.opportunities import MoveForm, OpportunityForm
from baton.deals.forms.sales import (
    ApprovalRuleForm,
    BuyerForm,
    DecisionForm,
    EffortForm,
    EntryForm,
    FamilyForm,
    LineItemForm,
    PriceForm,
    PriceListForm,
    ProductForm,
    QuoteForm,
    StyledForm,
    TeamMemberForm,
    TeamRequestForm,
)

__all__ = [
    "ApprovalRuleForm",
    "BuyerForm",
    "DecisionForm",
    "EffortForm",
    "EntryForm",
    "FamilyForm",
    "LineItemForm",
    "MoveForm",
    "OpportunityForm",
    "PriceForm",
    "PriceListForm",
    "ProductForm",
    "QuoteForm",
    "StyledForm",
    "TeamMemberForm",
    "TeamRequestForm",
]
