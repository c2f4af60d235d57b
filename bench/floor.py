"""The factory floor from daily snapshots (issue 17): live vs pre-aggregated p50/p95 in one run.

    python -m bench.floor [--iterations 9] [--days 30,90,365] [--no-build] [--json out.json]

Against the world in DATABASE_URL (``bench.generate`` and then ``baton process_bench --generate`` for
the stage history). Builds every snapshot day first (``baton rebuild_floor_snapshots``, timed) unless
``--no-build``; then, for an administrator and a field-sales rep and each window ending today, times
``flow_metrics`` computed live and from the snapshots, alternating (a change in the machine's load falls
on both alike), after one warm-up each, and checks that both give the same numbers. Quote the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from typing import Any

from bench.run import percentile, pick_users


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--iterations", type=int, default=9)
    parser.add_argument("--days", default="30,90,365")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    from bench.generate import setup_django

    setup_django()
    from django.db import connection
    from django.utils import timezone

    from baton.process import floor_build, floor_read
    from baton.process.metrics import Filters, flow_metrics
    from baton.process.models import FloorDay, StageHistory

    stays = StageHistory.objects.count()
    if not stays:
        print("No stage history: run `baton process_bench --generate` after bench.generate.", file=sys.stderr)
        return 2
    if not args.no_build:
        t0 = time.perf_counter()
        built = floor_build.refresh(full=True)
        print(f"snapshot build: {built['days']} days in {time.perf_counter() - t0:.1f} s")
    rep, admin = pick_users()
    print(
        f"{connection.vendor}: {stays:,} stays, {FloorDay.objects.count():,} snapshot cells; "
        f"rep {rep.username}, admin {admin.username}; {args.iterations} iterations"
    )
    today = timezone.localdate()
    results: list[dict[str, Any]] = []
    print(  # the table's header
        f"{'user':<6} {'days':>5} {'live p50':>9} {'p95':>7} {'snap p50':>9} {'p95':>7} "
        f"{'ratio p50':>9} {'p95':>6}  equal"
    )
    for label, user in (("admin", admin), ("rep", rep)):
        for days in [int(d) for d in args.days.split(",")]:
            start = floor_build.midnight(today - dt.timedelta(days=days - 1))
            end = floor_build.midnight(today + dt.timedelta(days=1))
            used = floor_read.plan(start, end, Filters(), user) is not None
            now = timezone.now()
            samples: dict[str, list[float]] = {"live": [], "snap": []}
            outcome: dict[str, Any] = {}
            for i in range(args.iterations + 1):
                for mode in ("live", "snap"):
                    t0 = time.perf_counter()
                    result = flow_metrics(start, end, user=user, now=now, snapshots=mode == "snap")
                    elapsed = (time.perf_counter() - t0) * 1000
                    if i:
                        samples[mode].append(elapsed)
                    else:
                        outcome[mode] = result.as_dict()
            equal = outcome["live"] == outcome["snap"]
            row = {
                "user": label,
                "days": days,
                "snapshots_used": used,
                "equal": equal,
                **{
                    f"{m}_{q}": round(percentile(v, p), 1)
                    for m, v in samples.items()
                    for q, p in (("p50", 50), ("p95", 95))
                },
            }
            row["ratio_p50"] = round(row["live_p50"] / row["snap_p50"], 1)
            row["ratio_p95"] = round(row["live_p95"] / row["snap_p95"], 1)
            results.append(row)
            print(
                f"{label:<6} {days:>5} {row['live_p50']:>9} {row['live_p95']:>7} {row['snap_p50']:>9} "
                f"{row['snap_p95']:>7} {row['ratio_p50']:>8}x {row['ratio_p95']:>5}x  "
                f"{'yes' if equal else 'NO'}{'' if used else ' (snapshots not used: live)'}"
            )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)
    return 0 if all(r["equal"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
