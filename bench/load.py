"""The load test with Locust: many simulated reps against Baton behind gunicorn (issue 17).

    python -m bench.load [--users 50] [--spawn-rate 2] [--seconds 300] [--workers 4] [--max-p95 300]

Against the database in ``DATABASE_URL`` (load it first with ``python -m bench.generate``), it signs
``--users`` field-sales reps in (a session cookie and an API token each; fewer reps are reused), writes
their plan to a temporary JSON file, starts ``gunicorn baton.wsgi`` with ``--workers`` processes on
127.0.0.1 and runs Locust headless (``bench/locustfile.py``: list, open a lead, log a call, move a
deal, search, with think time) for ``--seconds``, the users arriving ``--spawn-rate`` per second. It
prints per-action request counts, failures, p50/p95 and requests/s, and, from Locust's per-second
history, the p95 and throughput as the users ramp up, which shows where the server saturates. Exits
non-zero when a request failed or the overall p95 exceeds ``--max-p95`` ms.

``--locust`` names the locust executable (default: the one beside this Python).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from bench.generate import setup_django
from bench.over_http import prepare_reps, start_server, stop_server, wait_until_up


def _float(row: dict[str, str], key: str) -> float:
    try:
        return float(row.get(key) or 0)
    except ValueError:
        return 0.0


def summarise(prefix: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        stats = list(csv.DictReader(fh))
    history_path = Path(f"{prefix}_stats_history.csv")
    history: list[dict[str, str]] = []
    if history_path.exists():
        with open(history_path, encoding="utf-8") as fh:
            history = [r for r in csv.DictReader(fh) if r.get("Name") == "Aggregated"]
    return stats, history


def ramp_table(history: list[dict[str, str]], buckets: int = 6) -> list[tuple[int, float, float, float]]:
    """(users, requests/s, p50, p95) at a few points of the run (Locust's history: one row per second,
    percentiles over the last ten seconds)."""
    rows = [r for r in history if _float(r, "Total Request Count") > 0]
    if not rows:
        return []
    step = max(1, len(rows) // buckets)
    picked = rows[step - 1 :: step]
    if picked[-1] is not rows[-1]:
        picked.append(rows[-1])
    return [
        (
            int(_float(r, "User Count")),
            _float(r, "Requests/s"),
            _float(r, "50%"),
            _float(r, "95%"),
        )
        for r in picked
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="users started per second")
    parser.add_argument("--seconds", type=int, default=300, help="how long Locust runs (default 300)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--max-p95", type=float, default=300.0, help="fail above this overall p95 (ms)")
    parser.add_argument("--think", default="0.5,1.5", help="think time between actions: min,max seconds")
    parser.add_argument("--locust", default=str(Path(sys.executable).with_name("locust")))
    parser.add_argument("--boot-timeout", type=float, default=180.0, help="seconds to wait for gunicorn")
    parser.add_argument("--keep", help="keep Locust's CSV files under this prefix")
    args = parser.parse_args(argv)

    # The server and this process must share the key: the session's auth hash is signed with it.
    os.environ.setdefault("SECRET_KEY", "bench-load-" + secrets.token_urlsafe(32))
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
    os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
    setup_django()
    from django.db import connection

    from baton.activities.models import Activity
    from baton.leads.models import Lead

    reps = prepare_reps(args.users, token_name="bench.load")
    workdir = Path(tempfile.mkdtemp(prefix="baton-load-"))
    plan = workdir / "plan.json"
    plan.write_text(json.dumps([asdict(r) for r in reps], ensure_ascii=False), encoding="utf-8")
    prefix = Path(args.keep) if args.keep else workdir / "locust"
    activities_before = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    think_min, _, think_max = args.think.partition(",")
    env = {
        **os.environ,
        "BATON_LOCUST_PLAN": str(plan),
        "BATON_LOCUST_THINK_MIN": think_min,
        "BATON_LOCUST_THINK_MAX": think_max or think_min,
    }
    command = [
        args.locust,
        "-f",
        str(Path(__file__).with_name("locustfile.py")),
        "--headless",
        "--host",
        f"http://127.0.0.1:{args.port}",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--csv-full-history",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    server = start_server(args)
    try:
        wait_until_up(args.port, timeout=args.boot_timeout)
        locust = subprocess.run(command, env=env, check=False)
    finally:
        stop_server(server)
        Activity.objects.filter(pk__gt=activities_before, subject="부하 테스트").delete()

    stats, history = summarise(prefix)
    print(
        f"\nLocust: {args.users} simulated reps (spawn {args.spawn_rate:g}/s, think {args.think} s between "
        f"actions) for {args.seconds} s against gunicorn {args.workers} workers on {connection.vendor} "
        f"({connection.settings_dict['NAME']}, {Lead.objects.count():,} leads)\n"
    )
    header = (
        f"{'action':<18} {'requests':>8} {'failed':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>6}"
    )
    print(header)
    print("-" * len(header))
    total: dict[str, str] = {}
    for row in stats:
        if row["Name"] == "Aggregated":
            total = row
        count, failed = int(_float(row, "Request Count")), int(_float(row, "Failure Count"))
        print(
            f"{row['Name']:<18} {count:>8} {failed:>7} "
            f"{_float(row, '50%'):7.0f} {_float(row, '95%'):7.0f} {_float(row, '99%'):7.0f} "
            f"{_float(row, 'Requests/s'):6.1f}"
        )
    ramp = ramp_table(history)
    if ramp:
        print("\nAs the users arrive (last 10 s at each point):")
        print(f"{'users':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7}")
        for users, rps, p50, p95 in ramp:
            print(f"{users:>6} {rps:6.1f} {p50:7.0f} {p95:7.0f}")
    failures = int(_float(total, "Failure Count"))
    p95 = _float(total, "95%")
    verdict = []
    if failures:
        verdict.append(f"{failures} failed request(s) (see {prefix}_failures.csv)")
    if p95 > args.max_p95:
        verdict.append(f"overall p95 {p95:.0f} ms is over {args.max_p95:g} ms")
    if locust.returncode not in (0, 1):
        verdict.append(f"locust exited with {locust.returncode}")
    print("\n" + ("; ".join(verdict) if verdict else f"no failures, overall p95 {p95:.0f} ms"))
    return 1 if verdict else 0


if __name__ == "__main__":
    sys.exit(main())
