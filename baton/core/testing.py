"""Test support shared by every app's tests (imported by tests only)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from baton.core.models import ChangeLog

_ANY: Any = object()


def audit_rows(instance: models.Model, action: str | None = None) -> QuerySet[ChangeLog]:
    """The change-log rows of exactly this record: its content type and its id (ids repeat across tables)."""
    ct = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    rows = ChangeLog.objects.filter(content_type=ct, object_id=instance.pk)
    return rows.filter(action=action) if action is not None else rows


def assert_audited(
    instance: models.Model, action: str, *, actor: Any = _ANY, note: str | None = None, **after: Any
) -> ChangeLog:
    """Assert that ``instance`` has an audit row for ``action`` (by ``actor``, with ``note``) whose
    ``after`` holds every given field value; return the newest such row."""
    rows = audit_rows(instance, action)
    if actor is not _ANY:
        rows = rows.filter(actor=actor)
    if note is not None:
        rows = rows.filter(note=note)
    for field, value in after.items():
        rows = rows.filter(**{f"after__{field}": value})
    row = rows.order_by("-id").first()
    if row is None:
        found = list(audit_rows(instance).values_list("action", "actor_id", "after"))
        raise AssertionError(
            f"no {action!r} audit row for {type(instance).__name__} {instance.pk} with "
            f"actor={actor if actor is not _ANY else 'any'} after={after}; its rows: {found}"
        )
    return row


def redis_url_for_tests(db: int) -> str:
    """A Redis database for one test module that no concurrent run shares: the SQLite and PostgreSQL
    suites run side by side (``make test``), and a queue or cache emptied by one must not be the other's.
    The PostgreSQL run uses ``db - 4`` (15 → 11, 14 → 10)."""
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    return f"redis://127.0.0.1:6379/{db - 4 if on_postgres else db}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Collector:
    """An aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


@contextmanager
def loopback_smtp(settings: Any, *, from_email: str) -> Iterator[Collector]:
    """A real SMTP server on 127.0.0.1 for the block, with Django's SMTP backend pointed at it."""
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = from_email
    try:
        yield collector
    finally:
        controller.stop()
