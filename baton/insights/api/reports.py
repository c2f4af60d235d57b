# mypy: disable-error-code="valid-type"
"""Saved reports: list, save, run a definition, run a saved report (rows the reader may open only)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Schema, Status
from ninja.errors import HttpError

from baton.core.api import InputSchema, Text, actor, path_id, responses
from baton.core.models import User
from baton.insights import services
from baton.insights.api.base import router
from baton.insights.reports import Amounts, parse_definition, record_rows, run_report


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


MONEY_NOTE = (
    "; a custom money field's value is an object of currency → amount (never added across currencies)"
)


class GroupOut(Schema):
    key: str = Field(
        description="The group's stable key (an id, a code or an ISO date; `hidden` for references to "
        "records you may not see)"
    )
    label: str
    value: float | dict[str, float] | None = Field(description="The group's value" + MONEY_NOTE)
    cells: dict[str, float | dict[str, float] | None] = Field(
        description="Second-level group key → value" + MONEY_NOTE
    )


class ResultOut(Schema):
    definition: dict[str, Any]
    count: int
    total: float | dict[str, float] | None = Field(description="The value over all records" + MONEY_NOTE)
    overlapping: bool = Field(
        description="Grouped by a multiple-choice field: a record with several values is in each of "
        "their groups, so the groups add up to more than the totals, which count each record once"
    )
    columns: list[str]
    records: list[list[Any]]
    truncated: bool
    groups: list[GroupOut]


def _number(value: Any) -> float | dict[str, float] | None:
    if isinstance(value, Amounts):
        return {currency: float(amount) for currency, amount in value.items()}
    return None if value is None else float(value)


def _key(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _result(definition: Any, user: User) -> dict[str, Any]:
    result = run_report(definition, user)
    definition = result.definition  # without what is protected from this user
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
        "overlapping": result.overlapping,
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
