"""Channel reports: win rate and sales cycle of deals with a partner against deals without one, and the
delivery quality of each SI / delivery partner (from baton.delivery's hand-offs and projects). Every
figure is computed over the deals the reader may see (``Opportunity.objects.visible_to``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef

from baton.deals.models import Opportunity, Stage
from baton.delivery.models import DeliveryProject, HandoffPackage
from baton.partners.models import OpportunityPartner, Partner, PartnerKind


@dataclass
class WinCycle:
    won: int
    lost: int
    win_rate: int | None  # % of closed deals won
    cycle_days: Decimal | None  # mean days from created to closed, of the won deals (one decimal)


def _win_cycle(deals: Any) -> WinCycle:
    won = lost = 0
    days: list[float] = []
    for outcome, created, closed in deals.values_list("stage__outcome", "created_at", "closed_at"):
        if outcome == Stage.Outcome.WON:
            won += 1
            if closed is not None:
                days.append((closed - created).total_seconds() / 86400)
        else:
            lost += 1
    return WinCycle(
        won=won,
        lost=lost,
        win_rate=round(100 * won / (won + lost)) if won + lost else None,
        cycle_days=round(Decimal(sum(days) / len(days)), 1) if days else None,
    )


def with_and_without(
    user: Any, *, since: dt.date | None = None, until: dt.date | None = None
) -> dict[str, WinCycle]:
    """Deals closed (won or lost) in the period, split by whether any partner is on them."""
    closed = Opportunity.objects.visible_to(user).filter(
        stage__outcome__in=[Stage.Outcome.WON, Stage.Outcome.LOST], closed_at__isnull=False
    )
    if since is not None:
        closed = closed.filter(closed_at__date__gte=since)
    if until is not None:
        closed = closed.filter(closed_at__date__lte=until)
    on = OpportunityPartner.objects.filter(opportunity=OuterRef("pk"))
    closed = closed.annotate(partnered=Exists(on))
    return {
        "with": _win_cycle(closed.filter(partnered=True)),
        "without": _win_cycle(closed.filter(partnered=False)),
    }


@dataclass
class DeliveryQuality:
    partner: Partner
    deals: int  # deals the partner is the SI / delivery partner on (that the reader may see)
    handoffs: int  # of those, handed over and accepted by delivery
    first_time_right: int  # accepted without ever being sent back
    first_time_right_rate: int | None
    send_backs: int
    projects: int
    projects_done: int


def delivery_quality(user: Any) -> list[DeliveryQuality]:
    """Per SI / delivery partner: first-time-right hand-offs and delivered projects of their deals."""
    visible = Opportunity.objects.visible_to(user).values("pk")
    links = OpportunityPartner.objects.filter(role=PartnerKind.SI, opportunity_id__in=visible)
    by_partner: dict[int, set[int]] = {}
    for partner_id, opportunity_id in links.values_list("partner_id", "opportunity_id"):
        by_partner.setdefault(partner_id, set()).add(opportunity_id)
    all_ids = {pk for ids in by_partner.values() for pk in ids}
    packages = {
        opp: (status, send_backs)
        for opp, status, send_backs in HandoffPackage.objects.filter(opportunity_id__in=all_ids).values_list(
            "opportunity_id", "status", "send_backs"
        )
    }
    projects = dict(
        DeliveryProject.objects.filter(opportunity_id__in=all_ids).values_list("opportunity_id", "status")
    )
    rows = []
    for partner in Partner.objects.filter(pk__in=by_partner).select_related("account"):
        ids = by_partner[partner.pk]
        accepted = [
            packages[i] for i in ids if i in packages and packages[i][0] == HandoffPackage.Status.ACCEPTED
        ]
        right = sum(1 for _status, backs in accepted if backs == 0)
        rows.append(
            DeliveryQuality(
                partner=partner,
                deals=len(ids),
                handoffs=len(accepted),
                first_time_right=right,
                first_time_right_rate=round(100 * right / len(accepted)) if accepted else None,
                send_backs=sum(packages[i][1] for i in ids if i in packages),
                projects=sum(1 for i in ids if i in projects),
                projects_done=sum(1 for i in ids if projects.get(i) == DeliveryProject.Status.DONE),
            )
        )
    return rows
