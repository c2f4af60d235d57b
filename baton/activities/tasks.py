"""Background work of the activities app, through the Django tasks API (the ``django-tasks`` backport
of Django 6's ``django.tasks``; the backend is chosen by ``BATON_TASKS_BACKEND``).

Every task takes ids, is idempotent and claims its work with a conditional UPDATE, so a task that
runs twice, or on two workers at once, still delivers a reminder, sends a mail or notifies a
follower once:

- ``sweep_reminders``: creates overdue alerts and delivers due reminders (enqueued periodically by
  the scheduler in ``baton activities_worker``);
- ``send_email(email_id)``: sends one queued outbound mail through SMTP (defined next to the mail
  it sends, in ``mail/outgoing.py``);
- ``notify_record_change(change_id)``: tells the followers of a lead, account, contact or
  opportunity about one ChangeLog row (stage move, owner or amount change, conversion).
"""

from __future__ import annotations

import uuid

from baton.activities import changes, reminders
from baton.activities.jobs import enqueue_on_commit, task
from baton.activities.mail.outgoing import send_email, stale_queued_ids
from baton.core.audit import audit_context, new_job_id

__all__ = ["enqueue_on_commit", "notify_record_change", "send_email", "sweep_reminders"]


@task()
def sweep_reminders() -> int:
    """One pass: overdue alerts, due reminders (claimed one by one), and outbound mail whose
    enqueue was lost. Returns the number of reminders delivered."""
    with audit_context(job_id=new_job_id(), source="task"):
        delivered = reminders.run_once(f"task-{uuid.uuid4().hex[:12]}")
        for email_id in stale_queued_ids():
            send_email.enqueue(email_id)
    return delivered


@task()
def notify_record_change(change_id: int) -> int:
    """Notify the followers of the record a ChangeLog row is about; returns notifications created."""
    with audit_context(job_id=new_job_id(), source="task"):
        return changes.notify_followers(change_id)
