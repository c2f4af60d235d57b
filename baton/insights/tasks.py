"""Background work of the insights app (Django tasks API)."""

from __future__ import annotations

import os

from django_tasks import task

from baton.insights.aggregates.build import refresh
from baton.insights.services import take_current_snapshots
from baton.insights.subscriptions import send_due


@task()
def snapshot_forecasts() -> dict[str, int]:
    """The weekly forecast snapshot of this month, quarter and year; once per week however often it runs."""
    return {"snapshots": len(take_current_snapshots())}


@task()
def send_report_subscriptions() -> dict[str, int]:
    """E-mail the saved reports people subscribed to that are due; each one once per period."""
    return send_due(worker=f"task-{os.getpid()}")


@task()
def refresh_insights_aggregates() -> dict[str, int]:
    """Sum again the closed months of the won-revenue trend that are missing or changed since."""
    done = refresh()
    return {"months": len(done.months), "deals": done.deals}
