"""Delivery of reminders before events and alerts for overdue tasks, exactly once.

A worker (``baton activities_worker``) calls ``run_once`` on a timer. Rows are claimed one by one
with a conditional UPDATE (``... WHERE claimed_at IS NULL``): the database lets exactly one worker
change the row, so two workers running at once never deliver the same reminder twice. A claim that
was never finished (the worker died) is retried after ``STALE_CLAIM``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.db import OperationalError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from baton.activities.models import Activity, Notification, Reminder
from baton.activities.services import activity_url, notify
from baton.core.i18n_text import Moment, Msg

log = logging.getLogger(__name__)

STALE_CLAIM = dt.timedelta(minutes=15)
BATCH = 200


def ensure_overdue_reminders(now: dt.datetime | None = None) -> int:
    """Create one "overdue" reminder per open task past due (owner and assignees), idempotently."""
    now = now or timezone.now()
    has_alert = Reminder.objects.filter(activity=OuterRef("pk"), kind=Reminder.Kind.OVERDUE)
    tasks = (
        Activity.objects.filter(
            status=Activity.Status.OPEN, due_at__lt=now, due_at__gte=now - dt.timedelta(days=30)
        )
        .filter(~Exists(has_alert))
        .prefetch_related("assignees")[:BATCH]
    )
    rows = []
    for task in tasks:
        if task.due_at is None:  # the query asks for a due time; this keeps the type checker informed
            continue
        people = (task.owner_id, *(u.pk for u in task.assignees.all()))
        recipients = {uid for uid in people if uid is not None}
        rows += [
            Reminder(activity=task, recipient_id=uid, kind=Reminder.Kind.OVERDUE, fire_at=task.due_at)
            for uid in recipients
        ]
    # The unique constraint makes a concurrent second insert a no-op instead of a duplicate.
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def claim(reminder_id: int, worker: str, now: dt.datetime | None = None) -> bool:
    """Try to take a reminder; True for exactly one caller."""
    now = now or timezone.now()
    return (
        Reminder.objects.filter(pk=reminder_id, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM))
        .update(claimed_at=now, claimed_by=worker[:64])
        == 1
    )


def due_reminder_ids(now: dt.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Reminder.objects.filter(sent_at__isnull=True, fire_at__lte=now)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM))
        .order_by("fire_at", "id")
        .values_list("id", flat=True)[:BATCH]
    )


def deliver(reminder: Reminder) -> None:
    """In-app notification plus an email; a still-relevant check first (done tasks are skipped)."""
    activity = reminder.activity
    user = reminder.recipient
    relevant = activity.status == Activity.Status.OPEN and user.is_active
    if reminder.kind == Reminder.Kind.BEFORE:
        relevant = (
            relevant
            and activity.start_at is not None
            and activity.start_at > timezone.now() - dt.timedelta(hours=1)
        )
    if relevant:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            if reminder.kind == Reminder.Kind.BEFORE and activity.start_at is not None:
                text = Msg(
                    gettext_noop("Reminder: “%(subject)s” at %(when)s"),
                    subject=activity.subject,
                    when=Moment(activity.start_at),
                )
                kind = Notification.Kind.REMINDER
            else:
                text = Msg(
                    gettext_noop("Overdue: “%(subject)s” was due %(when)s"),
                    subject=activity.subject,
                    when=Moment(activity.due_at or reminder.fire_at),
                )
                kind = Notification.Kind.OVERDUE
            notify([user.pk], kind=kind, text=text, activity=activity, url=activity_url(activity))
            if user.email:
                try:
                    send_mail(str(text), str(text), None, [user.email], fail_silently=False)
                except OSError as exc:  # SMTP down: the in-app notification still stands
                    log.warning("reminder %s: email to %s failed: %s", reminder.pk, user.email, exc)
    Reminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())


def run_once(worker: str | None = None, now: dt.datetime | None = None) -> int:
    """One pass: create overdue alerts, then claim and deliver what is due. Returns deliveries."""
    worker = worker or f"worker-{uuid.uuid4().hex[:12]}"
    try:
        ensure_overdue_reminders(now)
    except OperationalError as exc:  # another worker holds the lock; the next pass catches up
        log.info("overdue scan skipped: %s", exc)
    delivered = 0
    try:
        due = due_reminder_ids(now)
    except OperationalError as exc:
        log.info("reminder scan skipped: %s", exc)
        return 0
    for reminder_id in due:
        try:
            with transaction.atomic():
                if not claim(reminder_id, worker, now):
                    continue
                reminder = Reminder.objects.select_related("activity", "recipient").get(pk=reminder_id)
                deliver(reminder)
        except OperationalError as exc:
            # Rolled back together with its claim, so it stays due for the next pass.
            log.info("reminder %s deferred: %s", reminder_id, exc)
            continue
        delivered += 1
    return delivered
