"""Writes after the commit (issue 17): p50/p95 of creating a lead and logging an interaction through
the services, with the rescore inside the write (before) and enqueued after the commit (after), in one
run, against the database in DATABASE_URL.

    python -m bench.writes [--iterations 50] [--json out.json]

"Before" puts the old behaviour back for the run (the rescore runs inside the write's transaction);
"after" is the shipped path: the write commits, then its ``on_commit`` callback enqueues one task on
the configured task backend (the database backend by default: one INSERT after the commit, which is
part of the timing). Quote the ratio, not the absolute times (2 shared cores here). Load data first
with ``python -m bench.generate``; the leads made here are deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.run import percentile, pick_users


def interleaved(
    fn: Callable[[], Any], modes: dict[str, Callable[[int], None]], n: int
) -> dict[str, list[float]]:
    """Time ``fn`` under each mode in turn, ``n`` rounds (alternating, so a change in the machine's load
    falls on every mode alike)."""
    from baton.scoring.scores import deferred

    samples: dict[str, list[float]] = {mode: [] for mode in modes}
    for schedule in modes.values():  # warm caches (content types, the process design)
        deferred.schedule_rescore = schedule
        fn()
    for _ in range(n):
        for mode, schedule in modes.items():
            deferred.schedule_rescore = schedule
            t0 = time.perf_counter()
            fn()
            samples[mode].append((time.perf_counter() - t0) * 1000)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    from bench.generate import setup_django

    setup_django()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from baton.leads.models import Lead, LeadInteraction
    from baton.leads.services import create_lead, log_interaction
    from baton.scoring.scores import deferred

    settings.DEBUG = False
    rep, _admin = pick_users()
    shipped = deferred.schedule_rescore

    def inline(lead_id: int) -> None:  # the rescore inside the write, as before
        deferred.on_lead_facts_changed(lead_id)

    created_before = Lead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started = timezone.now()
    counter = iter(range(10**9))
    lead = create_lead(actor=rep, name="벤치 쓰기 리드", company="(주)벤치쓰기")

    def make_lead() -> Any:
        i = next(counter)
        return create_lead(
            actor=rep, name=f"벤치 쓰기 리드 {i}", company=f"(주)벤치쓰기테크 {i % 97}", phone="010-1234-5678"
        )

    def log_call() -> Any:
        return log_interaction(lead, actor=rep, kind="call", note="벤치 통화")

    print(
        f"Writes on {connection.vendor} ({connection.settings_dict['NAME']}): "
        f"{Lead.objects.count():,} leads; "
        f"{args.iterations} iterations; task backend {settings.TASKS['default']['BACKEND']}\n"
    )
    header = f"{'write':<16} {'mode':<7} {'p50 ms':>7} {'p95 ms':>7} {'queries':>8}"
    print(header)
    print("-" * len(header))
    rows: list[dict[str, Any]] = []
    try:
        modes = {"before": inline, "after": shipped}
        for label, fn in (("create lead", make_lead), ("log interaction", log_call)):
            samples = interleaved(fn, modes, args.iterations)
            figures = {}
            for mode, schedule in modes.items():
                deferred.schedule_rescore = schedule
                settings.DEBUG = True
                reset_queries()
                fn()
                queries = len(connection.queries)
                settings.DEBUG = False
                p50, p95 = percentile(samples[mode], 50), percentile(samples[mode], 95)
                figures[mode] = (p50, p95)
                print(f"{label:<16} {mode:<7} {p50:7.1f} {p95:7.1f} {queries:>8}")
                rows.append({"case": label, "mode": mode, "p50_ms": p50, "p95_ms": p95, "queries": queries})
            (b50, b95), (a50, a95) = figures["before"], figures["after"]
            print(f"{label:<16} {'ratio':<7} {b50 / a50:6.2f}x {b95 / a95:6.2f}x")
    finally:
        deferred.schedule_rescore = shipped
        LeadInteraction.objects.filter(lead__pk__gt=created_before).delete()
        Lead.objects.filter(pk__gt=created_before, name__startswith="벤치 쓰기 리드").delete()
        # The rescores this run enqueued, of leads just deleted.
        DBTaskResult.objects.filter(
            task_path__endswith="rescore_leads_later", status="READY", enqueued_at__gte=started
        ).delete()
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"vendor": connection.vendor, "results": rows}, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
