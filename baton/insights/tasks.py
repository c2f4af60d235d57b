"""Background work of the insights app (Django tasks API)."""

from __future__ import annotations

from django_tasks import task

from baton.insights.services import take_current_snapshots


@task()
def snapshot_forecasts() -> dict[str, int]:
    """The weekly forecast snapshot of this month, quarter and year; once per week however often it runs."""
    return {"snapshots": len(take_current_snapshots())}
