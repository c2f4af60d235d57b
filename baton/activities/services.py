"""Every write of the activities app: activities, "?" questions, comments, follows, notifications,
requests. Mail lives in ``mail.py`` and reminders in ``reminders.py``; both call into this module.

Each function runs in one transaction and writes its audit row explicitly; a refused write raises
``ValidationError`` (bad input), ``PermissionDenied`` (not allowed) or ``ServiceError`` and leaves
nothing behind.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.activities.models import (
    LINK_FIELDS,
    Activity,
    Attachment,
    FeedEntry,
    Follow,
    Notification,
    OpenQuestion,
    PersonalKeys,
    Reminder,
)
from baton.core.audit import log_change
from baton.core.i18n_text import Msg
from baton.core.models import ChangeLog, User
from baton.core.records import can_edit, readers_among, record_url
from baton.core.services import ConflictError, create_record, update_record  # noqa: F401 - re-exported

COMMENT_TAGS = {"a", "b", "strong", "i", "em", "p", "br", "ul", "ol", "li", "code", "pre", "blockquote"}
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_.+\-]{2,150})")
QUESTION_RE = re.compile(r"^\s*\?\s*(.+?)\s*$")


def max_attachment_bytes() -> int:
    return int(getattr(settings, "BATON_MAX_ATTACHMENT_MB", 25)) * 1024 * 1024


# --- links -----------------------------------------------------------------------------------------


def record_link_name(record: models.Model) -> str:
    name = record._meta.model_name
    if name not in LINK_FIELDS:
        raise ValueError(f"not a linkable record: {record!r}")
    return name


def links_for(record: models.Model | None) -> dict[str, Any]:
    """The link columns for a record; contacts and opportunities also link their account, so that
    everything shows on the account's 360° page too."""
    if record is None:
        return {}
    name = record_link_name(record)
    links: dict[str, Any] = {name: record}
    if name in ("contact", "opportunity") and getattr(record, "account_id", None):
        links["account"] = record.account
    return links


def check_visible(actor: User, record: models.Model | None, field: str = "record") -> None:
    """Refuse links to records the actor cannot see, with the same message as for unknown ones."""
    if record is None:
        return
    if not type(record).objects.visible_to(actor).filter(pk=record.pk).exists():
        raise ValidationError({field: [_("Unknown record.")]})


def can_edit_activity(user: User, activity: Activity) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_admin or activity.owner_id == user.pk or activity.requested_by_id == user.pk:
        return True
    if activity.assignees.filter(pk=user.pk).exists():
        return True
    if can_edit(user, activity):
        return True
    record = activity.record
    return record is not None and can_edit(user, record)


def _require_edit(user: User, activity: Activity) -> None:
    if not can_edit_activity(user, activity):
        raise PermissionDenied(_("You may not change this activity."))


# --- followers and notifications -------------------------------------------------------------------


def followers_of(record: models.Model) -> set[int]:
    """Users following a record who may still read it: explicit follows plus the owner unless they
    unfollowed. Someone who lost access to the record is no longer told about it."""
    return readers_among(record, _declared_followers(record))


def _declared_followers(record: models.Model) -> set[int]:
    name = record_link_name(record)
    rows = Follow.objects.filter(**{name: record}).values_list("user_id", "active")
    ids = {uid for uid, active in rows if active}
    opted_out = {uid for uid, active in rows if not active}
    if record.owner_id and record.owner_id not in opted_out:
        ids.add(record.owner_id)
    return ids


def is_following(user: User, record: models.Model) -> bool:
    """For a reader of the record (the caller checked they may see it)."""
    return user.pk in _declared_followers(record)


@transaction.atomic
def set_following(record: models.Model, *, user: User, follow: bool) -> None:
    check_visible(user, record)
    name = record_link_name(record)
    Follow.objects.update_or_create(user=user, **{name: record}, defaults={"active": follow})
    log_change(
        actor=user,
        action=ChangeLog.Action.UPDATE,
        instance=record,
        after={"following": follow},
        note="follow" if follow else "unfollow",
    )


def notify(
    recipients: Iterable[int],
    *,
    kind: str,
    text: str | Msg,
    actor: User | None = None,
    url: str = "",
    activity: Activity | None = None,
    skip: Iterable[int] = (),
) -> list[Notification]:
    """Queue in-app notifications (never to the actor themself). A ``Msg`` is stored as its code and
    parameters too, so each reader sees it in their current language."""
    message = text.as_json() if isinstance(text, Msg) else {}
    text = str(text)
    skip_ids = set(skip)
    if actor is not None:
        skip_ids.add(actor.pk)
    rows = [
        Notification(
            recipient_id=uid,
            actor=actor,
            kind=kind,
            text=text[:300],
            message=message,
            url=url[:300],
            activity=activity,
        )
        for uid in sorted(set(recipients) - skip_ids)
    ]
    return Notification.objects.bulk_create(rows)


@transaction.atomic
def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def activity_url(activity: Activity) -> str:
    from django.urls import reverse

    return reverse("activities:detail", args=[activity.pk])


def _followers_of_links(links: dict[str, Any]) -> set[int]:
    """Followers of any linked record who may read the entry's own record (the first link: the deal
    or contact an account-linked entry is about), so an account's followers are not told of a deal
    they cannot open."""
    if not links:
        return set()
    ids: set[int] = set()
    for record in links.values():
        ids |= _declared_followers(record)
    return readers_among(next(iter(links.values())), ids)


def _feed(kind: str, *, actor: User | None, links: dict[str, Any], text: str = "", **extra: Any) -> FeedEntry:
    return FeedEntry.objects.create(kind=kind, actor=actor, text=text, **links, **extra)


# --- activities ------------------------------------------------------------------------------------


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


def parse_questions(text: str) -> list[str]:
    """Lines of minutes that start with "?" are unknowns to follow up."""
    found = []
    for line in (text or "").splitlines():
        match = QUESTION_RE.match(line)
        if match and match.group(1).strip("? "):
            found.append(match.group(1)[:500])
    return found


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
        _add_question(activity, actor=actor, question=text)
    if links:
        _feed(FeedEntry.Kind.ACTIVITY, actor=actor, links=links, activity=activity, text=activity.subject)
        notify(
            _followers_of_links(links),
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
    return activity


EDITABLE = {
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
    _require_edit(actor, activity)
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
    activity = update_record(activity, actor=actor, changes=changes, expected_version=expected_version)
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
                _add_question(activity, actor=actor, question=text)
    schedule_reminders(activity)
    return activity


@transaction.atomic
def complete_activity(
    activity: Activity, *, actor: User, outcome: str = "", expected_version: int | None = None
) -> Activity:
    _require_edit(actor, activity)
    if activity.status == Activity.Status.DONE:
        return activity
    activity = update_record(
        activity,
        actor=actor,
        changes={"status": Activity.Status.DONE, "outcome": outcome[:300], "completed_at": timezone.now()},
        expected_version=expected_version,
    )
    links = {name: getattr(activity, name) for name in LINK_FIELDS if getattr(activity, f"{name}_id")}
    if links:
        _feed(FeedEntry.Kind.COMPLETED, actor=actor, links=links, activity=activity, text=activity.subject)
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
    _feed(
        FeedEntry.Kind.REQUEST,
        actor=actor,
        links=links_for(record),
        activity=activity,
        text=_("Asked %(user)s: %(subject)s") % {"user": assignee, "subject": subject},
    )
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
    _require_edit(actor, activity)
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


# --- open questions --------------------------------------------------------------------------------


def _add_question(activity: Activity, *, actor: User, question: str) -> OpenQuestion:
    links = {name: getattr(activity, f"{name}_id") for name in LINK_FIELDS}
    q = OpenQuestion(
        activity=activity,
        question=question[:500],
        owner_id=activity.owner_id or actor.pk,
        **{f"{name}_id": value for name, value in links.items()},
    )
    q.full_clean(exclude=["activity", "owner", *LINK_FIELDS])
    q.save()
    log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=q, after={"question": q.question})
    return q


@transaction.atomic
def add_question(activity: Activity, *, actor: User, question: str) -> OpenQuestion:
    _require_edit(actor, activity)
    question = (question or "").strip().lstrip("?").strip()
    if not question:
        raise ValidationError({"question": [_("Write the question.")]})
    q = _add_question(activity, actor=actor, question=question)
    links = {name: getattr(activity, name) for name in LINK_FIELDS if getattr(activity, f"{name}_id")}
    if links:
        _feed(FeedEntry.Kind.QUESTION, actor=actor, links=links, activity=activity, text=q.question)
    return q


@transaction.atomic
def answer_question(question: OpenQuestion, *, actor: User, answer: str) -> OpenQuestion:
    if question.activity is not None:
        _require_edit(actor, question.activity)
    elif question.owner_id != actor.pk and not actor.is_admin:
        raise PermissionDenied(_("You may not answer this question."))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [_("Write the answer.")]})
    if question.status == OpenQuestion.Status.ANSWERED:
        raise ValidationError({"answer": [_("This question was already answered.")]})
    updated = OpenQuestion.objects.filter(pk=question.pk, status=OpenQuestion.Status.OPEN).update(
        status=OpenQuestion.Status.ANSWERED, answer=answer, answered_by=actor, answered_at=timezone.now()
    )
    if not updated:  # someone answered it between load and save
        raise ValidationError({"answer": [_("This question was already answered.")]})
    question.refresh_from_db()
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=question,
        before={"status": OpenQuestion.Status.OPEN},
        after={"status": question.status, "answer": answer},
    )
    links = {name: getattr(question, name) for name in LINK_FIELDS if getattr(question, f"{name}_id")}
    if links:
        _feed(
            FeedEntry.Kind.ANSWER,
            actor=actor,
            links=links,
            activity=question.activity,
            text=f"? {question.question} → {answer}",
        )
    notify(
        [question.owner_id],
        kind=Notification.Kind.ANSWER,
        actor=actor,
        text=Msg(gettext_noop("%(user)s answered “%(question)s”"), user=actor, question=question.question),
        url=activity_url(question.activity) if question.activity else "",
        activity=question.activity,
    )
    return question


# --- comments and mentions -------------------------------------------------------------------------


def sanitize_comment(text: str) -> str:
    """Keep simple formatting, drop scripts, handlers and styles; plain text keeps its line breaks."""
    cleaned = nh3.clean(text, tags=COMMENT_TAGS, attributes={"a": {"href"}}, link_rel="noopener noreferrer")
    return cleaned.replace("\r\n", "\n").replace("\n", "<br>")


def mentioned_users(text: str) -> list[User]:
    names = sorted({m.lower().rstrip(".") for m in MENTION_RE.findall(text or "")})[:20]
    if not names:
        return []
    cond = models.Q()
    for name in names:
        cond |= models.Q(username__iexact=name)
    return list(User.objects.filter(cond, is_active=True))


@transaction.atomic
def post_comment(
    record: models.Model, *, actor: User, text: str, parent: FeedEntry | None = None
) -> FeedEntry:
    check_visible(actor, record)
    raw = (text or "").strip()
    if not raw:
        raise ValidationError({"text": [_("Write a comment.")]})
    if len(raw) > 10_000:
        raise ValidationError({"text": [_("The comment is too long (at most 10,000 characters).")]})
    links = links_for(record)
    if parent is not None and getattr(parent, f"{record_link_name(record)}_id") != record.pk:
        raise ValidationError({"parent": [_("Unknown comment.")]})
    entry = _feed(FeedEntry.Kind.COMMENT, actor=actor, links=links, text=sanitize_comment(raw), parent=parent)
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE,
        instance=entry,
        after={"comment": raw[:500]},
        note="comment",
    )
    url = record_url(record)
    mentioned = [
        u for u in mentioned_users(raw) if type(record).objects.visible_to(u).filter(pk=record.pk).exists()
    ]
    mention_ids = {u.pk for u in mentioned}
    notify(
        mention_ids,
        kind=Notification.Kind.MENTION,
        actor=actor,
        text=Msg(gettext_noop("%(user)s mentioned you on %(record)s"), user=actor, record=record),
        url=url,
    )
    skip = set(mention_ids)
    if parent is not None and parent.actor_id:
        notify(
            readers_among(record, [parent.actor_id]),
            kind=Notification.Kind.REPLY,
            actor=actor,
            text=Msg(gettext_noop("%(user)s replied to you on %(record)s"), user=actor, record=record),
            url=url,
            skip=skip,
        )
        skip.add(parent.actor_id)
    notify(
        _followers_of_links(links),
        kind=Notification.Kind.CHANGE,
        actor=actor,
        text=Msg(gettext_noop("%(user)s commented on %(record)s"), user=actor, record=record),
        url=url,
        skip=skip,
    )
    return entry


def notify_followers_of_change(record: models.Model, *, actor: User | None, text: str | Msg) -> None:
    """For other apps' services: tell the followers of a record that something changed on it."""
    notify(
        followers_of(record), kind=Notification.Kind.CHANGE, actor=actor, text=text, url=record_url(record)
    )


# --- reminders (scheduling; delivery is in reminders.py) --------------------------------------------


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
    recipients = {activity.owner_id, *activity.assignees.values_list("pk", flat=True)} - {None}
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
    from baton.activities.models import new_token

    keys = keys_for(user)
    keys.calendar_token = new_token()
    keys.save(update_fields=["calendar_token"])
    log_change(actor=user, action=ChangeLog.Action.TOKEN, instance=keys, after={"calendar_token": "rotated"})
    return keys
