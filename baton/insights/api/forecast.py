# mypy: disable-error-code="valid-type"
"""The forecast: the roll-up per period, the deals behind a number, managers' adjustments, weekly
snapshots, quotas and exchange rates. A caller sees themselves and the teams they may read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Schema, Status
from ninja.errors import HttpError

from baton.core.api import Amount, Id, InputSchema, IsoDate, Text, actor, responses
from baton.core.models import Team, User
from baton.insights import protected, services
from baton.insights.api.base import PERIOD_HELP, _period, router
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
from baton.insights.models import ExchangeRate, ForecastAdjustment, Quota


def _refuse_hidden(user: Any) -> None:
    """Everything the forecast answers is built from deal amounts: 403 to whom they are protected from."""
    if protected.amounts_hidden(user):
        raise HttpError(403, protected.hidden_message())


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
    kind: Literal["user", "team", "shared"]
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
    _refuse_hidden(actor(request))
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
    kind: Literal["user", "team", "shared", "all"] = "all",
    id: int | None = Query(None, ge=1, le=2**63 - 1),
    period: str | None = Query(None, description=PERIOD_HELP),
):
    user = actor(request)
    _refuse_hidden(user)
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
    _refuse_hidden(actor(request))
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
    _refuse_hidden(user)
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
