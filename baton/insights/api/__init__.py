"""REST endpoints of insights, mounted under /api/v1/insights/ by baton/api.py, one module per topic:
``forecast`` (the roll-up, deals behind a number, adjustments, snapshots, quotas, exchange rates),
``reports``, ``dashboards`` (marketing and inside sales), ``homes`` (the numbers of the rep's, manager's
and executive's home) and ``subscriptions``. Each registers its operations on the one ``router`` of
``base``. The same visibility as the pages. The published
operation ids stay those of the single module they came from (``baton_insights_api_<function>``)."""

from baton.core.api import keep_operation_ids
from baton.insights.api import dashboards, forecast, homes, reports, subscriptions
from baton.insights.api.base import router

keep_operation_ids(router, "baton.insights.api")

__all__ = ["dashboards", "forecast", "homes", "reports", "router", "subscriptions"]
