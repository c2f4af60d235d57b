"""The numbers of the marketing and inside-sales dashboards, read through the reader's visibility.

Definitions (shown on the pages too):

- window: leads created in the last ``days`` days (default 90), up to now;
- MQL: a lead that reached marketing-qualified or beyond: its status is qualified or converted, or its
  score crossed the qualification threshold (``LeadScore.qualified_at`` is set);
- SQL: a lead that sales accepted: it was converted into an opportunity;
- MQL→SQL conversion: SQLs ÷ MQLs of the same leads (every SQL is an MQL);
- campaigns (lifetime, not the window: a campaign's cost pays for all its leads): cost per lead = cost ÷
  the campaign's leads; cost per opportunity = cost ÷ the opportunities converted from them; influenced
  won revenue = won opportunities (KRW at the close day's rate) converted from a lead that came from the
  campaign or took part in it (an interaction tagged with it). A deal touched by two campaigns counts in
  both, so influence does not add up to total revenue;
- speed to lead: the first touch (the earliest completed call, e-mail, meeting or minutes on the lead)
  minus the lead's creation; SLA met: touched within ``SPEED_TO_LEAD_SLA_HOURS``; SLA compliance = met ÷
  (touched + untouched past the SLA); untouched leads still inside the SLA are waiting, not counted;
- meetings set: meetings (events, not cancelled) on a lead or an opportunity created in the window by
  an inside-sales person;
- SQLs supplied: leads handed to field sales by the supply (assignments via supply) per week, against
  field sales' weekly capacity (the sum of the available reps' ``weekly_capacity`` now).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from baton.activities.models import Activity
from baton.core.models import Role, User
from baton.deals.models import Opportunity, Stage
from baton.insights.forecast import Rates
from baton.leads.models import Campaign, Lead, LeadInteraction, LeadSource, LeadStatus
from baton.scoring.models import Assignment
from baton.scoring.routing import week_bounds
from baton.scoring.supply import field_capacity

ZERO = Decimal(0)
DEFAULT_DAYS = 90
SPEED_TO_LEAD_SLA_HOURS: int = getattr(settings, "BATON_SPEED_TO_LEAD_SLA_HOURS", 24)
SUPPLY_WEEKS = 8


def window_start(now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)


def ratio(part: int | Decimal, whole: int | Decimal | None) -> Decimal | None:
    return Decimal(part) / Decimal(whole) if whole else None


MQL_Q = Q(status__in=[LeadStatus.QUALIFIED, LeadStatus.CONVERTED]) | Q(score__qualified_at__isnull=False)
SQL_Q = Q(converted_opportunity__isnull=False)


def window_leads(user: User, *, now: dt.datetime, days: int) -> QuerySet[Lead]:
    return Lead.objects.visible_to(user).filter(created_at__gte=window_start(now, days), created_at__lte=now)


# --- marketing ------------------------------------------------------------------------------------------


@dataclass
class FunnelRow:
    key: Any
    label: str
    leads: int = 0
    mql: int = 0
    sql: int = 0

    @property
    def conversion(self) -> Decimal | None:
        return ratio(self.sql, self.mql)

    @property
    def param(self) -> str:
        """The drill-down's value for this row (``none``: leads without a campaign)."""
        return "none" if self.key is None else str(self.key)


@dataclass
class CampaignRow:
    campaign: Campaign
    leads: int = 0
    opportunities: int = 0
    won_count: int = 0
    influenced_won: Decimal = ZERO

    @property
    def cost(self) -> Decimal | None:
        return self.campaign.cost

    @property
    def cost_per_lead(self) -> Decimal | None:
        return self.cost / self.leads if self.cost is not None and self.leads else None

    @property
    def cost_per_opportunity(self) -> Decimal | None:
        return self.cost / self.opportunities if self.cost is not None and self.opportunities else None


@dataclass
class Marketing:
    days: int
    total: FunnelRow
    by_source: list[FunnelRow]
    by_campaign: list[FunnelRow]
    campaigns: list[CampaignRow] = field(default_factory=list)


def _funnel_rows(leads: QuerySet[Lead], key: str) -> dict[Any, FunnelRow]:
    rows: dict[Any, FunnelRow] = {}
    for value, n, mql, sql in (
        leads.order_by()
        .values_list(key)
        .annotate(n=Count("id"), mql=Count("id", filter=MQL_Q), sql=Count("id", filter=SQL_Q))
    ):
        rows[value] = FunnelRow(value, "", n, mql, sql)
    return rows


def marketing(user: User, *, now: dt.datetime | None = None, days: int = DEFAULT_DAYS) -> Marketing:
    now = now or timezone.now()
    leads = window_leads(user, now=now, days=days)
    sources = dict(LeadSource.choices)
    by_source = _funnel_rows(leads, "source")
    for key, row in by_source.items():
        row.label = str(sources.get(key, key))
    by_campaign = _funnel_rows(leads, "campaign_id")
    names = dict(Campaign.objects.filter(pk__in=[k for k in by_campaign if k]).values_list("pk", "name"))
    from_label = "–"
    for key, row in by_campaign.items():
        row.label = names.get(key, from_label) if key else from_label
    total = FunnelRow("", "")
    for row in by_source.values():
        total.leads += row.leads
        total.mql += row.mql
        total.sql += row.sql
    return Marketing(
        days=days,
        total=total,
        by_source=sorted(by_source.values(), key=lambda r: (-r.leads, r.label)),
        by_campaign=sorted(by_campaign.values(), key=lambda r: (r.key is None, -r.leads, r.label)),
        campaigns=campaign_rows(user, since=window_start(now, days).date()),
    )


def campaign_rows(user: User, *, since: dt.date) -> list[CampaignRow]:
    """Campaigns running in or after the window (not ended before it), with lifetime numbers."""
    campaigns = list(
        Campaign.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=since)).order_by(
            "-starts_on", "name", "id"
        )[:50]
    )
    if not campaigns:
        return []
    ids = [c.pk for c in campaigns]
    rows = {c.pk: CampaignRow(c) for c in campaigns}
    visible = Lead.objects.visible_to(user)
    for campaign_id, n, opps in (
        visible.filter(campaign_id__in=ids)
        .order_by()
        .values_list("campaign_id")
        .annotate(n=Count("id"), opps=Count("converted_opportunity_id", distinct=True))
    ):
        rows[campaign_id].leads = n
        rows[campaign_id].opportunities = opps
    # Influence: (campaign, opportunity) pairs from the lead's own campaign and its tagged interactions.
    pairs: set[tuple[int, int]] = set(
        visible.filter(campaign_id__in=ids, converted_opportunity__isnull=False).values_list(
            "campaign_id", "converted_opportunity_id"
        )
    )
    pairs |= set(
        LeadInteraction.objects.filter(
            campaign_id__in=ids,
            lead__in=visible.filter(converted_opportunity__isnull=False).values("pk"),
        ).values_list("campaign_id", "lead__converted_opportunity_id")
    )
    won = {
        pk: (amount, currency, closed_at)
        for pk, amount, currency, closed_at in Opportunity.objects.visible_to(user)
        .filter(pk__in={o for _c, o in pairs}, stage__outcome=Stage.Outcome.WON)
        .values_list("pk", "amount", "currency", "closed_at")
    }
    rates = Rates()
    for campaign_id, opp_id in pairs:
        if opp_id in won:
            amount, currency, closed_at = won[opp_id]
            day = timezone.localdate(closed_at) if closed_at else timezone.localdate()
            rows[campaign_id].won_count += 1
            rows[campaign_id].influenced_won += rates.to_krw(amount, currency, day)
    return [rows[c.pk] for c in campaigns]


def campaign_opportunities(user: User, campaign: Campaign, *, won_only: bool) -> QuerySet[Opportunity]:
    """The opportunities behind a campaign's numbers (converted from its leads; won ones for influence)."""
    visible = Lead.objects.visible_to(user)
    from_leads = visible.filter(campaign=campaign).values("converted_opportunity_id")
    touched = visible.filter(interactions__campaign=campaign).values("converted_opportunity_id")
    qs = Opportunity.objects.visible_to(user)
    if won_only:
        qs = qs.filter(Q(pk__in=from_leads) | Q(pk__in=touched), stage__outcome=Stage.Outcome.WON)
    else:
        qs = qs.filter(pk__in=from_leads)
    return qs.select_related("account", "owner", "stage").order_by("-closed_at", "-id")


# --- inside sales -----------------------------------------------------------------------------------------


@dataclass
class SpeedRow:
    key: Any
    label: str
    leads: int = 0
    touched: int = 0
    met: int = 0
    breached: int = 0
    waiting: int = 0
    # Time to first touch of each touched lead, in whole microseconds (ints sort and add far faster than
    # Decimals at 100k leads; the median and mean turn into exact Decimal hours at the end).
    micros: list[int] = field(default_factory=list)
    meetings: int = 0
    sql: int = 0

    @property
    def compliance(self) -> Decimal | None:
        return ratio(self.met, self.met + self.breached)

    @property
    def median_hours(self) -> Decimal | None:
        if not self.micros:
            return None
        ordered = sorted(self.micros)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return Decimal(ordered[middle]) / MICROS_PER_HOUR
        return Decimal(ordered[middle - 1] + ordered[middle]) / 2 / MICROS_PER_HOUR

    @property
    def mean_hours(self) -> Decimal | None:
        return Decimal(sum(self.micros)) / len(self.micros) / MICROS_PER_HOUR if self.micros else None


@dataclass
class SupplyWeek:
    start: dt.date
    supplied: int


@dataclass
class InsideSales:
    days: int
    sla_hours: int
    total: SpeedRow
    by_owner: list[SpeedRow]
    weeks: list[SupplyWeek]
    capacity: int
    free: int

    @property
    def this_week(self) -> int:
        return self.weeks[-1].supplied if self.weeks else 0


MICROS_PER_HOUR = Decimal(3_600_000_000)


def micros_between(start: dt.datetime, end: dt.datetime) -> int:
    delta = end - start
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def first_touches(leads: QuerySet[Lead]) -> QuerySet[Any]:
    """Each lead with ``first_touch``: the earliest sales touch on it, either a completed call, e-mail,
    meeting or minutes activity, or a call or meeting a colleague logged on the lead's timeline. The
    lead keeps it (``Lead.first_touch_at``, see ``baton.activities.touches``)."""
    return leads.annotate(first_touch=F("first_touch_at"))


def sla_state(created: dt.datetime, touch: dt.datetime | None, now: dt.datetime, sla_hours: int) -> str:
    limit = dt.timedelta(hours=sla_hours)
    if touch is not None:
        return "met" if touch - created <= limit else "breached"
    return "breached" if now - created > limit else "waiting"


def inside_sales(
    user: User, *, now: dt.datetime | None = None, days: int = DEFAULT_DAYS, sla_hours: int | None = None
) -> InsideSales:
    now = now or timezone.now()
    sla = SPEED_TO_LEAD_SLA_HOURS if sla_hours is None else sla_hours
    leads = first_touches(window_leads(user, now=now, days=days))
    limit = dt.timedelta(hours=sla)
    met = Q(first_touch__isnull=False, first_touch__lte=F("created_at") + limit)
    late = Q(first_touch__isnull=False, first_touch__gt=F("created_at") + limit)
    untouched_late = Q(first_touch__isnull=True, created_at__lt=now - limit)
    total = SpeedRow("", "")
    owners: dict[int | None, SpeedRow] = {}
    # The counts in one grouped query (the same rule as ``sla_state``, in SQL) ...
    counted = (
        leads.order_by()
        .values_list("owner_id")
        .annotate(
            n=Count("id"),
            touched=Count("id", filter=Q(first_touch__isnull=False)),
            met=Count("id", filter=met),
            breached=Count("id", filter=late | untouched_late),
            sql=Count("id", filter=Q(converted_opportunity__isnull=False)),
        )
    )
    for owner_id, n, touched, met_n, breached, sql_n in counted:
        row = owners.setdefault(owner_id, SpeedRow(owner_id, ""))
        row.leads, row.touched, row.met, row.breached, row.sql = n, touched, met_n, breached, sql_n
        row.waiting = n - touched - (breached - (touched - met_n))
    # ... and the hours of the touched leads, for the median (a median needs every value).
    touched_rows = (
        leads.filter(Q(first_touch__isnull=False))
        .order_by()
        .values_list("owner_id", "created_at", "first_touch")
    )
    for owner_id, created, touch in touched_rows.iterator(chunk_size=5000):
        owners[owner_id].micros.append(micros_between(created, touch))
    for row in owners.values():
        total.leads += row.leads
        total.touched += row.touched
        total.met += row.met
        total.breached += row.breached
        total.waiting += row.waiting
        total.sql += row.sql
        total.micros.extend(row.micros)
    for owner_id, n in meetings_set(user, now=now, days=days).values_list("owner_id").annotate(n=Count("id")):
        owners.setdefault(owner_id, SpeedRow(owner_id, "")).meetings = n
        total.meetings += n
    people = {u.pk: u for u in User.objects.filter(pk__in=[k for k in owners if k])}
    for key, row in owners.items():
        row.label = str(people[key]) if key in people else "–"
    capacity, free = field_capacity(now)
    return InsideSales(
        days=days,
        sla_hours=sla,
        total=total,
        by_owner=sorted(owners.values(), key=lambda r: (r.key is None, -r.leads, r.label)),
        weeks=supply_weeks(user, now=now),
        capacity=capacity,
        free=free,
    )


def meetings_set(user: User, *, now: dt.datetime, days: int) -> QuerySet[Activity]:
    return (
        Activity.objects.visible_to(user)
        .filter(
            kind=Activity.Kind.EVENT,
            created_at__gte=window_start(now, days),
            created_at__lte=now,
            owner__role=Role.INSIDE_SALES,
        )
        .filter(Q(lead__isnull=False) | Q(opportunity__isnull=False))
        .exclude(status=Activity.Status.CANCELLED)
        .order_by()
    )


def supplied(user: User) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        via=Assignment.Via.SUPPLY,
        assignee__isnull=False,
        lead__in=Lead.objects.visible_to(user).values("pk"),
    )


def supply_weeks(user: User, *, now: dt.datetime, weeks: int = SUPPLY_WEEKS) -> list[SupplyWeek]:
    """Leads supplied to field sales per week (Monday to Sunday), the last ``weeks`` weeks to this one."""
    this_start, this_end = week_bounds(now)
    first = this_start - dt.timedelta(weeks=weeks - 1)
    counts: dict[dt.date, int] = defaultdict(int)
    for assigned_at in (
        supplied(user)
        .filter(assigned_at__gte=first, assigned_at__lt=this_end)
        .values_list("assigned_at", flat=True)
    ):
        day = timezone.localdate(assigned_at)
        counts[day - dt.timedelta(days=day.weekday())] += 1
    starts = [timezone.localdate(first) + dt.timedelta(weeks=i) for i in range(weeks)]
    return [SupplyWeek(s, counts.get(s, 0)) for s in starts]


def speed_leads(user: User, *, now: dt.datetime, days: int, state: str, owner_id: int | None, sla_hours: int):
    """The leads behind a speed-to-lead number: all, touched, met, breached or waiting (SLA state is
    decided in Python with the same rule as the number, so the list and the count agree)."""
    leads = first_touches(window_leads(user, now=now, days=days))
    if owner_id is not None:
        leads = leads.filter(owner_id=owner_id)
    picked = []
    for lead in leads.select_related("owner", "campaign").order_by("-created_at", "-id")[:5000]:
        touch = getattr(lead, "first_touch", None)
        lead_state = sla_state(lead.created_at, touch, now, sla_hours)
        if state == "all" or state == lead_state or (state == "touched" and touch is not None):
            picked.append(lead)
    return picked
