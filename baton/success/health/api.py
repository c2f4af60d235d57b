# mypy: disable-error-code="valid-type"
"""REST endpoints of customer health, mounted under /api/v1/success/: an account's health now with its
components, reasons and trend; the customers by their latest snapshot; the weights; NPS answers (which
a survey tool can push)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from baton.accounts.models import Account, Contact
from baton.core.api import Id, InputSchema, IsoDate, Percent, Text, actor, choice, path_id, responses
from baton.core.records import get_for_user
from baton.success.health import queries, scoring
from baton.success.health.models import HealthSnapshot

router = Router()


class ComponentOut(Schema):
    """``reason`` is in the caller's language; ``params`` holds its figures (stable keys)."""

    key: str
    score: int
    weight: int
    reason: str
    params: dict[str, int]


class TrendOut(Schema):
    day: dt.date
    score: int
    band: str


class HealthOut(Schema):
    account_id: int
    score: int
    band: str
    components: list[ComponentOut]
    trend: list[TrendOut]


@router.get(
    "/accounts/{id}/health",
    response=responses({200: HealthOut}),
    tags=["health"],
    summary="An account's health",
)
def account_health(request: HttpRequest, id: int = path_id()):
    """Computed now from its components (each with its weight and reason); ``trend``: daily snapshots."""
    account = get_for_user(Account.objects.all(), actor(request), id)
    data = queries.account_health(account, timezone.localdate())
    return {
        "account_id": account.pk,
        "score": data.health.score,
        "band": data.health.band,
        "components": data.rows,
        "trend": data.trend,
    }


class HealthSnapshotOut(Schema):
    account_id: int
    day: dt.date
    score: int
    band: str


@router.get(
    "/health",
    response=responses({200: list[HealthSnapshotOut]}),
    tags=["health"],
    summary="Customers by health",
)
def list_health(
    request: HttpRequest,
    band: choice(HealthSnapshot.Band.values, blank=True) = Query(""),  # noqa: B008 - ninja query parameter
):
    """The latest snapshot of each customer you can see, weakest first (``band=red``: accounts at risk)."""
    return list(queries.customers_by_health(actor(request), band)[:500])


class WeightsIn(InputSchema):
    cases: Percent
    engagement: Percent
    renewal: Percent
    nps: Percent
    usage: Percent | None = None  # left out: unchanged


class WeightsOut(Schema):
    cases: int
    engagement: int
    renewal: int
    nps: int
    usage: int


@router.put(
    "/health-weights", response=responses({200: WeightsOut}), tags=["health"], summary="Set health weights"
)
def set_weights(request: HttpRequest, payload: WeightsIn):
    """Administrators only."""
    return scoring.set_weights(actor=actor(request), **payload.dict())


class NpsIn(InputSchema):
    score: int
    answered_on: IsoDate
    contact_id: Id | None = None
    comment: Text(500) = ""


class NpsOut(Schema):
    id: int
    account_id: int
    contact_id: int | None
    score: int
    answered_on: dt.date
    comment: str


@router.post(
    "/accounts/{id}/nps", response=responses({201: NpsOut}), tags=["health"], summary="Record an NPS answer"
)
def record_nps(request: HttpRequest, payload: NpsIn, id: int = path_id()):
    user = actor(request)
    account = get_for_user(Account.objects.all(), user, id)
    contact = None
    if payload.contact_id is not None:
        contact = Contact.objects.visible_to(user).filter(pk=payload.contact_id, account=account).first()
        if contact is None:
            raise ValidationError({"contact_id": ["Unknown contact at this account."]})
    answer = scoring.record_nps(
        actor=user,
        account=account,
        score=payload.score,
        answered_on=payload.answered_on,
        contact=contact,
        comment=payload.comment,
    )
    return Status(201, answer)
