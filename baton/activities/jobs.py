"""The Django tasks API for the activities app: the ``task`` decorator (the ``django-tasks`` backport
of Django 6's ``django.tasks``) and enqueueing after the commit.

Kept apart from ``tasks.py`` so that the modules defining tasks (``mail.outgoing``) and the modules
running them (``tasks.py``) both import it without importing each other.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django_tasks import task  # the backport of Django 6's django.tasks (Baton runs on Django 5.2)

__all__ = ["enqueue_on_commit", "task"]

log = logging.getLogger("baton.activities.tasks")


def enqueue_on_commit(the_task: Any, *args: Any) -> None:
    """Enqueue after the current transaction commits (at once outside a transaction). A failed
    enqueue is logged, not raised: the periodic sweep picks up what was left queued."""

    def _enqueue() -> None:
        try:
            the_task.enqueue(*args)
        except Exception:
            log.exception("could not enqueue %s%r", getattr(the_task, "name", the_task), args)

    transaction.on_commit(_enqueue)
