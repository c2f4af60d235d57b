"""Permission-aware reads of activities, questions, feeds and notifications."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from baton.activities.models import (
    LINK_FIELDS,
    Activity,
    FeedEntry,
    Follow,
    Notification,
    OpenQuestion,
    linked_visibility,
    visible_records,
)
from baton.core import records
from baton.core.audit import attach_readable_changes
from baton.core.models import ChangeLog, User
from baton.core.records import get_for_user, record_model


def record_models() -> dict[str, type[models.Model]]:
    """The four kinds of customer record activities link to (registered in ``core.records``)."""
    return {name: record_model(name) for name in LINK_FIELDS}


def get_record_for_user(user: User, kind: str, pk: Any) -> models.Model:
    """A lead/account/contact/opportunity the user may see, or 404."""
    return records.get_record_for_user(user, kind, pk, kinds=LINK_FIELDS)


def activities_for(user: User) -> QuerySet[Activity]:
    return Activity.objects.visible_to(user).select_related(
        "owner", "account", "contact", "opportunity", "lead"
    )


def get_activity_for_user(user: User, pk: Any) -> Activity:
    return get_for_user(activities_for(user), user, pk)


def record_activities(record: models.Model, *, user: User) -> QuerySet[Activity]:
    """Activities shown on a record that the reader may see (a deal's notes show on its account's
    page only to those who may open the deal)."""
    name = str(record._meta.model_name)
    return (
        Activity.objects.visible_to(user)
        .filter(**{name: record})
        .select_related("owner", "account", "contact", "opportunity", "lead")
        .order_by("-created_at", "-id")
    )


def record_open_questions(record: models.Model, *, user: User) -> QuerySet[OpenQuestion]:
    name = str(record._meta.model_name)
    return (
        OpenQuestion.objects.filter(**{name: record}, status=OpenQuestion.Status.OPEN)
        .filter(Q(activity__isnull=True) | Q(activity__in=Activity.objects.visible_to(user).values("id")))
        .select_related("owner", "activity")
        .order_by("created_at", "id")
    )


def questions_for(user: User) -> QuerySet[OpenQuestion]:
    """Open "?" items the user follows up, on activities they may still see."""
    return (
        OpenQuestion.objects.filter(owner=user, status=OpenQuestion.Status.OPEN)
        .filter(Q(activity__isnull=True) | Q(activity__in=Activity.objects.visible_to(user).values("id")))
        .select_related("activity", "account", "opportunity", "contact", "lead")
        .order_by("due_on", "created_at", "id")
    )


def get_question_for_user(user: User, pk: Any) -> OpenQuestion:
    qs = OpenQuestion.objects.select_related("activity").filter(
        Q(owner=user) | Q(activity__in=Activity.objects.visible_to(user).values("id"))
    )
    try:
        return qs.get(pk=int(pk))
    except (ValueError, TypeError, OpenQuestion.DoesNotExist):
        raise Http404("Not found") from None


def my_tasks(user: User) -> QuerySet[Activity]:
    """Open tasks I own or am assigned to (requests from colleagues included)."""
    return (
        Activity.objects.filter(status=Activity.Status.OPEN, kind=Activity.Kind.TASK)
        .filter(Q(owner=user) | Q(assignees=user))
        .distinct()
        .select_related("owner", "account", "contact", "opportunity", "lead", "requested_by")
        .order_by(models.F("due_at").asc(nulls_last=True), "id")
    )


def calendar_events(users: list[int], start: dt.datetime, end: dt.datetime) -> QuerySet[Activity]:
    """Events and timed tasks of these users (owned or assigned) between start and end."""
    return (
        Activity.objects.filter(Q(owner_id__in=users) | Q(assignees__in=users))
        .exclude(status=Activity.Status.CANCELLED)
        .filter(
            Q(start_at__gte=start, start_at__lt=end)
            | Q(start_at__isnull=True, due_at__gte=start, due_at__lt=end)
        )
        .distinct()
        .select_related("owner", "account", "contact", "opportunity", "lead")
        .order_by(Coalesce("start_at", "due_at"), "id")
    )


@dataclass
class FeedItem:
    time: dt.datetime
    kind: str
    actor: Any
    entry: FeedEntry | None = None
    change: ChangeLog | None = None
    record_kind: str = ""
    record_id: int | None = None
    record_label: str = ""


def record_feed(
    record: models.Model, *, user: User, before: dt.datetime | None = None, limit: int = 20
) -> tuple[list[FeedItem], dt.datetime | None]:
    """Newest-first feed of a record: its feed entries the reader may see (an entry is visible when
    its own record is) merged with its change log (field and stage changes). Keyset-paginated by
    time: pass the returned cursor as ``before`` for the next page."""
    name = str(record._meta.model_name)
    entries = (
        FeedEntry.objects.filter(**{name: record})
        .filter(linked_visibility(user))
        .select_related("actor", "activity")
    )
    ct = ContentType.objects.get_for_model(record, for_concrete_model=True)
    changes = ChangeLog.objects.filter(content_type=ct, object_id=record.pk).select_related("actor")
    if before is not None:
        entries = entries.filter(created_at__lt=before)
        changes = changes.filter(time__lt=before)
    items = [
        FeedItem(e.created_at, e.kind, e.actor, entry=e)
        for e in entries.order_by("-created_at", "-id")[: limit + 1]
    ]
    items += [
        FeedItem(c.time, "change", c.actor, change=c)
        for c in attach_readable_changes(
            changes.exclude(note__in=["follow", "unfollow"]).order_by("-time", "-id")[: limit + 1],
            viewer=user,
        )
    ]
    items.sort(key=lambda i: i.time, reverse=True)
    page = items[:limit]
    cursor = page[-1].time if len(items) > limit else None
    return page, cursor


def followed_q(user: User) -> Q:
    """Feed rows whose record the user follows (explicitly, or as the owner without opting out)."""
    cond = Q()
    models_by_link = record_models()
    for name in LINK_FIELDS:
        follows = Follow.objects.filter(user=user, **{f"{name}__isnull": False})
        followed = follows.filter(active=True).values(f"{name}_id")
        opted_out = follows.filter(active=False).values(f"{name}_id")
        owned = (
            models_by_link[name]._default_manager.filter(owner=user).exclude(pk__in=opted_out).values("id")
        )
        cond |= Q(**{f"{name}_id__in": followed}) | Q(**{f"{name}_id__in": owned})
    return cond


def my_feed(user: User, *, before: dt.datetime | None = None, limit: int = 30) -> QuerySet[FeedEntry]:
    qs = FeedEntry.objects.filter(followed_q(user)).filter(linked_visibility(user))
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    return qs.select_related("actor", "activity", "account", "contact", "opportunity", "lead").order_by(
        "-created_at", "-id"
    )[:limit]


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's notifications, without those about an activity they may no longer see."""
    return (
        Notification.objects.filter(recipient=user)
        .filter(Q(activity__isnull=True) | Q(activity__in=Activity.objects.visible_to(user).values("id")))
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def followed_records_q(user: User) -> Q:
    """ChangeLog rows about the leads, accounts, contacts and opportunities the user follows and
    may still see (explicit follows, plus owned records the owner did not unfollow)."""
    cond = Q(pk__in=[])
    for name, model in record_models().items():
        follows = Follow.objects.filter(user=user, **{f"{name}__isnull": False})
        followed = follows.filter(active=True).values(f"{name}_id")
        opted_out = follows.filter(active=False).values(f"{name}_id")
        ids = (
            visible_records(model, user)
            .filter(Q(pk__in=followed) | Q(owner=user))
            .exclude(pk__in=opted_out)
            .values("id")
        )
        ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
        cond |= Q(content_type=ct, object_id__in=ids)
    return cond


def my_feed_items(
    user: User, *, before: dt.datetime | None = None, limit: int = 30
) -> tuple[list[FeedItem], dt.datetime | None]:
    """ "My feed": feed entries and tracked changes (stage moves, field changes, conversions) of the
    records I follow, merged newest first; two bounded queries per page, keyset-paginated by time."""
    entries = list(my_feed(user, before=before, limit=limit + 1))
    changes = ChangeLog.objects.filter(followed_records_q(user)).exclude(note__in=["follow", "unfollow"])
    if before is not None:
        changes = changes.filter(time__lt=before)
    changes = changes.select_related("actor", "content_type").order_by("-time", "-id")[: limit + 1]
    items = [FeedItem(e.created_at, e.kind, e.actor, entry=e) for e in entries]
    items += [
        FeedItem(
            c.time,
            "change",
            c.actor,
            change=c,
            record_kind=c.content_type.model,
            record_id=c.object_id,
            record_label=c.object_repr,
        )
        for c in attach_readable_changes(changes, viewer=user)
    ]
    items.sort(key=lambda i: i.time, reverse=True)
    page = items[:limit]
    cursor = page[-1].time if len(items) > limit else None
    return page, cursor
