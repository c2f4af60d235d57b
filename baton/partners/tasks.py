"""Background work of the partners app (Django tasks API)."""

from __future__ import annotations

from django_tasks import task

from baton.partners.services import expire_registrations


@task()
def expire_partner_registrations() -> dict[str, int]:
    """End the protection of approved registrations whose period is over (each one audited); another
    partner's registration of the same customer can be approved from then on."""
    return {"expired": expire_registrations()}
