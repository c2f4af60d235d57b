# mypy: disable-error-code="valid-type"
"""REST endpoints of integrations, mounted under /api/v1/integrations/ (administrators only): webhook
endpoints, their deliveries, redelivery."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from baton.core.api import InputSchema, Text, actor, choice, path_id, responses
from baton.integrations import bulk, webhooks
from baton.integrations.models import SUBSCRIBABLE, Delivery, Endpoint

router = Router()


class EndpointOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    is_active: bool
    secret: str
    created_at: dt.datetime


class EndpointIn(InputSchema):
    name: Text(120, required=True)
    url: Text(500, required=True)
    events: list[choice(SUBSCRIBABLE)] = Field(..., min_length=1, max_length=len(SUBSCRIBABLE))
    is_active: bool = True


class EndpointPatch(InputSchema):
    name: Text(120) | None = None
    url: Text(500) | None = None
    events: list[choice(SUBSCRIBABLE)] | None = Field(None, max_length=len(SUBSCRIBABLE))
    is_active: bool | None = None


class DeliveryOut(Schema):
    id: int
    uid: str
    endpoint_id: int
    event: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    payload: dict[str, Any]

    @staticmethod
    def resolve_uid(obj: Any) -> str:
        return str(obj.uid)


class DeliveriesQuery(Schema):
    status: str = Field("", pattern="^(|pending|sending|delivered|parked)$")
    offset: int = Field(0, ge=0, le=10**9)
    limit: int = Field(100, ge=1, le=500)


def _endpoint(request: HttpRequest, id: int) -> Endpoint:
    webhooks.require_admin(actor(request))
    return get_object_or_404(Endpoint, pk=id)


@router.get(
    "/webhooks", response=responses({200: list[EndpointOut]}), tags=["integrations"], summary="Webhooks"
)
def list_endpoints(request: HttpRequest):
    webhooks.require_admin(actor(request))
    return list(Endpoint.objects.all()[:200])


@router.post(
    "/webhooks", response=responses({201: EndpointOut}), tags=["integrations"], summary="Add a webhook"
)
def create_endpoint(request: HttpRequest, payload: EndpointIn):
    """The answer holds the signing secret (also on the endpoint's page)."""
    saved = webhooks.save_endpoint(None, actor=actor(request), values=payload.model_dump())
    return Status(201, saved)


@router.patch(
    "/webhooks/{id}", response=responses({200: EndpointOut}), tags=["integrations"], summary="Edit a webhook"
)
def update_endpoint(request: HttpRequest, payload: EndpointPatch, id: int = path_id()):
    endpoint = _endpoint(request, id)
    values = {k: v for k, v in payload.model_dump().items() if v is not None}
    return webhooks.save_endpoint(endpoint, actor=actor(request), values=values)


@router.post(
    "/webhooks/{id}/rotate-secret",
    response=responses({200: EndpointOut}),
    tags=["integrations"],
    summary="Make a new signing secret",
)
def rotate_secret(request: HttpRequest, id: int = path_id()):
    return webhooks.rotate_secret(_endpoint(request, id), actor=actor(request))


@router.get(
    "/webhooks/{id}/deliveries",
    response=responses({200: list[DeliveryOut]}),
    tags=["integrations"],
    summary="A webhook's delivery log",
)
def deliveries(request: HttpRequest, query: Query[DeliveriesQuery], id: int = path_id()):
    qs = _endpoint(request, id).deliveries.order_by("-id")
    if query.status:
        qs = qs.filter(status=query.status)
    return list(qs[query.offset : query.offset + query.limit])


@router.post(
    "/deliveries/{id}/redeliver",
    response=responses({202: DeliveryOut}),
    tags=["integrations"],
    summary="Send a delivery again",
)
def redeliver(request: HttpRequest, id: int = path_id()):
    user = actor(request)
    webhooks.require_admin(user)
    return Status(202, webhooks.redeliver(get_object_or_404(Delivery, pk=id), actor=user))


# --- bulk writes ----------------------------------------------------------------------------------


class BulkIn(InputSchema):
    source: Text(60) = Field("", description="The source system of the items' `external_id`s.")
    items: list[Any] = Field(..., min_length=1, max_length=bulk.MAX_ITEMS)


class BulkItemOut(Schema):
    index: int
    status: str = Field(..., description="created | updated | error")
    id: int | None = None
    external_id: str | None = None
    errors: dict[str, list[str]] = {}


class BulkOut(Schema):
    created: int
    updated: int
    failed: int
    results: list[BulkItemOut]


@router.post(
    "/bulk/{kind}",
    response=responses({200: BulkOut}),
    tags=["integrations"],
    summary="Create or update many records",
)
def bulk_write(request: HttpRequest, payload: BulkIn, kind: choice(list(bulk.KINDS))):
    """Up to 500 leads, accounts, contacts or activities (`kind`), each item the body of the single create
    (or, with `id` or a known `external_id`, of the update; `version` optional). Each item is written
    whole or not at all; `results` says per item what happened, in the items' order."""
    results = bulk.run(request, kind, payload.source, payload.items)
    count = {s: sum(1 for r in results if r["status"] == s) for s in ("created", "updated", "error")}
    return {
        "created": count["created"],
        "updated": count["updated"],
        "failed": count["error"],
        "results": results,
    }


# The web-form operations live in their own module and attach to this router.
from baton.integrations import api_forms  # noqa: E402,F401
