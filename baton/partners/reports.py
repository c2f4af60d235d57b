"""Channel reports: win rate and sales cycle of deals with a partner against deals without one, and the
delivery quality of each SI / delivery partner (from baton.delivery's hand-offs and projects, and, asked
through ``core.providers.customer_outcomes`` because partners may not import the success app, the
support cases opened soon after go-live and the renewals won and lost since). Every figure is computed
over the deals the reader may see (``Opportunity.objects.visible_to``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef

from baton.core.providers import CustomerOutcome, Delivered, ask_customer_outcomes
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
    # From the success app (None when it does not answer): deals live (their contract started), support
    # cases opened within ``window_days`` of go-live, renewals won and lost since (each counted once).
    live: int | None = None
    cases: int | None = None
    renewals_won: int | None = None
    renewals_lost: int | None = None


#: Days after go-live in which a customer's support cases count against the delivery (default, bounds).
CASE_WINDOW_DAYS = 90
MAX_CASE_WINDOW_DAYS = 730


def delivery_quality(user: Any, *, window_days: int = CASE_WINDOW_DAYS) -> list[DeliveryQuality]:
    """Per SI / delivery partner: first-time-right hand-offs and delivered projects of their deals, and
    their customers' cases soon after go-live and renewals since."""
    visible = Opportunity.objects.visible_to(user).values("pk")
    links = OpportunityPartner.objects.filter(role=PartnerKind.SI, opportunity_id__in=visible)
    by_partner: dict[int, set[int]] = {}
    account_of: dict[int, int] = {}
    for partner_id, opportunity_id, account_id in links.values_list(
        "partner_id", "opportunity_id", "opportunity__account_id"
    ):
        by_partner.setdefault(partner_id, set()).add(opportunity_id)
        account_of[opportunity_id] = account_id
    all_ids = {pk for ids in by_partner.values() for pk in ids}
    outcomes = ask_customer_outcomes(
        user, [Delivered(pk, account_of[pk]) for pk in sorted(all_ids)], window_days
    )
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
                **_after_go_live(ids, outcomes),
            )
        )
    return rows


def _after_go_live(ids: set[int], outcomes: dict[int, CustomerOutcome] | None) -> dict[str, int | None]:
    """One partner's deals summed: a case or renewal shared by two deals at one customer counts once."""
    if outcomes is None:
        return {}
    known = [outcomes[i] for i in ids if i in outcomes]
    cases: set[int] = set()
    won: set[int] = set()
    lost: set[int] = set()
    for outcome in known:
        cases |= outcome.case_ids
        won |= outcome.renewals_won
        lost |= outcome.renewals_lost
    return {
        "live": sum(1 for o in known if o.go_live is not None),
        "cases": len(cases),
        "renewals_won": len(won),
        "renewals_lost": len(lost),
    }
