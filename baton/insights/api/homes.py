# mypy: disable-error-code="valid-type"
"""The rep, manager and executive dashboards: the numbers of the home page's sections (home.py), read
through the caller's visibility. Managers' and executives' sections are refused (403) to those the home
page does not show them to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema
from ninja.errors import HttpError

from baton.core.api import actor, responses
from baton.insights import dashboards, home, protected
from baton.insights.api.base import router
from baton.insights.api.forecast import NumbersOut, _numbers
from baton.insights.forecast import compute_forecast, find_row
from baton.insights.periods import period_containing


class HomeAmountOut(Schema):
    currency: str
    amount: Decimal


class HomeStageRowOut(Schema):
    stage_id: int
    name: str
    count: int
    amounts: list[HomeAmountOut]


class HomeDealOut(Schema):
    id: int
    name: str
    amount: Decimal | None
    currency: str
    expected_close_date: dt.date | None
    owner_id: int | None


class HomeRiskOut(HomeDealOut):
    reasons: list[str]


class HomeActivityCountOut(Schema):
    kind: str
    label: str
    done: int
    target: int | None


class HomeQuestionOut(Schema):
    id: int
    question: str
    due_on: dt.date | None


class HomeRepOut(Schema):
    period: str
    amounts_hidden: bool = Field(
        description="Deal amounts are protected for the caller: amount-based figures are null or empty"
    )
    numbers: NumbersOut | None = Field(description="My quota and attainment this quarter")
    pipeline_by_stage: list[HomeStageRowOut]
    closing_this_month: list[HomeDealOut]
    deals_at_risk: list[HomeRiskOut]
    activity_this_week: list[HomeActivityCountOut]
    open_question_count: int
    open_questions: list[HomeQuestionOut]


def _deal(opp: Any) -> dict[str, Any]:
    return {
        "id": opp.pk,
        "name": opp.name,
        "amount": opp.amount,
        "currency": opp.currency,
        "expected_close_date": opp.expected_close_date,
        "owner_id": opp.owner_id,
    }


def _risk(risk: dashboards.Risk) -> dict[str, Any]:
    return {**_deal(risk.opportunity), "reasons": [str(r) for r in risk.reasons]}


@router.get(
    "/dashboards/rep",
    response=responses({200: HomeRepOut}),
    summary="Rep: my quota and attainment, pipeline by stage, closing this month, risks, week, questions",
)
def rep_api(request: HttpRequest):
    user = actor(request)
    today, now = timezone.localdate(), timezone.now()
    quarter = period_containing("quarter", today)
    me = find_row(compute_forecast(user, quarter, today=today), "user", user.pk)
    data = home.rep_context(user, today, now)
    data["my_numbers"] = me.numbers if me else None
    protected.redact_home(user, data)
    return {
        "period": quarter.key,
        "amounts_hidden": bool(data.get("amounts_hidden")),
        "numbers": _numbers(data["my_numbers"]) if data["my_numbers"] else None,
        "pipeline_by_stage": [
            {
                "stage_id": s["id"],
                "name": str(s["name"]),
                "count": s["count"],
                "amounts": [{"currency": c, "amount": a} for c, a in s["amounts"]],
            }
            for s in data["stages"]
        ],
        "closing_this_month": [_deal(o) for o in data["closing"]],
        "deals_at_risk": [_risk(r) for r in data["risks"]],
        "activity_this_week": [
            {"kind": c.kind, "label": c.label, "done": c.done, "target": c.target}
            for c in data["activity_counts"]
        ],
        "open_question_count": data["question_count"],
        "open_questions": [
            {"id": q.pk, "question": q.question, "due_on": q.due_on} for q in data["questions"]
        ],
    }


class HomeTeamRowOut(Schema):
    kind: str
    id: int
    name: str
    depth: int
    numbers: NumbersOut


class HomeCellOut(Schema):
    stage_id: int
    amount_krw: Decimal | None
    count: int


class HomeMatrixRowOut(Schema):
    user_id: int
    name: str
    cells: list[HomeCellOut]
    total_krw: Decimal | None


class HomeWinOut(Schema):
    won: int
    lost: int
    no_decision: int
    won_amount_krw: Decimal | None
    win_rate: Decimal | None = Field(description="won ÷ (won + lost + no decision)")
    no_decision_rate: Decimal | None
    cycle_days: Decimal | None = Field(description="mean days from creation to close of won deals")


class HomeRepRowOut(Schema):
    user_id: int
    name: str
    win: HomeWinOut
    activity_this_week: dict[str, int] = Field(
        description="done activities by kind, plus `requests` answered"
    )


class HomeManagerOut(Schema):
    period: str
    amounts_hidden: bool
    window_days: int
    team_forecast: list[HomeTeamRowOut]
    pipeline_by_rep_and_stage: list[HomeMatrixRowOut]
    reps: list[HomeRepRowOut]
    deals_at_risk: list[HomeRiskOut]


def _win(s: dashboards.WinStats, *, hidden: bool = False) -> dict[str, Any]:
    return {
        "won": s.won,
        "lost": s.lost,
        "no_decision": s.no_decision,
        "won_amount_krw": None if hidden else s.won_amount,
        "win_rate": s.win_rate,
        "no_decision_rate": s.no_decision_rate,
        "cycle_days": s.cycle_days,
    }


@router.get(
    "/dashboards/manager",
    response=responses({200: HomeManagerOut}),
    summary="Sales manager: team forecast, pipeline by rep and stage, win rate, cycle and activity by rep",
)
def manager_api(request: HttpRequest):
    user = actor(request)
    if not home.sees_team(user):
        raise HttpError(403, "Only sales managers, team managers and administrators see the team dashboard.")
    today, now = timezone.localdate(), timezone.now()
    quarter = period_containing("quarter", today)
    data = home.manager_context(user, today, now, compute_forecast(user, quarter, today=today))
    hidden = protected.amounts_hidden(user)
    protected.redact_home(user, {"manager": data})
    matrix = data["matrix"]
    return {
        "period": quarter.key,
        "amounts_hidden": hidden,
        "window_days": dashboards.WINDOW_DAYS,
        "team_forecast": [
            {"kind": r.kind, "id": r.id, "name": r.name, "depth": r.depth, "numbers": _numbers(r.numbers)}
            for r in data["team_forecast"]
        ],
        "pipeline_by_rep_and_stage": [
            {
                "user_id": row["user"].pk,
                "name": row["user"].display_name or row["user"].username,
                "cells": [
                    {"stage_id": s.pk, "amount_krw": cell[0], "count": cell[1]}
                    for s, cell in zip(matrix["stages"], row["cells"], strict=True)
                ],
                "total_krw": row["total"],
            }
            for row in matrix["rows"]
        ],
        "reps": [
            {
                "user_id": r["user"].pk,
                "name": r["user"].display_name or r["user"].username,
                "win": _win(r["stats"], hidden=hidden),
                "activity_this_week": dict(r["activity"]),
            }
            for r in data["rep_rows"]
        ],
        "deals_at_risk": [_risk(r) for r in data["team_risks"]],
    }


class HomeMonthOut(Schema):
    month: int
    this_year: Decimal
    last_year: Decimal


class HomeSplitOut(Schema):
    key: str
    label: str
    this_year: Decimal
    last_year: Decimal
    growth: Decimal | None = Field(description="(this − last) ÷ last, year to date")


class HomeExecutiveOut(Schema):
    period: str
    window_days: int
    company: NumbersOut
    win: HomeWinOut
    open_count: int
    sales_velocity_krw_per_day: Decimal | None
    revenue_by_month: list[HomeMonthOut]
    by_product_family: list[HomeSplitOut]
    by_industry: list[HomeSplitOut]
    by_region: list[HomeSplitOut]


def _split(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "key": r["key"],
            "label": r["label"],
            "this_year": r["this"],
            "last_year": r["last"],
            "growth": r["growth"],
        }
        for r in rows
    ]


@router.get(
    "/dashboards/executive",
    response=responses({200: HomeExecutiveOut}),
    summary="Executive: company forecast, win and no-decision rates, sales velocity, revenue vs last year",
)
def executive_api(request: HttpRequest):
    user = actor(request)
    if not user.is_admin:
        raise HttpError(403, "Only administrators see the executive dashboard.")
    today, now = timezone.localdate(), timezone.now()
    quarter = period_containing("quarter", today)
    data = home.executive_context(user, today, now, compute_forecast(user, quarter, today=today))
    trend: dashboards.Trend = data["trend"]
    return {
        "period": quarter.key,
        "window_days": dashboards.WINDOW_DAYS,
        "company": _numbers(data["company"]),
        "win": _win(data["win"]),
        "open_count": data["open_count"],
        "sales_velocity_krw_per_day": data["velocity"],
        "revenue_by_month": [
            {"month": m["month"], "this_year": m["this"], "last_year": m["last"]} for m in trend.months
        ],
        "by_product_family": _split(trend.by_family),
        "by_industry": _split(trend.by_industry),
        "by_region": _split(trend.by_region),
    }
