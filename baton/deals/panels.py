"""The deals' panels on other apps' pages (registered in ``DealsConfig.ready()`` through
``baton.core.panels``): an account's opportunities with their totals, a contact's deals."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from baton.accounts.models import Account, Contact
from baton.core.models import User
from baton.core.money import format_money
from baton.deals.queries import opportunities_for

PANEL_LIMIT = 100


def _totals(opportunities: list[Any]) -> list[str]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for opp in opportunities:
        sums[opp.currency] += opp.amount
    return [format_money(total, currency) for currency, total in sorted(sums.items())]


def account_opportunities_panel(user: User, account: Account) -> dict[str, Any]:
    """The 360° page: the account's opportunities the reader may see, open and closed, with totals."""
    opportunities = list(
        opportunities_for(user)
        .filter(account=account)
        .select_related("primary_contact")
        .order_by("-updated_at", "-id")[:PANEL_LIMIT]
    )
    open_opps = [o for o in opportunities if not o.stage.is_closed]
    closed_opps = [o for o in opportunities if o.stage.is_closed]
    won = [o for o in closed_opps if o.stage.is_won]
    return {
        "open_opportunities": open_opps,
        "closed_opportunities": closed_opps,
        "open_totals": _totals(open_opps),
        "won_totals": _totals(won),
    }


def contact_opportunities_panel(user: User, contact: Contact) -> dict[str, Any]:
    """The contact page: the deals the reader may see where the contact is the primary contact."""
    deals = opportunities_for(user).filter(primary_contact=contact).order_by("-updated_at", "-id")[:50]
    return {"contact_opportunities": list(deals)}
