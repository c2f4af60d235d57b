"""Two checkouts' writes, timed alternately in one run (issue 17, "cheap writes").

    python -m bench.compare_writes --before /path/to/main [--after .] [--iterations 60]

Starts one worker process per checkout (``PYTHONPATH`` set to it, so each runs its own services) against
the same database in ``DATABASE_URL`` and asks them in turn, one write at a time, to create a lead and to
log an interaction through the services (as ``bench.writes`` does, the after-commit enqueue included).
Alternating call by call puts a change in the machine's load on both alike, so the ratio holds even on
shared cores. Prints p50/p95, the queries of one call, and before ÷ after. Leads the workers create are
deleted at the end.

The worker is this file run as a script (``--worker``): it imports only what both checkouts have.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def worker(tag: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baton.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries

    from baton.leads.models import Lead, LeadInteraction
    from baton.leads.services import create_lead, log_interaction
    from bench.run import pick_users

    settings.DEBUG = False
    rep, _admin = pick_users()
    name = f"벤치 비교 {tag}"
    lead = create_lead(actor=rep, name=name, company="(주)벤치비교")
    counter = iter(range(10**9))

    def create() -> Any:
        i = next(counter)
        return create_lead(
            actor=rep, name=f"{name} {i}", company=f"(주)벤치비교테크 {i % 97}", phone="010-1234-5678"
        )

    def log() -> Any:
        return log_interaction(lead, actor=rep, kind="call", note="벤치 통화")

    writes = {"create lead": create, "log interaction": log}
    try:
        for line in sys.stdin:
            command, _, case = line.strip().partition(" ")
            if command == "quit":
                break
            if command == "count":
                settings.DEBUG = True
                reset_queries()
                writes[case]()
                print(len(connection.queries), flush=True)
                settings.DEBUG = False
                continue
            t0 = time.perf_counter()
            writes[case]()
            print(f"{(time.perf_counter() - t0) * 1000:.3f}", flush=True)
    finally:
        LeadInteraction.objects.filter(lead__name__startswith=name).delete()
        Lead.objects.filter(name__startswith=name).delete()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.compare_writes", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--before", help="checkout to compare against (e.g. a worktree of main)")
    parser.add_argument("--after", default=".", help="checkout with the change (default: this one)")
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    if not args.before:
        parser.error("--before is required")
    trees = {"before": Path(args.before).resolve(), "after": Path(args.after).resolve()}
    procs = {
        label: subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", label],
            cwd=tree,
            env={**os.environ, "PYTHONPATH": str(tree)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for label, tree in trees.items()
    }

    def ask(label: str, command: str) -> str:
        proc = procs[label]
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(command + "\n")
        proc.stdin.flush()
        answer = proc.stdout.readline().strip()
        if not answer:
            raise SystemExit(f"the {label} worker stopped (see its error above)")
        return answer

    print(
        f"Writes, {args.iterations} alternating iterations: "
        f"before = {trees['before']}, after = {trees['after']}\n"
    )
    header = f"{'write':<16} {'':<7} {'p50 ms':>7} {'p95 ms':>7} {'queries':>8}"
    print(header)
    print("-" * len(header))
    try:
        for case in ("create lead", "log interaction"):
            for label in procs:
                for _ in range(3):  # warm: caches, the process design, the connection
                    ask(label, f"time {case}")
            samples: dict[str, list[float]] = {label: [] for label in procs}
            for i in range(args.iterations):
                order = list(procs) if i % 2 == 0 else list(reversed(procs))
                for label in order:
                    samples[label].append(float(ask(label, f"time {case}")))
            for label in procs:
                queries = ask(label, f"count {case}")
                p50, p95 = percentile(samples[label], 50), percentile(samples[label], 95)
                print(f"{case:<16} {label:<7} {p50:7.1f} {p95:7.1f} {queries:>8}")
            b, a = samples["before"], samples["after"]
            ratio50 = percentile(b, 50) / percentile(a, 50)
            ratio95 = percentile(b, 95) / percentile(a, 95)
            print(f"{case:<16} {'ratio':<7} {ratio50:6.2f}x {ratio95:6.2f}x")
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                assert proc.stdin is not None
                proc.stdin.write("quit\n")
                proc.stdin.flush()
                proc.wait(timeout=120)
    return 0


if __name__ == "__main__":
    if "--worker" in sys.argv:
        # Run as a script inside a checkout: that checkout (cwd, PYTHONPATH) provides baton and bench.
        sys.path.insert(0, os.getcwd())
    sys.exit(main())
