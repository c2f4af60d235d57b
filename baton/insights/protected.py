"""Deal amounts protected by field protection (core.fieldaccess) on the insights pages and API.

Who may not see a deal's amount may not derive it either: the forecast (every number of it is an
amount or a ratio of amounts), its drill-downs and exports are withheld with a message; on the home
pages and dashboards the amount-based cells are left empty (null in the API) and the counts stay.
Administrators always see amounts, so the executive section is never concerned. The rule itself is
``fieldaccess.derived_hidden``; this module only applies it to the insights' figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from baton.core import fieldaccess
from baton.deals.models import Opportunity


def amounts_hidden(user: Any) -> bool:
    return fieldaccess.derived_hidden(user, Opportunity, "amount")


def hidden_message() -> str:
    return _(
        "Deal amounts are protected for your role: the forecast, the totals built from amounts and the "
        "deals behind them are not shown to you."
    )


def refuse_forecast(user: Any) -> None:
    """A forecast drill-down or export asked for by someone who may not see amounts: 403."""
    if amounts_hidden(user):
        raise PermissionDenied(hidden_message())


def conceal_deals(user: Any, deals: Iterable[Any]) -> None:
    fieldaccess.conceal_on(user, deals, "amount")


def redact_home(user: Any, context: dict[str, Any]) -> None:
    """The home page's figures without what is built from protected amounts (counts stay)."""
    if not amounts_hidden(user):
        return
    context["amounts_hidden"] = True
    context["my_numbers"] = None
    for stage in context.get("stages", []):
        stage["amounts"], stage["totals"] = [], []
    conceal_deals(user, context.get("closing", []))
    conceal_deals(user, [risk.opportunity for risk in context.get("risks", [])])
    manager = context.get("manager")
    if manager:
        manager["team_forecast"] = []
        for row in manager["matrix"]["rows"]:
            row["cells"] = [[None, cell[1]] for cell in row["cells"]]
            row["total"] = None
        conceal_deals(user, [risk.opportunity for risk in manager["team_risks"]])


def redact_campaigns(user: Any, campaigns: Iterable[Any]) -> None:
    """Influenced won revenue is a sum of deal amounts (the won count stays)."""
    if amounts_hidden(user):
        for row in campaigns:
            row.influenced_won = None
