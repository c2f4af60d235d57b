"""The Django tasks API for the activities app: the ``task`` decorator (Django 6 ships it; Django 5.2
uses the ``django-tasks`` backport with the same API) and enqueueing after the commit.

Kept apart from ``tasks.py`` so that the modules defining tasks (``mail.outgoing``) and the modules
running them (``tasks.py``) both import it without importing each other.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

try:  # Django 6 ships the tasks API; Django 5.2 uses the backport with the same API.
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task

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
