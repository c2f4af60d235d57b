"""Background work of the partners app (Django tasks API)."""

from __future__ import annotations

from django_tasks import task

from baton.partners.services import expire_registrations


@task()
def expire_partner_registrations() -> dict[str, int]:
    """End the protection of approved registrations whose period is over (each one audited); another
    partner's registration of the same customer can be approved from then on."""
    return {"expired": expire_registrations()}


@task()
def return_lapsed_lead_offers() -> dict[str, int]:
    """Leads offered to a partner and not accepted by the deadline come back to the shared pool."""
    from baton.partners.passing import return_lapsed  # noqa: PLC0415 - keeps the task import light

    return {"returned": return_lapsed()}
