# mypy: disable-error-code="valid-type"
"""REST endpoints of the forecast, mounted under /api/v1/insights/ by baton/api.py: the roll-up per
period, the deals behind a number, managers' adjustments, weekly snapshots, quotas and exchange rates.
The same visibility as the pages: a caller sees themselves and the teams they may read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from baton.core.api import Amount, Id, InputSchema, IsoDate, Text, actor, path_id, responses
from baton.core.models import Team, User
from baton.insights import funnel, services, subscriptions
from baton.insights.forecast import (
    Numbers,
    compute_forecast,
    find_row,
    opportunities_behind,
    owners_of,
    scope_team_ids,
    scope_user_ids,
)
from baton.insights.history import forecast_history
from baton.insights.models import ExchangeRate, ForecastAdjustment, PeriodKind, Quota, ReportSubscription
from baton.insights.periods import Period, parse_period, period_containing
from baton.insights.reports import parse_definition, record_rows, run_report

router = Router(tags=["insights"])

PERIOD_HELP = "`2026-12` (month), `2026-Q4` (quarter) or `2026` (year); default: this quarter."


def _period(raw: str | None) -> Period:
    today = timezone.localdate()
    if not raw:
        return period_containing(PeriodKind.QUARTER, today)
    period = parse_period(raw, today=today)
    if period is None:
        raise HttpError(422, "period: use 2026-12, 2026-Q4 or 2026.")
    return period


class NumbersOut(Schema):
    quota: Decimal | None
    won: Decimal
    commit: Decimal
    commit_call: Decimal
    best_case: Decimal
    best_case_call: Decimal
    pipeline: Decimal
    weighted: Decimal
    open: Decimal
    attainment: float | None = Field(description="won ÷ quota")
    gap: Decimal | None = Field(description="quota − won")
    coverage: float | None = Field(description="open ÷ (quota − won)")
    adjusted: bool


def _numbers(n: Numbers) -> dict[str, Any]:
    r = n.rounded()
    return {
        "quota": n.quota,
        "won": r.won,
        "commit": r.commit,
        "commit_call": r.commit_call,
        "best_case": r.best_case,
        "best_case_call": r.best_case_call,
        "pipeline": r.pipeline,
        "weighted": r.weighted,
        "open": r.open,
        "attainment": None if n.attainment is None else float(n.attainment),
        "gap": n.gap,
        "coverage": None if n.coverage is None else float(n.coverage),
        "adjusted": n.adjusted,
    }


class ForecastRowOut(Schema):
    kind: Literal["user", "team"]
    id: int
    name: str
    depth: int
    parent: str | None = Field(description="`team:<id>` of the row this one rolls up into")
    numbers: NumbersOut


class ForecastOut(Schema):
    period: str
    start: dt.date
    end: dt.date = Field(description="The last day of the period")
    rows: list[ForecastRowOut]
    total: NumbersOut
    missing_rates: list[str]


@router.get(
    "/forecast", response=responses({200: ForecastOut}), summary="The forecast of a period, rolled up"
)
def forecast_api(request: HttpRequest, period: str | None = Query(None, description=PERIOD_HELP)):
    p = _period(period)
    forecast = compute_forecast(actor(request), p)
    rows: list[dict[str, Any]] = []

    def walk(row, parent):
        rows.append(
            {
                "kind": row.kind,
                "id": row.id,
                "name": row.name,
                "depth": row.depth,
                "parent": parent,
                "numbers": _numbers(row.numbers),
            }
        )
        for child in row.children:
            walk(child, f"team:{row.id}")

    for root in forecast.rows:
        walk(root, None)
    return {
        "period": p.key,
        "start": p.start,
        "end": p.last_day,
        "rows": rows,
        "total": _numbers(forecast.total),
        "missing_rates": forecast.missing_rates,
    }


class DealOut(Schema):
    id: int
    name: str
    account_id: int
    owner_id: int | None
    stage_id: int
    forecast_category: str
    amount: Decimal
    currency: str
    expected_close_date: dt.date | None
    closed_at: dt.datetime | None


@router.get(
    "/forecast/deals",
    response=responses({200: list[DealOut]}),
    summary="The deals behind one number of the forecast (at most 1,000)",
)
def forecast_deals_api(
    request: HttpRequest,
    measure: Literal["won", "commit", "best_case", "pipeline", "open"],
    kind: Literal["user", "team", "all"] = "all",
    id: int | None = Query(None, ge=1, le=2**63 - 1),
    period: str | None = Query(None, description=PERIOD_HELP),
):
    user = actor(request)
    p = _period(period)
    forecast = compute_forecast(user, p)
    if kind == "all":
        owners = [r.id for root in forecast.rows for r in root.flatten() if r.kind == "user"]
    else:
        row = find_row(forecast, kind, id or 0)
        if row is None:
            raise HttpError(404, "Not found")
        owners = owners_of(row)
    return list(opportunities_behind(user, p, measure=measure, owner_ids=owners)[:1000])


class AdjustmentIn(InputSchema):
    subject_id: Id
    period: Text(7, required=True)
    category: Literal["commit", "best_case"]
    amount: Amount()
    note: Text(500, required=True)


class AdjustmentOut(Schema):
    id: int
    subject_id: int
    period_kind: str
    period_start: dt.date
    category: str
    amount: Decimal
    note: str = Field(alias="comment")
    adjusted_by_id: int
    created_at: dt.datetime


@router.get(
    "/forecast/adjustments", response=responses({200: list[AdjustmentOut]}), summary="Managers' calls"
)
def list_adjustments(request: HttpRequest, period: str | None = Query(None, description=PERIOD_HELP)):
    p = _period(period)
    return list(
        ForecastAdjustment.objects.filter(
            period_kind=p.kind, period_start=p.start, subject_id__in=scope_user_ids(actor(request))
        ).order_by("-created_at", "-id")[:500]
    )


@router.post(
    "/forecast/adjustments",
    response=responses({201: AdjustmentOut}),
    summary="Adjust a subordinate's commit or best case (kept apart from their own number)",
)
def create_adjustment(request: HttpRequest, payload: AdjustmentIn):
    user = actor(request)
    subject = User.objects.filter(pk=payload.subject_id, pk__in=scope_user_ids(user)).first()
    if subject is None:
        raise HttpError(404, "Not found")
    try:
        adj = services.adjust_forecast(
            actor=user,
            subject=subject,
            period=_period(payload.period),
            category=payload.category,
            amount=payload.amount,
            note=payload.note,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    return Status(201, adj)


class SnapshotWeekOut(Schema):
    week: dt.date
    won: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    weighted: Decimal
    called: Decimal
    accuracy: float | None
    added: list[int]
    slipped: list[int]
    removed: list[int]
    amount_change: Decimal


@router.get(
    "/forecast/snapshots",
    response=responses({200: list[SnapshotWeekOut]}),
    summary="How the forecast of a period moved, week by week",
)
def list_snapshots(request: HttpRequest, period: str | None = Query(None, description=PERIOD_HELP)):
    user = actor(request)
    p = _period(period)
    actual = compute_forecast(user, p).total.won
    return [
        {**w.__dict__, "called": w.called, "accuracy": None if w.accuracy is None else float(w.accuracy)}
        for w in forecast_history(user, p, actual_won=actual)
    ]


class SnapshotIn(InputSchema):
    period: Text(7, required=True)


class SnapshotOut(Schema):
    id: int
    period_kind: str
    period_start: dt.date
    week_start: dt.date
    taken_at: dt.datetime


@router.post(
    "/forecast/snapshots", response=responses({201: SnapshotOut}), summary="Take this week's snapshot now"
)
def take_snapshot_api(request: HttpRequest, payload: SnapshotIn):
    user = actor(request)
    if not services.may_manage_quotas(user):
        raise HttpError(403, "Only managers and administrators take forecast snapshots.")
    return Status(201, services.take_snapshot(_period(payload.period), actor=user))


class QuotaOut(Schema):
    id: int
    user_id: int | None
    team_id: int | None
    period_kind: str
    period_start: dt.date
    amount: Decimal
    version: int


class QuotaIn(InputSchema):
    """Exactly one of `user_id` and `team_id`; setting a quota that exists changes it."""

    user_id: Id | None = None
    team_id: Id | None = None
    period: Text(7, required=True)
    amount: Amount()


@router.get("/quotas", response=responses({200: list[QuotaOut]}), summary="Quotas of a period")
def list_quotas(request: HttpRequest, period: str | None = Query(None, description=PERIOD_HELP)):
    user = actor(request)
    p = _period(period)
    return list(
        Quota.objects.filter(period_kind=p.kind, period_start=p.start)
        .filter(Q(user_id__in=scope_user_ids(user)) | Q(team_id__in=scope_team_ids(user)))
        .order_by("id")
    )


@router.put("/quotas", response=responses({200: QuotaOut}), summary="Set a person's or a team's quota")
def put_quota(request: HttpRequest, payload: QuotaIn):
    user = actor(request)
    target_user = target_team = None
    if payload.user_id is not None:
        target_user = User.objects.filter(pk=payload.user_id, pk__in=scope_user_ids(user)).first()
        if target_user is None:
            raise HttpError(404, "Not found")
    if payload.team_id is not None:
        target_team = Team.objects.filter(pk=payload.team_id, pk__in=scope_team_ids(user)).first()
        if target_team is None:
            raise HttpError(404, "Not found")
    try:
        return services.set_quota(
            actor=user,
            period=_period(payload.period),
            amount=payload.amount,
            user=target_user,
            team=target_team,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None


class RateOut(Schema):
    id: int
    currency: str
    valid_from: dt.date
    krw_per_unit: Decimal


class RateIn(InputSchema):
    currency: Literal["USD", "EUR", "JPY", "CNY"]
    valid_from: IsoDate
    krw_per_unit: Decimal = Field(gt=0, max_digits=18, decimal_places=6)


@router.get("/exchange-rates", response=responses({200: list[RateOut]}), summary="Exchange rates to KRW")
def list_rates(request: HttpRequest):
    return list(ExchangeRate.objects.all()[:500])


@router.put(
    "/exchange-rates", response=responses({200: RateOut}), summary="Set a dated exchange rate (admins)"
)
def put_rate(request: HttpRequest, payload: RateIn):
    try:
        return services.set_exchange_rate(
            actor=actor(request),
            currency=payload.currency,
            valid_from=payload.valid_from,
            krw_per_unit=payload.krw_per_unit,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None


# --- reports -------------------------------------------------------------------------------------------


class ReportOut(Schema):
    id: int
    name: str
    owner_id: int | None = Field(description="null for the ready-made reports (the seven questions)")
    is_builtin: bool
    question: int | None
    sharing: str
    definition: dict[str, Any]


class ReportIn(InputSchema):
    """A report definition: `object`, `columns`, `filters` ([{field, op, value}]), `group_by` (up to
    two; dates as `field:month|quarter|year`), `aggregate`, `measure`, `sort`."""

    name: Text(150, required=True)
    sharing: Literal["private", "team", "everyone"] = "private"
    definition: dict[str, Any]


class RunIn(InputSchema):
    definition: dict[str, Any]


class GroupOut(Schema):
    key: str = Field(description="The group's stable key (an id, a code or an ISO date)")
    label: str
    value: float | None
    cells: dict[str, float | None] = Field(description="Second-level group key → value")


class ResultOut(Schema):
    definition: dict[str, Any]
    count: int
    total: float | None
    columns: list[str]
    records: list[list[Any]]
    truncated: bool
    groups: list[GroupOut]


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _key(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _result(definition: Any, user: User) -> dict[str, Any]:
    result = run_report(definition, user)
    groups = []
    two = len(definition.group_by) == 2
    for r in result.row_keys:
        cells = {_key(c): _number(result.cells.get((r, c))) for c in result.col_keys} if two else {}
        groups.append(
            {
                "key": _key(r),
                "label": result.label(0, r),
                "value": _number(result.row_totals.get(r)),
                "cells": cells,
            }
        )
    return {
        "definition": definition.as_data(),
        "count": result.count,
        "total": _number(result.total),
        "columns": [c.key for c in definition.columns] if not definition.group_by else [],
        "records": [[str(v) for v in row] for row in record_rows(result)] if not definition.group_by else [],
        "truncated": result.truncated,
        "groups": groups,
    }


@router.get("/reports", response=responses({200: list[ReportOut]}), summary="Saved reports you may open")
def list_reports(request: HttpRequest):
    return list(services.reports_for(actor(request)).order_by("name", "id")[:500])


@router.post("/reports", response=responses({201: ReportOut}), summary="Save a report")
def create_report(request: HttpRequest, payload: ReportIn):
    report = services.save_report(
        actor=actor(request), name=payload.name, definition=payload.definition, sharing=payload.sharing
    )
    return Status(201, report)


@router.post("/reports/run", response=responses({200: ResultOut}), summary="Run a report definition")
def run_report_api(request: HttpRequest, payload: RunIn):
    return _result(parse_definition(payload.definition), actor(request))


@router.get("/reports/{id}/result", response=responses({200: ResultOut}), summary="Run a saved report")
def saved_report_result(request: HttpRequest, id: int = path_id()):
    user = actor(request)
    report = services.reports_for(user).filter(pk=id).first()
    if report is None:
        raise HttpError(404, "Not found")
    return _result(parse_definition(report.definition), user)


# --- the marketing and inside-sales dashboards (definitions: insights/funnel.py) -------------------------


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
    influenced_won: Decimal


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


# --- report subscriptions ------------------------------------------------------------------------------


class SubscriptionOut(Schema):
    id: int
    report_id: int
    frequency: str
    next_send_at: dt.datetime
    last_sent_at: dt.datetime | None
    last_error: str


class SubscriptionIn(InputSchema):
    frequency: Literal["daily", "weekly", "monthly"]


@router.get(
    "/subscriptions", response=responses({200: list[SubscriptionOut]}), summary="My report subscriptions"
)
def list_subscriptions(request: HttpRequest):
    return list(ReportSubscription.objects.filter(user=actor(request)).order_by("report__name", "id")[:500])


@router.put(
    "/reports/{id}/subscription",
    response=responses({200: SubscriptionOut}),
    summary="Subscribe to a saved report by e-mail (or change how often)",
)
def put_subscription(request: HttpRequest, payload: SubscriptionIn, id: int = path_id()):
    user = actor(request)
    report = services.reports_for(user).filter(pk=id).first()
    if report is None:
        raise HttpError(404, "Not found")
    return subscriptions.subscribe(actor=user, report=report, frequency=payload.frequency)


@router.delete(
    "/reports/{id}/subscription", response=responses({204: None}), summary="End my subscription to a report"
)
def delete_subscription(request: HttpRequest, id: int = path_id()):
    user = actor(request)
    sub = ReportSubscription.objects.filter(report_id=id, user=user).first()
    if sub is None:
        raise HttpError(404, "Not found")
    subscriptions.unsubscribe(actor=user, subscription=sub)
    return Status(204, None)
