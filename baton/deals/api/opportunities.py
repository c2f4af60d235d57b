# mypy: disable-error-code="valid-type,assignment"
# (Schemas use annotation factories such as Text(120) and PATCH fields default to "absent" (None)
# without admitting null; pydantic understands both, mypy cannot.)
"""Opportunities: list, create, read, update, and the stage move (``services.move_opportunity``)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Status
from pydantic import ConfigDict

from baton.accounts.queries import accounts_for, contacts_for
from baton.core.api import (
    Amount,
    Id,
    InputSchema,
    IsoDate,
    PatchSchema,
    Percent,
    ProtectedOut,
    Ref,
    StageRef,
    Text,
    Version,
    actor,
    assignable_users,
    choice,
    list_page,
    list_query_schema,
    page_schema,
    path_id,
    refuse_protected,
    resolve_refs,
    responses,
)
from baton.core.customfields.api_fields import CustomFieldsIn, readable_values, rename_custom_fields
from baton.core.money import Currency
from baton.deals import services
from baton.deals.api.common import active_lost_reasons, open_stages, router
from baton.deals.models import ForecastCategory
from baton.deals.queries import OPPORTUNITY_LIST, get_opportunity_for_user, opportunities_for


def _opportunity_refs(user):
    return {
        "owner_id": ("owner", lambda: assignable_users(user), "Not a user you can assign records to."),
        "account_id": ("account", lambda: accounts_for(user).filter(is_archived=False), "No such account."),
        "primary_contact_id": ("primary_contact", lambda: contacts_for(user), "No such contact."),
        "stage_id": ("stage", open_stages, "No such stage."),
        "lost_reason_id": ("lost_reason", active_lost_reasons, "No such lost reason."),
    }


def _opportunity_qs(user) -> QuerySet:
    return opportunities_for(user).select_related("primary_contact", "lost_reason")


class OpportunityOut(ProtectedOut):
    protected_model = "deals.opportunity"

    id: int
    name: str
    account: Ref
    primary_contact: Ref | None
    pipeline_id: int
    stage: StageRef
    amount: Decimal
    currency: str
    expected_close_date: dt.date | None
    probability: int
    forecast_category: choice(ForecastCategory.values)
    next_step: str
    description: str
    lost_reason: Ref | None
    lost_note: str
    stage_changed_at: dt.datetime | None
    closed_at: dt.datetime | None
    owner: Ref | None
    team_id: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    custom_fields: dict[str, Any] = Field(description="Custom field values you may read, by key.")

    @staticmethod
    def resolve_custom_fields(obj: Any, context: Any) -> dict[str, Any]:
        return readable_values(context["request"], obj)


class OpportunityIn(InputSchema):
    """Without `stage_id` the deal starts in the default pipeline's first open stage; probability and
    forecast category follow the stage (PATCH them afterwards to override)."""

    name: Text(200, required=True)
    account_id: Id
    primary_contact_id: Id | None = None
    stage_id: Id | None = None
    amount: Amount() = Decimal(0)
    currency: choice(Currency.values) = Currency.KRW.value
    expected_close_date: IsoDate | None = None
    next_step: Text(300) = ""
    description: Text(20_000) = ""
    lost_reason_id: Id | None = None
    lost_note: Text(300) = ""
    owner_id: Id | None = None
    custom_fields: CustomFieldsIn | None = None


class OpportunityPatch(PatchSchema):
    """Change the stage with POST /opportunities/{id}/move, not here."""

    version: Version
    name: Text(200, required=True) = None
    account_id: Id = None
    primary_contact_id: Id | None = None
    amount: Amount() = None
    currency: choice(Currency.values) = None
    expected_close_date: IsoDate | None = None
    probability: Percent = None
    forecast_category: choice(ForecastCategory.values) = None
    next_step: Text(300) = None
    description: Text(20_000) = None
    lost_note: Text(300) = None
    owner_id: Id = None
    custom_fields: CustomFieldsIn | None = None


OpportunityQuery = list_query_schema("OpportunityQuery", OPPORTUNITY_LIST)
OpportunityPage = page_schema("OpportunityPage", OpportunityOut)


@router.get(
    "/opportunities",
    response=responses({200: OpportunityPage}),
    tags=["opportunities"],
    summary="List opportunities",
)
def list_opportunities(request: HttpRequest, query: Query[OpportunityQuery]):
    return list_page(request, _opportunity_qs(actor(request)), OPPORTUNITY_LIST, query)


@router.post(
    "/opportunities",
    response=responses({201: OpportunityOut}),
    tags=["opportunities"],
    summary="Create an opportunity",
)
def create_opportunity(request: HttpRequest, payload: OpportunityIn):
    data = rename_custom_fields(payload.model_dump(exclude_unset=True))
    refuse_protected(request, "deals.opportunity", data)
    values = resolve_refs(data, _opportunity_refs(actor(request)))
    if values.get("stage") is None:
        values.pop("stage", None)
    opportunity = services.create_opportunity(actor=actor(request), **values)
    return Status(201, get_opportunity_for_user(actor(request), opportunity.pk))


@router.get(
    "/opportunities/{id}",
    response=responses({200: OpportunityOut}),
    tags=["opportunities"],
    summary="An opportunity",
)
def get_opportunity(request: HttpRequest, id: int = path_id()):
    return get_opportunity_for_user(actor(request), id)


@router.patch(
    "/opportunities/{id}",
    response=responses({200: OpportunityOut}),
    tags=["opportunities"],
    summary="Update an opportunity",
)
def update_opportunity(request: HttpRequest, payload: OpportunityPatch, id: int = path_id()):
    """Send only the fields to change and the `version` you last read; a stale version is a 409."""
    opportunity = get_opportunity_for_user(actor(request), id)
    data = payload.model_dump(exclude_unset=True)
    refuse_protected(request, "deals.opportunity", data)
    version = data.pop("version")
    changes = resolve_refs(rename_custom_fields(data), _opportunity_refs(actor(request)))
    services.update_opportunity(opportunity, actor=actor(request), changes=changes, expected_version=version)
    return get_opportunity_for_user(actor(request), id)


class OpportunityMoveIn(InputSchema):
    """Lost and no-decision stages need a `lost_reason_id`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"stage_id": 3, "version": 4, "note": "Asked for a quote after the demo"},
                {"stage_id": 6, "version": 9, "lost_reason_id": 2},
            ]
        },
    )

    stage_id: Id
    version: Version
    lost_reason_id: Id | None = None
    note: Text(300) = ""


@router.post(
    "/opportunities/{id}/move",
    response=responses({200: OpportunityOut}),
    tags=["opportunities"],
    summary="Move an opportunity to another stage",
)
def move_opportunity(request: HttpRequest, payload: OpportunityMoveIn, id: int = path_id()):
    """The board's drag and drop: audited as a `move`. Stages may be skipped; the stage must be in the
    deal's pipeline."""
    opportunity = get_opportunity_for_user(actor(request), id)
    refs = resolve_refs(
        {"stage_id": payload.stage_id, "lost_reason_id": payload.lost_reason_id},
        {
            "stage_id": ("stage", open_stages, "No such stage."),
            "lost_reason_id": ("lost_reason", active_lost_reasons, "No such lost reason."),
        },
    )
    services.move_opportunity(
        opportunity,
        actor=actor(request),
        stage=refs["stage"],
        expected_version=payload.version,
        lost_reason=refs["lost_reason"],
        note=payload.note,
    )
    return get_opportunity_for_user(actor(request), id)
