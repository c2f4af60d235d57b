"""The deals app's models, one module per topic; Django and every caller import them from here.

- ``pipeline``: pipelines, stages, lost reasons and opportunities;
- ``catalog``: product families, products, price lists, line items and delivery effort;
- ``team``: the deal team, the buyer's side and requests to team members;
- ``quotes``: quotes, their lines, and discount approvals.
"""

from baton.core.vocabulary import localized
from baton.deals.models.catalog import (
    HUNDRED,
    EffortEstimate,
    LineItem,
    PriceList,
    PriceListEntry,
    Product,
    ProductFamily,
    line_amounts,
)
from baton.deals.models.pipeline import (
    UNKNOWN_IMPORTED,
    ForecastCategory,
    LostReason,
    Opportunity,
    Pipeline,
    Stage,
)
from baton.deals.models.quotes import (
    ApprovalRequest,
    ApprovalRule,
    ApprovalRuleApprover,
    ApprovalStep,
    Quote,
    QuoteLine,
    percent,
)
from baton.deals.models.team import BuyerTeamMember, BuyingStep, DealTeamMember, TeamRequest, TeamRole

__all__ = [
    "HUNDRED",
    "UNKNOWN_IMPORTED",
    "ApprovalRequest",
    "ApprovalRule",
    "ApprovalRuleApprover",
    "ApprovalStep",
    "BuyerTeamMember",
    "BuyingStep",
    "DealTeamMember",
    "EffortEstimate",
    "ForecastCategory",
    "LineItem",
    "LostReason",
    "Opportunity",
    "Pipeline",
    "PriceList",
    "PriceListEntry",
    "Product",
    "ProductFamily",
    "Quote",
    "QuoteLine",
    "Stage",
    "TeamRequest",
    "TeamRole",
    "line_amounts",
    "localized",
    "percent",
]
