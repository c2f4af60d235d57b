# mypy: disable-error-code="valid-type,assignment"
"""REST endpoints of sharing under /api/v1/sharing/: the shares of a record (list, share, revoke) for
those who may read / edit it, and the organisation-wide defaults (administrators)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from baton.core.api import Id, InputSchema, IsoDateTime, actor, choice, path_id, responses
from baton.core.models import ShareAccess, SharingMode, Team, User
from baton.core.records import get_record_for_user
from baton.sharing import services

router = Router(tags=["sharing"])

Kind = Literal["account", "contact", "lead", "opportunity"]


class ShareOut(Schema):
    id: int
    record_type: str
    record_id: int
    user_id: int | None
    team_id: int | None
    access: str
    expires_at: dt.datetime | None
    created_by_id: int | None
    created_at: dt.datetime


class ShareIn(InputSchema):
    user_id: Id | None = None
    team_id: Id | None = None
    access: choice(ShareAccess.values) = ShareAccess.READ
    expires_at: IsoDateTime | None = None


class DefaultsOut(Schema):
    account: str
    contact: str
    lead: str
    opportunity: str


class DefaultIn(InputSchema):
    mode: choice(SharingMode.values)


def _admin(request: HttpRequest) -> User:
    user = actor(request)
    if not user.is_admin:
        raise HttpError(403, "Only administrators may do this.")
    return user


@router.get(
    "/{kind}/{id}/shares",
    response=responses({200: list[ShareOut]}),
    summary="The shares of a record (expired ones included, newest first)",
)
def list_shares(request: HttpRequest, kind: Kind, id: int = path_id()):
    record = get_record_for_user(actor(request), kind, id, kinds=services.SHARABLE_KINDS)
    return list(services.shares_of(record)[:200])


@router.post(
    "/{kind}/{id}/shares",
    response=responses({201: ShareOut}),
    summary="Share a record with a user or a team, to read or edit, with an optional expiry",
)
def create_share(request: HttpRequest, kind: Kind, payload: ShareIn, id: int = path_id()):
    user = actor(request)
    record = get_record_for_user(user, kind, id, kinds=services.SHARABLE_KINDS)
    target_user = target_team = None
    if payload.user_id is not None:
        target_user = User.objects.filter(pk=payload.user_id).first()
        if target_user is None:
            raise ValidationError({"user_id": ["No such user."]})
    if payload.team_id is not None:
        target_team = Team.objects.filter(pk=payload.team_id).first()
        if target_team is None:
            raise ValidationError({"team_id": ["No such team."]})
    share = services.share_record(
        record,
        actor=user,
        user=target_user,
        team=target_team,
        access=payload.access,
        expires_at=payload.expires_at,
    )
    return Status(201, share)


@router.delete(
    "/{kind}/{id}/shares/{share_id}",
    response=responses({204: None}),
    summary="Revoke a share of a record",
)
def revoke_share(request: HttpRequest, kind: Kind, id: int = path_id(), share_id: int = path_id()):
    user = actor(request)
    record = get_record_for_user(user, kind, id, kinds=services.SHARABLE_KINDS)
    share = services.shares_of(record).filter(pk=share_id).first()
    if share is None:
        raise HttpError(404, "Not found")
    services.revoke_share(share, record, actor=user)
    return Status(204, None)


@router.get(
    "/defaults",
    response=responses({200: DefaultsOut}),
    summary="The organisation-wide default of each kind of record (administrators)",
)
def get_defaults(request: HttpRequest):
    _admin(request)
    return services.current_defaults()


@router.put(
    "/defaults/{kind}",
    response=responses({200: DefaultsOut}),
    summary="Set the organisation-wide default of one kind of record (administrators)",
)
def put_default(request: HttpRequest, kind: Kind, payload: DefaultIn):
    services.set_default(kind, payload.mode, actor=_admin(request))
    return services.current_defaults()
