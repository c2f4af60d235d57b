# mypy: disable-error-code="valid-type"
"""Report subscriptions: a saved report e-mailed to its reader on a schedule."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Schema, Status
from ninja.errors import HttpError

from baton.core.api import InputSchema, actor, path_id, responses
from baton.insights import services, subscriptions
from baton.insights.api.base import router
from baton.insights.models import ReportSubscription


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
