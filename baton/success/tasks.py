"""Background work of the success app (Django tasks API)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from baton.success.billing.dunning import sweep_dunning
from baton.success.cases.services import sweep_sla
from baton.success.health.scoring import snapshot_health
from baton.success.services import sweep_renewals


@task()
def open_due_renewals() -> dict[str, int]:
    """Open the renewals that are due and send today's D-90/-30/-7 reminders; safe from any number of
    workers (each renewal and reminder is claimed by a unique row)."""
    return sweep_renewals()


@task()
def sweep_case_slas() -> dict[str, int]:
    """Send the SLA warnings that are due and flag the breached cases; each warning and breach is claimed
    by a conditional update, so any number of workers send it once."""
    return sweep_sla()


@task()
def snapshot_customer_health() -> dict[str, int]:
    """Write today's health snapshot of every customer account (a rerun the same day replaces it)."""
    return {"snapshots": snapshot_health(timezone.localdate())}


@task()
def run_dunning() -> dict[str, int]:
    """Do today's dunning steps on the overdue invoices; each step on each invoice is claimed by a unique
    row, so any number of workers do it once."""
    return sweep_dunning(timezone.localdate())
