"""The time process rows are written at, when a caller does not say.

Every process writer takes an explicit ``at=`` (now by default). ``process_clock`` is a DEPRECATED shim
kept only for the demo seeder, which back-dates a whole block of writes: it changes what the writers'
default ``at`` is. No other code may use it; it goes once the demo passes ``at=`` itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_clock: ContextVar[dt.datetime | None] = ContextVar("baton_process_clock", default=None)


def now() -> dt.datetime:
    """The default ``at`` of the process writers: the wall clock (or, deprecated, the demo's clock)."""
    return _clock.get() or timezone.now()


@contextmanager
def process_clock(at: dt.datetime | None) -> Iterator[None]:
    """DEPRECATED: make ``at`` the default time of process writes in this block (the demo only).

    Pass ``at=`` to the writers instead."""
    token = _clock.set(at)
    try:
        yield
    finally:
        _clock.reset(token)
