"""REST endpoints of the deals app, mounted under /api/v1/ by baton/api.py, one module per topic:

- ``opportunities``: CRUD and the stage move;
- ``pipelines``: pipelines with their stages, and lost reasons (every signed-in user may read them);
- ``offer``: line items, economics, quotes and approvals;
- ``team``: the deal team, the buyer's side and requests.

All register on the one ``router`` in ``common``. The published operation ids stay those of the single
module they came from (``baton_deals_api_<function>``), so generated clients keep their method names.
"""

from baton.core.api import keep_operation_ids
from baton.deals.api import offer, opportunities, pipelines, team
from baton.deals.api.common import active_lost_reasons, open_stages, router

keep_operation_ids(router, "baton.deals.api")

__all__ = ["active_lost_reasons", "offer", "open_stages", "opportunities", "pipelines", "router", "team"]
