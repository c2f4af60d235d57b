"""Security API for administrators: locked keys and unlocking them, the security log."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from baton.core.api import actor, responses
from baton.core.models import User
from baton.security import services
from baton.security.models import SecurityEvent, SignInThrottle

router = Router(tags=["security"])


class LockoutOut(Schema):
    id: int
    kind: str
    key: str
    failures: int
    locked_until: dt.datetime | None
    last_failure_at: dt.datetime


class SecurityEventOut(Schema):
    id: int
    time: dt.datetime
    kind: str
    user_id: int | None
    username: str
    address: str | None
    user_agent: str
    request_id: str
    detail: str


class EventQuery(Schema):
    kind: str | None = None
    limit: int = 100


def _admin(request: HttpRequest) -> User:
    user = actor(request)
    if not user.is_admin:
        raise HttpError(403, "Only administrators may do this.")
    return user


@router.get(
    "/lockouts", response=responses({200: list[LockoutOut], 403: dict}), summary="Keys locked right now"
)
def list_lockouts(request: HttpRequest) -> list[SignInThrottle]:
    _admin(request)
    return list(
        SignInThrottle.objects.filter(locked_until__gt=timezone.now()).order_by("-last_failure_at")[:200]
    )


@router.post(
    "/lockouts/{lockout_id}/unlock",
    response=responses({200: LockoutOut, 403: dict}),
    summary="Unlock an account, address or mail sender",
)
def unlock_lockout(request: HttpRequest, lockout_id: int) -> SignInThrottle:
    admin = _admin(request)
    row = get_object_or_404(SignInThrottle, pk=lockout_id)
    services.unlock(row, actor=admin, request=request)
    return row


@router.get(
    "/events", response=responses({200: list[SecurityEventOut], 403: dict}), summary="The security log"
)
def list_events(request: HttpRequest, query: Query[EventQuery]) -> list[SecurityEvent]:
    _admin(request)
    rows = SecurityEvent.objects.order_by("-time", "-id")
    if query.kind:
        rows = rows.filter(kind=query.kind)
    return list(rows[: max(1, min(query.limit, 500))])
