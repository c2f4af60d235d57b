"""A small table every page reads (field protection rules, page layouts), kept per process.

Each process holds its copy for up to ``seconds``; a write in this process forgets it at once, and bumps
a version in the shared cache so that other workers sharing that cache (Redis) reload on their next read.
With a per-process cache (the default), other workers pick the change up within ``seconds``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.core.cache import cache

T = TypeVar("T")


class SharedCopy(Generic[T]):
    def __init__(self, version_key: str, seconds: float, load: Callable[[], T]) -> None:
        self.version_key = version_key
        self.seconds = seconds
        self.load = load
        self._generation = 0
        self._held: tuple[tuple[int, Any], float, T] | None = None

    def _version(self) -> tuple[int, Any]:
        return (self._generation, cache.get(self.version_key))

    def changed(self) -> None:
        """Forget every copy (call after the write that changed the table commits)."""
        self._generation += 1
        self._held = None
        try:
            cache.incr(self.version_key)
        except ValueError:
            cache.set(self.version_key, 1, None)

    def preload(self, value: T) -> None:
        """Take ``value`` as this process's current copy (the test suite starts every test with one)."""
        self._held = (self._version(), time.monotonic(), value)

    def get(self) -> T:
        version = self._version()
        held = self._held
        if held is not None and held[0] == version and time.monotonic() - held[1] < self.seconds:
            return held[2]
        value = self.load()
        self._held = (version, time.monotonic(), value)
        return value
