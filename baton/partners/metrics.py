"""Channel figures: partner-sourced and -influenced pipeline and won revenue, registration counts,
approval rate and time to approve; for one partner (their portal) or per partner and tier (managers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from baton.deals.models import Stage
from baton.partners.models import OpportunityPartner, Partner, Registration


@dataclass
class Performance:
    sourced_pipeline: Decimal
    sourced_won: Decimal
    influenced_pipeline: Decimal
    influenced_won: Decimal
    registrations: int
    approved: int
    rejected: int
    approval_rate: int | None  # % of decided registrations approved
    days_to_approve: Decimal | None  # mean, in days (one decimal)


def _sum(links: QuerySet[OpportunityPartner], outcome: str) -> Decimal:
    total = Decimal(0)
    for amount in links.filter(opportunity__stage__outcome=outcome).values_list(
        "opportunity__amount", flat=True
    ):
        total += amount
    return total


def performance(
    partners: Any, *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> Performance:
    """Figures of one partner or a queryset of partners, for deals and registrations created in the period."""
    scope = Q(partner=partners) if isinstance(partners, Partner) else Q(partner__in=partners)
    links = OpportunityPartner.objects.filter(scope)
    regs = Registration.objects.filter(scope)
    if since is not None:
        links = links.filter(opportunity__created_at__gte=since)
        regs = regs.filter(created_at__gte=since)
    if until is not None:
        links = links.filter(opportunity__created_at__lt=until)
        regs = regs.filter(created_at__lt=until)
    sourced = links.filter(sourced=True)
    influenced = links.filter(sourced=False, influenced=True)
    decided = list(
        regs.exclude(status=Registration.Status.SUBMITTED).values_list("status", "created_at", "decided_at")
    )
    approved = [
        (c, d) for s, c, d in decided if s in (Registration.Status.APPROVED, Registration.Status.EXPIRED)
    ]
    rejected = sum(1 for s, _c, _d in decided if s == Registration.Status.REJECTED)
    days = [(d - c).total_seconds() / 86400 for c, d in approved if d is not None]
    return Performance(
        sourced_pipeline=_sum(sourced, Stage.Outcome.OPEN),
        sourced_won=_sum(sourced, Stage.Outcome.WON),
        influenced_pipeline=_sum(influenced, Stage.Outcome.OPEN),
        influenced_won=_sum(influenced, Stage.Outcome.WON),
        registrations=regs.count(),
        approved=len(approved),
        rejected=rejected,
        approval_rate=round(100 * len(approved) / (len(approved) + rejected))
        if approved or rejected
        else None,
        days_to_approve=round(Decimal(sum(days) / len(days)), 1) if days else None,
    )
