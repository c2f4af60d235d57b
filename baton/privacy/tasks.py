"""Background work of the privacy app (Django tasks API)."""

from __future__ import annotations

from django_tasks import task

from baton.privacy.retention import apply_all


@task()
def apply_retention_rules() -> dict[str, int]:
    """Every active retention rule, once a day (the activities worker claims the period)."""
    runs = apply_all(worker="worker")
    return {"rules": len(runs), "erased": sum(r.erased for r in runs)}
