"""Time the executive's won-revenue trend live and from the monthly sums, alternating in one run.

    python -m bench.trend [--iterations 10]

Against the database in ``DATABASE_URL`` (load it with ``bench.generate``; sum the months first with
``baton refresh_insights_aggregates``). As the benchmark administrator: ``dashboards.revenue_trend`` over
every deal (live) and ``aggregates.trend.revenue_trend_for`` (stored closed months + the live remainder),
checks that both give the same figures, and prints p50/p95 of each and the ratio."""

from __future__ import annotations

import argparse
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.trend")
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args(argv)
    from bench.generate import setup_django

    setup_django()
    from django.utils import timezone

    from baton.deals.models import Opportunity
    from baton.insights.aggregates.trend import revenue_trend_for, usable_months
    from baton.insights.dashboards import revenue_trend
    from bench.run import percentile, pick_users

    _rep, admin = pick_users()
    today = timezone.localdate()
    print(f"stored months usable today: {len(usable_months(today))}")
    live_ms: list[float] = []
    stored_ms: list[float] = []
    for _ in range(args.iterations):
        t0 = time.perf_counter()
        live = revenue_trend(Opportunity.objects.visible_to(admin), today=today)
        live_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        stored = revenue_trend_for(admin, today=today)
        stored_ms.append((time.perf_counter() - t0) * 1000)
        if live.months != stored.months or {r["key"]: r["this"] for r in live.by_industry} != {
            r["key"]: r["this"] for r in stored.by_industry
        }:
            print("MISMATCH between live and stored figures")
            return 1
    for name, samples in (("live", live_ms), ("stored + live remainder", stored_ms)):
        print(f"{name:<26} p50 {percentile(samples, 50):8.1f} ms   p95 {percentile(samples, 95):8.1f} ms")
    print(f"ratio live / stored: p50 {percentile(live_ms, 50) / percentile(stored_ms, 50):.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
