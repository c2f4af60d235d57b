"""Background work of the activities app, through the Django tasks API (the ``django-tasks`` backport
of Django 6's ``django.tasks``; the backend is chosen by ``BATON_TASKS_BACKEND``).

Every task takes ids, is idempotent and claims its work with a conditional UPDATE, so a task that
runs twice, or on two workers at once, still delivers a reminder, sends a mail or notifies a
follower once:

- ``sweep_reminders``: creates overdue alerts and delivers due reminders (enqueued periodically by
  the scheduler in ``baton activities_worker``);
- ``send_email(email_id)``: sends one queued outbound mail through SMTP;
- ``notify_record_change(change_id)``: tells the followers of a lead, account, contact or
  opportunity about one ChangeLog row (stage move, owner or amount change, conversion).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import transaction

try:  # Django 6 ships the tasks API; Django 5.2 uses the backport with the same API.
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task

from baton.core.audit import audit_context, new_job_id

log = logging.getLogger(__name__)


def enqueue_on_commit(the_task: Any, *args: Any) -> None:
    """Enqueue after the current transaction commits (at once outside a transaction). A failed
    enqueue is logged, not raised: the periodic sweep picks up what was left queued."""

    def _enqueue() -> None:
        try:
            the_task.enqueue(*args)
        except Exception:
            log.exception("could not enqueue %s%r", getattr(the_task, "name", the_task), args)

    transaction.on_commit(_enqueue)


@task()
def sweep_reminders() -> int:
    """One pass: overdue alerts, due reminders (claimed one by one), and outbound mail whose
    enqueue was lost. Returns the number of reminders delivered."""
    from baton.activities import mail, reminders

    with audit_context(job_id=new_job_id(), source="task"):
        delivered = reminders.run_once(f"task-{uuid.uuid4().hex[:12]}")
        for email_id in mail.stale_queued_ids():
            send_email.enqueue(email_id)
    return delivered


@task()
def send_email(email_id: int) -> str:
    """Send one queued outbound mail; a second run finds it claimed and does nothing."""
    from baton.activities import mail

    with audit_context(job_id=new_job_id(), source="task"):
        return mail.deliver_queued(email_id)


@task()
def notify_record_change(change_id: int) -> int:
    """Notify the followers of the record a ChangeLog row is about; returns notifications created."""
    from baton.activities import changes

    with audit_context(job_id=new_job_id(), source="task"):
        return changes.notify_followers(change_id)
