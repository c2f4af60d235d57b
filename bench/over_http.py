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
    parser.add_argument(
        "--users", type=int, help="load test: this many simulated reps (instead of the cases)"
    )
    parser.add_argument("--minutes", type=float, default=5.0, help="load test: how long (default 5)")
    parser.add_argument("--think", type=float, default=1.0, help="load test: mean seconds between actions")
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

    if args.users:
        return load_test(args)
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

    server = start_server(args)
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
        stop_server(server)
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


def start_server(args: argparse.Namespace) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
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
            # A worker that has not answered for this long is restarted; on a busy machine loading
            # Django alone can take longer than gunicorn's default 30 s.
            "--timeout",
            "120",
        ],
        env=os.environ.copy(),
        start_new_session=True,  # its own process group: stopping it stops workers still booting too
    )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@dataclass
class Rep:
    username: str
    cookie: str
    token: str
    leads: list[int]
    deals: list[tuple[int, list[int]]]  # (opportunity id, two open stage ids of its pipeline)
    search: str


def prepare_reps(count: int, *, token_name: str = "bench.over_http load") -> list[Rep]:
    """``count`` field-sales reps, each signed in (a session cookie) with an API token, the newest leads
    they may see, a company word to search for, and open deals with two open stages to move between."""
    from django.conf import settings
    from django.test import Client

    from baton.core.models import Role, User
    from baton.core.services import create_api_token
    from baton.deals.models import Opportunity, Stage
    from baton.leads.models import Lead

    users = list(
        User.objects.filter(role=Role.FIELD_SALES, is_active=True, team__isnull=False).order_by("pk")[:count]
    )
    if not users:
        raise SystemExit("No field-sales reps: load data with bench.generate first.")
    open_stages: dict[int, list[int]] = {}
    for stage in Stage.objects.filter(outcome=Stage.Outcome.OPEN, is_archived=False).order_by("sequence"):
        open_stages.setdefault(stage.pipeline_id, []).append(stage.pk)
    reps: list[Rep] = []
    for user in users:
        browser = Client()
        browser.force_login(user)
        _, token = create_api_token(user, name=token_name)
        leads = list(Lead.objects.visible_to(user).order_by("-pk").values_list("pk", flat=True)[:30])
        company = (
            Lead.objects.filter(owner=user)
            .exclude(company_key="")
            .values_list("company_key", flat=True)
            .first()
            or "한빛"
        )
        deals = [
            (pk, open_stages.get(pipeline, [])[:2])
            for pk, pipeline in Opportunity.objects.filter(owner=user, stage__outcome=Stage.Outcome.OPEN)
            .order_by("pk")
            .values_list("pk", "pipeline_id")[:5]
        ]
        reps.append(
            Rep(
                user.username,
                f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}",
                token,
                leads,
                [d for d in deals if len(d[1]) == 2],
                company[:2],
            )
        )
    return reps


def load_test(args: argparse.Namespace) -> int:
    """``--users`` reps each doing a rep's day for ``--minutes``: list, open, log a call, move, search."""
    import random

    from baton.leads.models import Lead

    reps = prepare_reps(args.users)
    created_before = Lead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    samples: dict[str, list[float]] = {}
    refused: dict[str, int] = {}
    failed: dict[str, list[str]] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + args.minutes * 60
    done = [0]

    def record(action: str, started: float, status: int | None, note: str = "") -> None:
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            done[0] += 1
            if status is None or status >= 500:
                failed.setdefault(action, []).append(note or f"HTTP {status}")
            elif status >= 400:
                refused[action] = refused.get(action, 0) + 1
            else:
                samples.setdefault(action, []).append(elapsed)

    def day(rep: Rep, seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        page = {"Cookie": rep.cookie, "Host": "127.0.0.1"}
        api = {
            "Authorization": f"Bearer {rep.token}",
            "Host": "127.0.0.1",
            "Content-Type": "application/json",
        }

        def call(action: str, method: str, path: str, headers: dict[str, str], body: object = None) -> bytes:
            nonlocal conn
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
                response = conn.getresponse()
                data = response.read()
            except OSError as exc:
                record(action, t0, None, str(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
                return b""
            record(action, t0, response.status)
            return data

        while time.monotonic() < stop_at:
            call("lead list", "GET", "/leads/", page)
            if rep.leads:
                lead = rng.choice(rep.leads)
                call("open lead", "GET", f"/leads/{lead}/", page)
                call(
                    "log a call",
                    "POST",
                    "/api/v1/activities",
                    api,
                    {"kind": "call", "subject": "부하 테스트 통화", "record_type": "lead", "record_id": lead},
                )
            if rep.deals:
                deal, stages = rng.choice(rep.deals)
                raw = call("open deal (API)", "GET", f"/api/v1/opportunities/{deal}", api)
                try:
                    current = json.loads(raw)
                    target = stages[1] if current.get("stage_id") == stages[0] else stages[0]
                    call(
                        "move deal",
                        "POST",
                        f"/api/v1/opportunities/{deal}/move",
                        api,
                        {"stage_id": target, "version": current["version"]},
                    )
                except (ValueError, KeyError):
                    pass
            call("search", "GET", "/leads/?search=" + urllib.parse.quote(rep.search), page)
            time.sleep(rng.expovariate(1 / args.think) if args.think > 0 else 0)
        conn.close()

    server = start_server(args)
    started = time.perf_counter()
    try:
        wait_until_up(args.port)
        threads = [threading.Thread(target=day, args=(reps[i % len(reps)], i)) for i in range(args.users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        wall = time.perf_counter() - started
        stop_server(server)
        Lead.objects.filter(pk__gt=created_before, name__startswith="HTTP 벤치 리드").delete()

    from django.db import connection

    print(
        f"Load test: {args.users} simulated reps for {args.minutes:g} min (think time ~{args.think:g} s), "
        f"gunicorn {args.workers} workers on {connection.vendor}: {done[0]:,} requests, "
        f"{done[0] / wall:.1f} requests/s\n"
    )
    header = f"{'action':<18} {'ok':>6} {'4xx':>5} {'err':>5} {'p50 ms':>8} {'p95 ms':>8}"
    print(header)
    print("-" * len(header))
    for action in sorted(set(samples) | set(refused) | set(failed)):
        ok = samples.get(action, [])
        p50 = percentile(ok, 50) if ok else 0.0
        p95 = percentile(ok, 95) if ok else 0.0
        print(
            f"{action:<18} {len(ok):>6} {refused.get(action, 0):>5} {len(failed.get(action, [])):>5} "
            f"{p50:8.1f} {p95:8.1f}"
        )
    errors = sum(len(v) for v in failed.values())
    if errors:
        first = next(iter(failed.values()))[0]
        print(f"\n{errors} failed request(s), e.g. {first}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
