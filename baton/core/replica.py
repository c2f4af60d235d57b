"""Read-only routing: reports, dashboards and the factory floor read from a replica when one is set.

With ``DATABASE_REPLICA_URL`` set, ``settings.DATABASES`` has a ``replica`` alias. Nothing reads
from it unless asked: the middleware below turns replica reads on for GET and HEAD requests to the
read-heavy pages listed in ``REPLICA_PATHS`` (and ``reads_from_replica()`` does it for a block of
code such as a benchmark or a report e-mail). Everything else, and every write, stays on the
primary, so a form, a board move or an API write never reads a stale row.

A replica lags its primary by a moment. A user who has just written (any non-GET request) keeps
reading from the primary for ``BATON_REPLICA_STICKY_SECONDS`` (a signed cookie), so a manager who
adjusts a forecast sees the adjustment on the page they are sent back to.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
STICKY_COOKIE = "baton_primary_until"

# Pages whose GET only reads aggregates; matched as path prefixes ("/" alone matches the home page only).
REPLICA_PATHS: tuple[str, ...] = (
    "/",
    "/insights/",
    "/process/metrics.csv",
    "/process/stages/",
    "/api/v1/insights/",
    "/api/v1/process/metrics",
)
# The factory floor itself is "/process/" exactly (the rest of /process/ are work queues and forms).
REPLICA_EXACT: tuple[str, ...] = ("/", "/process/")

_use_replica: ContextVar[bool] = ContextVar("baton_use_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Within the block, ORM reads go to the replica (when one is configured); writes do not."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


def routes_to_replica(path: str) -> bool:
    """Whether a GET of ``path`` reads from the replica (when one is configured)."""
    if path in REPLICA_EXACT:
        return True
    return any(prefix != "/" and path.startswith(prefix) for prefix in REPLICA_PATHS)


class ReplicaRouter:
    """Sends reads to the replica only inside ``reads_from_replica()``; never migrates it."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if _use_replica.get() and replica_configured():
            # A read inside an open transaction on the primary must see that transaction's rows.
            if connections["default"].in_atomic_block:
                return None
            return REPLICA
        return None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the same rows as the primary: relations across the two are the same rows.
        aliases = {"default", REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


class ReplicaReadsMiddleware:
    """Turns replica reads on for the read-only pages, and keeps a user who just wrote on the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = self.get_response(request)
            sticky = settings.BATON_REPLICA_STICKY_SECONDS
            if sticky:
                response.set_signed_cookie(
                    STICKY_COOKIE,
                    str(int(time.time()) + sticky),
                    max_age=sticky,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
            return response
        if routes_to_replica(request.path) and not self._recently_wrote(request):
            with reads_from_replica():
                return self.get_response(request)
        return self.get_response(request)

    @staticmethod
    def _recently_wrote(request: HttpRequest) -> bool:
        until = request.get_signed_cookie(STICKY_COOKIE, default=None)
        try:
            return until is not None and int(until) > time.time()
        except ValueError:
            return False
