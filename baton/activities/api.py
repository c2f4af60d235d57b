# mypy: disable-error-code="valid-type,assignment"
"""REST endpoints of the activities app, mounted under /api/v1/ by baton/api.py: activities on
records, completing them, comments on a record's feed, and the caller's notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from baton.activities import queries, services
from baton.activities.models import Activity, Notification, visible_records
from baton.core.api import (
    Id,
    InputSchema,
    IsoDateTime,
    Text,
    actor,
    list_page,
    list_query_schema,
    page_schema,
    path_id,
    responses,
)
from baton.core.customfields.api_fields import CustomFieldsIn, readable_values, rename_custom_fields
from baton.core.listing import ListSpec
from baton.core.models import User

router = Router()

RecordType = Literal["lead", "account", "contact", "opportunity"]

ACTIVITY_LIST = ListSpec(
    search_fields=["subject__icontains"],
    filters={
        "kind": ("kind", Activity.Kind.values),
        "status": ("status", Activity.Status.values),
        "owner": ("owner_id", int),
        "lead": ("lead_id", int),
        "account": ("account_id", int),
        "contact": ("contact_id", int),
        "opportunity": ("opportunity_id", int),
    },
    orderings={"created": "created_at", "updated": "updated_at"},
    default_ordering="-created",
)


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    status: str
    outcome: str
    due_at: dt.datetime | None
    start_at: dt.datetime | None
    end_at: dt.datetime | None
    owner_id: int | None
    lead_id: int | None
    account_id: int | None
    contact_id: int | None
    opportunity_id: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    custom_fields: dict[str, Any] = Field(description="Custom field values you may read, by key.")

    @staticmethod
    def resolve_custom_fields(obj: Any, context: Any) -> dict[str, Any]:
        return readable_values(context["request"], obj)


class ActivityIn(InputSchema):
    kind: Literal[tuple(Activity.Kind.values)] = "task"
    subject: Text(200, required=True)
    body: Text(100_000) = ""
    record_type: RecordType | None = None
    record_id: Id | None = None
    due_at: IsoDateTime | None = None
    start_at: IsoDateTime | None = None
    end_at: IsoDateTime | None = None
    location: Text(200) = ""
    remind_minutes: int | None = Field(None, ge=0, le=60 * 24 * 14)
    assignee_ids: list[Id] = Field(default_factory=list, max_length=50)
    custom_fields: CustomFieldsIn | None = None


class CompleteIn(InputSchema):
    outcome: Text(300) = ""


class CommentIn(InputSchema):
    text: Text(10_000, required=True)


class CommentOut(Schema):
    id: int
    text: str
    created_at: dt.datetime


class NotificationOut(Schema):
    id: int
    kind: str
    text: str = Field(description="In the caller's current language (translated when read).")
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_text(obj: Notification) -> str:
        return obj.display_text


class ReadIn(InputSchema):
    ids: list[Id] | None = Field(None, max_length=500, description="Omit to mark everything read.")


class ReadOut(Schema):
    marked: int


ActivityPage = page_schema("ActivityPage", ActivityOut)
ActivityQuery = list_query_schema("ActivityQuery", ACTIVITY_LIST)


@router.get(
    "/activities", response=responses({200: ActivityPage}), tags=["activities"], summary="List activities"
)
def list_activities(request: HttpRequest, query: Query[ActivityQuery]):
    """Activities the caller may see: their own, assigned to them, their teams', or on visible records."""
    return list_page(request, queries.activities_for(actor(request)), ACTIVITY_LIST, query)


@router.post(
    "/activities", response=responses({201: ActivityOut}), tags=["activities"], summary="Create an activity"
)
def create_activity(request: HttpRequest, payload: ActivityIn):
    user = actor(request)
    data = rename_custom_fields(payload.model_dump(exclude_none=False))
    if data.get("custom_field_data") is None:
        data.pop("custom_field_data", None)
    record = None
    record_type, record_id = data.pop("record_type"), data.pop("record_id")
    if (record_type is None) != (record_id is None):
        raise ValidationError({"record_id": ["Give both record_type and record_id, or neither."]})
    if record_type is not None:
        model = queries.record_models()[record_type]
        record = visible_records(model, user).filter(pk=record_id).first()
        if record is None:
            raise ValidationError({"record_id": ["Unknown record."]})
    ids = sorted(set(data.pop("assignee_ids")))
    assignees = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(assignees) != len(ids):
        raise ValidationError({"assignee_ids": ["Unknown user."]})
    activity = services.create_activity(actor=user, record=record, assignees=assignees, **data)
    return Status(201, activity)


@router.get(
    "/activities/{id}", response=responses({200: ActivityOut}), tags=["activities"], summary="An activity"
)
def get_activity(request: HttpRequest, id: int = path_id()):
    return queries.get_activity_for_user(actor(request), id)


@router.post(
    "/activities/{id}/complete",
    response=responses({200: ActivityOut}),
    tags=["activities"],
    summary="Mark done",
)
def complete_activity(request: HttpRequest, payload: CompleteIn, id: int = path_id()):
    activity = queries.get_activity_for_user(actor(request), id)
    try:
        return services.complete_activity(activity, actor=actor(request), outcome=payload.outcome)
    except PermissionDenied:
        raise Http404("Not found") from None


@router.post(
    "/records/{record_type}/{id}/comments",
    response=responses({201: CommentOut}),
    tags=["activities"],
    summary="Comment on a record's feed (@username mentions notify)",
)
def post_comment(request: HttpRequest, record_type: RecordType, payload: CommentIn, id: int = path_id()):
    record = queries.get_record_for_user(actor(request), record_type, id)
    return Status(201, services.post_comment(record, actor=actor(request), text=payload.text))


@router.get(
    "/notifications",
    response=responses({200: list[NotificationOut]}),
    tags=["activities"],
    summary="My notifications",
)
def list_notifications(request: HttpRequest, unread: bool = False, limit: int = Query(50, ge=1, le=200)):
    qs = queries.notifications_for(actor(request))
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return list(qs[:limit])


@router.post(
    "/notifications/read",
    response=responses({200: ReadOut}),
    tags=["activities"],
    summary="Mark notifications read",
)
def read_notifications(request: HttpRequest, payload: ReadIn):
    return {"marked": services.mark_read(actor(request), payload.ids)}
