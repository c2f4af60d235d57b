"""Several independent reports at once: on PostgreSQL, outside a transaction, each runs on its own
connection in a small thread pool, so a page of reports waits for the slowest query rather than the
sum of them (the seven questions). The results are the same as running them one after the other:
same definitions, same reader, same language and time zone; elsewhere they simply run in turn."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, connections
from django.utils import timezone, translation

from baton.core.models import User
from baton.insights.reports.engine import Definition, Result, run_report

MAX_THREADS = 4


def can_run_in_parallel() -> bool:
    # A transaction (a test's, or a caller's) is invisible to other connections: stay on this one.
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def run_reports(definitions: Sequence[Definition], user: User) -> list[Result]:
    if len(definitions) < 2 or not can_run_in_parallel():
        return [run_report(d, user) for d in definitions]
    language = translation.get_language()
    zone = timezone.get_current_timezone()

    def run(definition: Definition) -> Result:
        try:
            with translation.override(language), timezone.override(zone):
                return run_report(definition, user)
        finally:
            connections.close_all()  # this thread's connection ends with it

    with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(definitions))) as pool:
        return list(pool.map(run, definitions))
