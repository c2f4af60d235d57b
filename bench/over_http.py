"""HTTP benchmark: Baton behind gunicorn, driven over real sockets by one and by several clients.

    python -m bench.over_http [--workers 2] [--clients 1,4] [--requests 40] [--user rep|admin]

It starts ``gunicorn baton.wsgi`` with ``--workers`` processes on 127.0.0.1 against the database in
``DATABASE_URL`` (load it first with ``python -m bench.generate``), signs a field-sales rep (or an
administrator) in, and for each case sends ``--requests`` requests per client from 1 and then from 4
concurrent keep-alive clients. It prints p50/p95 latency as the client sees it (network, WSGI,
middleware, view, database) and requests per second. ``bench.run`` measures the same pages
in-process; this one adds the server and concurrency. Quote figures as ratios from one run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass

from bench.generate import setup_django


@dataclass
class HttpCase:
    name: str
    method: str
    path: str
    api: bool = False


@dataclass
class Row:
    case: str
    clients: int
    n: int
    errors: int
    p50: float
    p95: float
    rps: float
    note: str = ""


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def wait_until_up(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status in (200, 302):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer on 127.0.0.1:{port} within {timeout:.0f} s")


def drive(
    port: int, case: HttpCase, clients: int, requests: int, headers: dict[str, str], counter: list[int]
) -> Row:
    """``clients`` threads, each with its own keep-alive connection, send ``requests`` requests."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def one_client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        for _ in range(requests):
            body = None
            send = dict(headers)
            if case.method == "POST":
                with lock:
                    counter[0] += 1
                    i = counter[0]
                body = json.dumps(
                    {
                        "name": f"HTTP 벤치 리드 {i}",
                        "company": f"(주)에이치티티피벤치 {i % 89}",
                        "email": f"httpbench{i}@benchmark.co.kr",
                        "phone": f"010-{3000 + i // 10000:04d}-{i % 10000:04d}",
                        "source": "api",
                    }
                )
                send["Content-Type"] = "application/json"
            t0 = time.perf_counter()
            try:
                conn.request(case.method, case.path, body=body, headers=send)
                response = conn.getresponse()
                response.read()
            except OSError as exc:
                with lock:
                    errors.append(str(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append((time.perf_counter() - t0) * 1000)
            if response.status not in (200, 201):
                with lock:
                    errors.append(f"HTTP {response.status}")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=one_client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    if not latencies:
        return Row(case.name, clients, 0, len(errors), 0.0, 0.0, 0.0, errors[0] if errors else "no answer")
    return Row(
        case.name,
        clients,
        len(latencies),
        len(errors),
        percentile(latencies, 50),
        percentile(latencies, 95),
        len(latencies) / wall,
        errors[0] if errors else "",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.over_http", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--clients", default="1,4", help="concurrent clients to try, comma-separated")
    parser.add_argument("--requests", type=int, default=40, help="requests per client per case")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--user", choices=("rep", "admin"), default="rep")
    parser.add_argument("--only", help="comma-separated substrings of case names to run")
    args = parser.parse_args(argv)

    # The server and this process must share the key: the session's auth hash is signed with it.
    os.environ.setdefault("SECRET_KEY", "bench-http-" + secrets.token_urlsafe(32))
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
    os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
    setup_django()
    from django.conf import settings
    from django.test import Client

    from baton.core.services import create_api_token
    from baton.leads.models import Lead
    from bench.run import pick_targets, pick_users

    rep, admin = pick_users()
    user = rep if args.user == "rep" else admin
    account_id, search = pick_targets(rep, None)
    two_syllables = search[:2]
    lead_id = Lead.objects.visible_to(user).order_by("-pk").values_list("pk", flat=True).first()
    browser = Client()
    browser.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    _, token = create_api_token(user, name="bench.http")
    created_before = Lead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    cases = [
        HttpCase("lead list", "GET", "/leads/"),
        HttpCase(f"search '{two_syllables}'", "GET", "/leads/?search=" + urllib.parse.quote(two_syllables)),
        HttpCase("lead detail", "GET", f"/leads/{lead_id}/"),
        HttpCase("create lead (API)", "POST", "/api/v1/leads", api=True),
        HttpCase("board", "GET", "/deals/board/"),
        HttpCase("account 360°", "GET", f"/accounts/{account_id}/"),
        HttpCase("factory floor", "GET", "/process/"),
        HttpCase("forecast", "GET", "/insights/forecast/"),
    ]
    if args.only:
        wanted = [w.strip().lower() for w in args.only.split(",")]
        cases = [c for c in cases if any(w in c.name.lower() for w in wanted)]
    client_counts = [int(c) for c in args.clients.split(",") if c.strip()]

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "baton.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        env=os.environ.copy(),
    )
    rows: list[Row] = []
    counter = [0]
    try:
        wait_until_up(args.port)
        page_headers = {"Cookie": cookie, "Host": "127.0.0.1"}
        api_headers = {"Authorization": f"Bearer {token}", "Host": "127.0.0.1"}
        for case in cases:
            headers = api_headers if case.api else page_headers
            drive(args.port, case, 1, 3, headers, counter)  # warm-up: caches, pool, imports
            for clients in client_counts:
                rows.append(drive(args.port, case, clients, args.requests, headers, counter))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        Lead.objects.filter(pk__gt=created_before, name__startswith="HTTP 벤치 리드").delete()

    from django.db import connection

    print(
        f"Baton over HTTP: gunicorn {args.workers} workers on {connection.vendor} "
        f"({connection.settings_dict['NAME']}), {Lead.objects.count():,} leads, as {args.user} "
        f"{user.username}; {args.requests} requests per client per case\n"
    )
    header = f"{'case':<22} {'clients':>7} {'n':>5} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.case:<22} {r.clients:>7} {r.n:>5} {r.errors:>4} {r.p50:8.1f} {r.p95:8.1f} {r.rps:7.1f}"
            + (f"  ({r.note})" if r.note else "")
        )
    return 1 if any(r.errors for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
