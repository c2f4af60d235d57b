"""Background tasks of the process engine (Django tasks API)."""

from __future__ import annotations

from django_tasks import task

from baton.process.services import sweep


@task()
def sweep_process() -> dict[str, int]:
    """Apply automatic transitions whose criteria became true with time, and bring recycled records
    back when their follow-up date arrives. Idempotent: a record moves once, however often it runs."""
    return sweep()
