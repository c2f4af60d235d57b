"""Time the inside-sales numbers (speed to lead) from the lead's kept first touch and from the touches
themselves (two correlated subqueries per lead, as before issue 12's change), alternating in one run.

    python -m bench.speed_to_lead [--iterations 10] [--touches 20000] [--days 90]

Against the database in ``DATABASE_URL`` (load it with ``bench.generate``). ``--touches N`` first logs N
calls by their owners on random leads of the window (bulk, then ``rebuild_first_touches``), so the
numbers have touches to find; they are deleted at the end. As the benchmark administrator and a rep:
``funnel.inside_sales`` both ways, checks that both give the same figures, prints p50/p95 and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time

NOTE = "bench speed-to-lead touch"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speed_to_lead")
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--touches", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args(argv)
    from bench.generate import setup_django

    setup_django()
    from django.utils import timezone

    from baton.activities import touches
    from baton.insights import funnel
    from baton.leads.models import Lead, LeadInteraction
    from bench.run import percentile, pick_users

    rep, admin = pick_users()
    now = timezone.now()
    window = Lead.objects.filter(created_at__gte=now - dt.timedelta(days=args.days))
    print(f"{Lead.objects.count():,} leads, {window.count():,} in the {args.days}-day window")
    if args.touches:
        rng = random.Random(7)
        rows = list(window.values_list("pk", "owner_id", "created_at"))
        picked = rng.sample(rows, min(args.touches, len(rows)))
        LeadInteraction.objects.bulk_create(
            [
                LeadInteraction(
                    lead_id=pk,
                    kind="call",
                    actor_id=owner,
                    note=NOTE,
                    occurred_at=created + dt.timedelta(hours=rng.uniform(0.2, 60)),
                )
                for pk, owner, created in picked
                if owner
            ],
            batch_size=5000,
        )
        touches.refresh_first_touch(pk for pk, _o, _c in picked)
        print(f"logged {len(picked):,} calls on window leads")

    kept = funnel.first_touches

    def from_touches(leads):
        return leads.annotate(first_touch=touches.first_touch_expression())

    def figures(data):
        t = data.total
        return (t.leads, t.touched, t.met, t.breached, t.waiting, t.median_hours)

    status = 0
    try:
        for label, user in (("admin", admin), ("rep", rep)):
            samples: dict[str, list[float]] = {"subqueries": [], "kept column": []}
            for _ in range(args.iterations):
                results = {}
                for mode, fn in (("subqueries", from_touches), ("kept column", kept)):
                    funnel.first_touches = fn
                    t0 = time.perf_counter()
                    results[mode] = figures(funnel.inside_sales(user, now=now, days=args.days))
                    samples[mode].append((time.perf_counter() - t0) * 1000)
                if results["subqueries"] != results["kept column"]:
                    print(f"MISMATCH for {label}: {results}")
                    status = 1
            funnel.first_touches = kept
            print(f"{label}: leads, touched, met, breached, waiting, median h = {results['kept column']}")
            for mode, ms in samples.items():
                print(f"  {mode:<12} p50 {percentile(ms, 50):9.1f} ms   p95 {percentile(ms, 95):9.1f} ms")
            ratio = percentile(samples["subqueries"], 50) / percentile(samples["kept column"], 50)
            print(f"  ratio subqueries / kept column at p50: {ratio:.1f}x")
    finally:
        funnel.first_touches = kept
        if args.touches:
            ids = list(LeadInteraction.objects.filter(note=NOTE).values_list("lead_id", flat=True))
            LeadInteraction.objects.filter(note=NOTE).delete()
            touches.refresh_first_touch(ids)
    return status


if __name__ == "__main__":
    sys.exit(main())
