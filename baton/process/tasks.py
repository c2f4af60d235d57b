"""Background tasks of the process engine (Django tasks API)."""

from __future__ import annotations

from django_tasks import task

from baton.process import floor_build
from baton.process.services import sweep


@task()
def sweep_process() -> dict[str, int]:
    """Apply automatic transitions whose criteria became true with time, and bring recycled records
    back when their follow-up date arrives. Idempotent: a record moves once, however often it runs."""
    return sweep()


@task()
def refresh_floor_snapshots() -> dict[str, object]:
    """Bring the factory floor's daily snapshots up to date: build the days closed since the last run,
    rebuild dirty days and the days whose stays moved on. Idempotent; one transaction."""
    return floor_build.refresh()
