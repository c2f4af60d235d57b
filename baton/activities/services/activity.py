"""Writes of activities themselves: create (with "?" questions from minutes), update, complete,
reschedule, ask a colleague (a request), attach files; and their reminders and calendar keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.activities.models import (
    LINK_FIELDS,
    Activity,
    Attachment,
    FeedEntry,
    Notification,
    PersonalKeys,
    Reminder,
    new_token,
)
from baton.activities.services.links import activity_url, check_visible, links_for, require_edit
from baton.activities.services.notifications import add_feed_entry, followers_of_links, notify
from baton.activities.services.questions import parse_questions, record_question
from baton.activities.touches import activity_touch_changed, is_touch
from baton.core import events
from baton.core.audit import log_change
from baton.core.i18n_text import Msg
from baton.core.models import ChangeLog, User
from baton.core.services import create_record, update_record


def max_attachment_bytes() -> int:
    return int(getattr(settings, "BATON_MAX_ATTACHMENT_MB", 25)) * 1024 * 1024


def _validate_times(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    kind = values.get("kind")
    start, end = values.get("start_at"), values.get("end_at")
    for name in ("due_at", "start_at", "end_at"):
        value = values.get(name)
        if value is not None and not isinstance(value, dt.datetime):
            errors[name] = [_("Enter a valid date and time.")]
    if errors:
        raise ValidationError(errors)
    if kind == Activity.Kind.EVENT and start is None:
        errors["start_at"] = [_("An event needs a start time.")]
    if start is not None and end is not None and end < start:
        errors["end_at"] = [_("The end must not be before the start.")]
    if values.get("remind_minutes") is not None and start is None:
        errors["remind_minutes"] = [_("A reminder needs a start time.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_activity(
    *,
    actor: User,
    record: models.Model | None = None,
    assignees: Iterable[User] = (),
    attendees: Iterable[User] = (),
    questions: Iterable[str] = (),
    **values: Any,
) -> Activity:
    """Create an activity linked to ``record`` (a lead, account, contact or opportunity).

    Meeting minutes: every line of ``body``/``decisions``/``next_steps`` starting with "?", and every
    entry of ``questions``, becomes an open question owned by the activity's owner.
    """
    check_visible(actor, record)
    values.setdefault("owner", actor)
    values.setdefault("kind", Activity.Kind.TASK)
    if values["kind"] not in Activity.Kind.values:
        raise ValidationError({"kind": [_("Unknown activity type.")]})
    _validate_times(values)
    if values["kind"] in (Activity.Kind.NOTE, Activity.Kind.MINUTES, Activity.Kind.CALL):
        values.setdefault("status", Activity.Status.DONE)
    if values.get("status") == Activity.Status.DONE:
        values.setdefault("completed_at", timezone.now())
    links = links_for(record)
    activity = create_record(Activity, actor=actor, **values, **links)
    activity_touch_changed(activity, was_touch=False)
    assignee_ids = sorted({u.pk for u in assignees})
    if assignee_ids:
        activity.assignees.set(assignee_ids)
    attendee_ids = sorted({u.pk for u in attendees})
    if attendee_ids:
        activity.attendees_internal.set(attendee_ids)
    if assignee_ids or attendee_ids:
        log_change(
            actor=actor,
            action=ChangeLog.Action.ASSIGN,
            instance=activity,
            after={"assignees": assignee_ids, "attendees_internal": attendee_ids},
        )
    all_questions = list(questions)
    if activity.kind == Activity.Kind.MINUTES:
        for text in (activity.body, activity.decisions, activity.next_steps, activity.agenda):
            all_questions += parse_questions(text)
    for text in dict.fromkeys(q.strip() for q in all_questions if q and q.strip()):
        record_question(activity, actor=actor, question=text)
    if links:
        add_feed_entry(
            FeedEntry.Kind.ACTIVITY, actor=actor, links=links, activity=activity, text=activity.subject
        )
        notify(
            followers_of_links(links),
            kind=Notification.Kind.CHANGE,
            actor=actor,
            text=Msg(
                gettext_noop("%(user)s added %(kind)s “%(subject)s” on %(record)s"),
                user=actor,
                kind=Activity.Kind(activity.kind).label,
                subject=activity.subject,
                record=record,
            ),
            url=activity_url(activity),
            activity=activity,
            skip=assignee_ids,
        )
    if assignee_ids:
        notify(
            assignee_ids,
            kind=Notification.Kind.REQUEST if activity.requested_by_id else Notification.Kind.ASSIGNMENT,
            actor=actor,
            text=Msg(
                gettext_noop("%(user)s assigned you “%(subject)s”"), user=actor, subject=activity.subject
            ),
            url=activity_url(activity),
            activity=activity,
        )
    schedule_reminders(activity)
    events.activity_created.emit(events.ActivityCreated(activity, actor))
    return activity


EDITABLE = {
    "custom_field_data",  # the activity's custom fields (checked by core.services like any record's)
    "subject",
    "body",
    "preparation",
    "location",
    "event_type",
    "direction",
    "status",
    "outcome",
    "due_at",
    "start_at",
    "end_at",
    "remind_minutes",
    "attendees_external",
    "agenda",
    "decisions",
    "next_steps",
}


@transaction.atomic
def update_activity(
    activity: Activity,
    *,
    actor: User,
    changes: dict[str, Any],
    expected_version: int | None = None,
    assignees: Iterable[User] | None = None,
) -> Activity:
    require_edit(actor, activity)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    merged = {
        "kind": activity.kind,
        "start_at": activity.start_at,
        "end_at": activity.end_at,
        "due_at": activity.due_at,
        "remind_minutes": activity.remind_minutes,
        **changes,
    }
    _validate_times(merged)
    if changes.get("status") == Activity.Status.DONE and activity.status != Activity.Status.DONE:
        changes = {**changes, "completed_at": timezone.now()}
    old_questions = set()
    if activity.kind == Activity.Kind.MINUTES:
        old_questions = set(activity.questions.values_list("question", flat=True))
    was_touch = is_touch(activity)
    activity = update_record(activity, actor=actor, changes=changes, expected_version=expected_version)
    activity_touch_changed(activity, was_touch=was_touch)
    if assignees is not None:
        before = sorted(activity.assignees.values_list("pk", flat=True))
        after = sorted({u.pk for u in assignees})
        if before != after:
            activity.assignees.set(after)
            log_change(
                actor=actor,
                action=ChangeLog.Action.ASSIGN,
                instance=activity,
                before={"assignees": before},
                after={"assignees": after},
            )
            notify(
                set(after) - set(before),
                kind=Notification.Kind.ASSIGNMENT,
                actor=actor,
                text=Msg(
                    gettext_noop("%(user)s assigned you “%(subject)s”"), user=actor, subject=activity.subject
                ),
                url=activity_url(activity),
                activity=activity,
            )
    if activity.kind == Activity.Kind.MINUTES:
        new = []
        for text in (activity.body, activity.decisions, activity.next_steps, activity.agenda):
            new += parse_questions(text)
        for text in dict.fromkeys(new):
            if text not in old_questions:
                record_question(activity, actor=actor, question=text)
    schedule_reminders(activity)
    return activity


@transaction.atomic
def complete_activity(
    activity: Activity, *, actor: User, outcome: str = "", expected_version: int | None = None
) -> Activity:
    require_edit(actor, activity)
    if activity.status == Activity.Status.DONE:
        return activity
    activity = update_record(
        activity,
        actor=actor,
        changes={"status": Activity.Status.DONE, "outcome": outcome[:300], "completed_at": timezone.now()},
        expected_version=expected_version,
    )
    activity_touch_changed(activity, was_touch=False)
    links = {name: getattr(activity, name) for name in LINK_FIELDS if getattr(activity, f"{name}_id")}
    if links:
        add_feed_entry(
            FeedEntry.Kind.COMPLETED, actor=actor, links=links, activity=activity, text=activity.subject
        )
    if activity.requested_by_id:
        notify(
            [activity.requested_by_id],
            kind=Notification.Kind.REPLY,
            actor=actor,
            text=Msg(
                gettext_noop("%(user)s completed your request “%(subject)s”"),
                user=actor,
                subject=activity.subject,
            ),
            url=activity_url(activity),
            activity=activity,
        )
    return activity


@transaction.atomic
def reschedule_activity(
    activity: Activity,
    *,
    actor: User,
    start_at: dt.datetime | None = None,
    due_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Activity:
    """Move an event (keeping its length) or a task's due time, e.g. dragged on the calendar."""
    changes: dict[str, Any] = {}
    if start_at is not None:
        if activity.start_at is None:
            raise ValidationError({"start_at": [_("This activity has no start time to move.")]})
        changes["start_at"] = start_at
        if activity.end_at is not None:
            changes["end_at"] = start_at + (activity.end_at - activity.start_at)
    if due_at is not None:
        changes["due_at"] = due_at
    if not changes:
        raise ValidationError({"start_at": [_("Give a new time.")]})
    return update_activity(activity, actor=actor, changes=changes, expected_version=expected_version)


@transaction.atomic
def create_request(
    record: models.Model,
    *,
    actor: User,
    assignee: User,
    subject: str,
    body: str = "",
    due_at: dt.datetime | None = None,
) -> Activity:
    """Ask a colleague for something on a record; it becomes a task on their list and a feed item."""
    if not assignee.is_active:
        raise ValidationError({"assignee": [_("This user is not active.")]})
    if due_at is None:
        raise ValidationError({"due_at": [_("A request needs a due date.")]})
    activity = create_activity(
        actor=actor,
        record=record,
        kind=Activity.Kind.TASK,
        subject=subject,
        body=body,
        due_at=due_at,
        requested_by=actor,
        assignees=[assignee],
    )
    add_feed_entry(
        FeedEntry.Kind.REQUEST,
        actor=actor,
        links=links_for(record),
        activity=activity,
        text=Msg(gettext_noop("Asked %(user)s: %(subject)s"), user=str(assignee), subject=subject),
    )
    return activity


def create_request_for(asking: models.Model, record: models.Model, **request: Any) -> Activity:
    """A lower app's ask (a row with an ``activity`` link, e.g. a deal-team request) becomes the
    assignee's task through ``create_request``; the task is stamped on the asking row in the same
    transaction, so the ask and its task exist together or not at all."""
    with transaction.atomic():
        activity = create_request(record, **request)
        type(asking)._default_manager.filter(pk=asking.pk).update(activity=activity)
        asking.activity = activity  # type: ignore[attr-defined]
    return activity


def _check_file(upload: Any) -> None:
    if upload is None:
        return
    if getattr(upload, "size", 0) > max_attachment_bytes():
        raise ValidationError(
            {
                "attachment": [
                    _("The file is too large (at most %(mb)s MB).")
                    % {"mb": max_attachment_bytes() // 1024 // 1024}
                ]
            }
        )
    if not getattr(upload, "name", ""):
        raise ValidationError({"attachment": [_("The file has no name.")]})


@transaction.atomic
def attach_file(activity: Activity, *, actor: User, upload: Any) -> Attachment:
    """Attach a recording or file; too large or nameless uploads are refused before anything is stored."""
    require_edit(actor, activity)
    _check_file(upload)
    name = upload.name.rsplit("/", 1)[-1][:200]
    attachment = Attachment.objects.create(
        activity=activity, file=upload, name=name, size=upload.size, uploaded_by=actor
    )
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=activity,
        after={"attachment": name, "size": upload.size},
        note="attachment",
    )
    return attachment


def schedule_reminders(activity: Activity) -> None:
    """Keep one unsent "before" reminder per recipient at start − remind_minutes."""
    pending = Reminder.objects.filter(activity=activity, kind=Reminder.Kind.BEFORE, claimed_at__isnull=True)
    if (
        activity.start_at is None
        or activity.remind_minutes is None
        or activity.status != Activity.Status.OPEN
    ):
        pending.delete()
        return
    fire_at = activity.start_at - dt.timedelta(minutes=activity.remind_minutes)
    pending.exclude(fire_at=fire_at).delete()
    people = (activity.owner_id, *activity.assignees.values_list("pk", flat=True))
    recipients = {uid for uid in people if uid is not None}
    Reminder.objects.bulk_create(
        [
            Reminder(activity=activity, recipient_id=uid, kind=Reminder.Kind.BEFORE, fire_at=fire_at)
            for uid in sorted(recipients)
        ],
        ignore_conflicts=True,
    )


def keys_for(user: User) -> PersonalKeys:
    keys, _created = PersonalKeys.objects.get_or_create(user=user)
    return keys


@transaction.atomic
def rotate_calendar_token(user: User) -> PersonalKeys:
    keys = keys_for(user)
    keys.calendar_token = new_token()
    keys.save(update_fields=["calendar_token"])
    log_change(actor=user, action=ChangeLog.Action.TOKEN, instance=keys, after={"calendar_token": "rotated"})
    return keys
