# mypy: disable-error-code="valid-type"
"""The marketing and inside-sales dashboards (definitions: insights/funnel.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from baton.core.api import actor, responses
from baton.insights import funnel, protected
from baton.insights.api.base import router


class FunnelRowOut(Schema):
    key: str | None
    label: str
    leads: int
    mql: int
    sql: int
    conversion: Decimal | None


class CampaignRowOut(Schema):
    id: int
    name: str
    cost: Decimal | None
    leads: int
    opportunities: int
    cost_per_lead: Decimal | None
    cost_per_opportunity: Decimal | None
    influenced_won_count: int
    influenced_won: Decimal | None = Field(description="null when deal amounts are protected for the caller")


class MarketingOut(Schema):
    days: int
    total: FunnelRowOut
    by_source: list[FunnelRowOut]
    by_campaign: list[FunnelRowOut]
    campaigns: list[CampaignRowOut]


def _funnel_row(row: funnel.FunnelRow) -> dict[str, Any]:
    return {
        "key": None if row.key is None else str(row.key),
        "label": row.label,
        "leads": row.leads,
        "mql": row.mql,
        "sql": row.sql,
        "conversion": row.conversion,
    }


@router.get(
    "/dashboards/marketing",
    response=responses({200: MarketingOut}),
    summary="Marketing: leads, MQLs and SQLs by source and campaign; campaign cost and influence",
)
def marketing_api(request: HttpRequest, days: int = Query(funnel.DEFAULT_DAYS, ge=1, le=730)):
    data = funnel.marketing(actor(request), days=days)
    protected.redact_campaigns(actor(request), data.campaigns)
    return {
        "days": data.days,
        "total": _funnel_row(data.total),
        "by_source": [_funnel_row(r) for r in data.by_source],
        "by_campaign": [_funnel_row(r) for r in data.by_campaign],
        "campaigns": [
            {
                "id": c.campaign.pk,
                "name": c.campaign.name,
                "cost": c.cost,
                "leads": c.leads,
                "opportunities": c.opportunities,
                "cost_per_lead": c.cost_per_lead,
                "cost_per_opportunity": c.cost_per_opportunity,
                "influenced_won_count": c.won_count,
                "influenced_won": c.influenced_won,
            }
            for c in data.campaigns
        ],
    }


class SpeedRowOut(Schema):
    owner_id: int | None
    label: str
    leads: int
    touched: int
    sla_met: int
    sla_breached: int
    waiting: int
    sla_compliance: Decimal | None
    median_hours_to_first_touch: Decimal | None
    mean_hours_to_first_touch: Decimal | None
    meetings_set: int
    sqls: int


class SupplyWeekOut(Schema):
    week_start: dt.date
    supplied: int


class InsideSalesOut(Schema):
    days: int
    sla_hours: int
    total: SpeedRowOut
    by_owner: list[SpeedRowOut]
    supply_weeks: list[SupplyWeekOut]
    field_capacity_per_week: int
    field_capacity_free: int


def _speed_row(row: funnel.SpeedRow) -> dict[str, Any]:
    return {
        "owner_id": row.key or None,
        "label": row.label,
        "leads": row.leads,
        "touched": row.touched,
        "sla_met": row.met,
        "sla_breached": row.breached,
        "waiting": row.waiting,
        "sla_compliance": row.compliance,
        "median_hours_to_first_touch": row.median_hours,
        "mean_hours_to_first_touch": row.mean_hours,
        "meetings_set": row.meetings,
        "sqls": row.sql,
    }


@router.get(
    "/dashboards/inside-sales",
    response=responses({200: InsideSalesOut}),
    summary="Inside sales: speed to lead, SLA compliance, meetings set, SQLs supplied against capacity",
)
def inside_sales_api(request: HttpRequest, days: int = Query(funnel.DEFAULT_DAYS, ge=1, le=730)):
    data = funnel.inside_sales(actor(request), days=days)
    return {
        "days": data.days,
        "sla_hours": data.sla_hours,
        "total": _speed_row(data.total),
        "by_owner": [_speed_row(r) for r in data.by_owner],
        "supply_weeks": [{"week_start": w.start, "supplied": w.supplied} for w in data.weeks],
        "field_capacity_per_week": data.capacity,
        "field_capacity_free": data.free,
    }
