"""Revenue movements (the NRR page) over 100,000 contracts with 500,000 amendments.

    python -m bench.revenue [--contracts 100000] [--amendments 5] [--iterations 20] [--load-only]

Loads (once per database; refuses a database that already holds contracts) accounts, one-line
contracts with start rows and amendments (upsell, downsell, price change, some early terminations) in
date order, through ``bulk_create`` (set-up, not what is measured); then times, in-process, what the
NRR page computes: the period's movements in total and by product family and by owner, the cohorts
and ARR today, as an administrator (every contract) and as a rep (the contracts they may see); and the
page itself through ``django.test.Client``. Prints p50/p95/max ms. Target (issue 13): p95 of the NRR
page under 500 ms warm on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bench.generate import setup_django
from bench.run import percentile


def timed(fn: Callable[[], Any], iterations: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def load(contracts: int, amendments: int, seed: int = 13) -> None:
    from django.db import connection, transaction

    from baton.accounts.models import Account
    from baton.core.models import Role, Team, User
    from baton.deals.models import Product, ProductFamily
    from baton.success.models import Contract, ContractChange, ContractLine

    rng = random.Random(seed)
    t0 = time.perf_counter()
    with transaction.atomic():
        team = Team.objects.create(name="Bench success")
        users = [
            User(username=f"rev{i}", role=Role.FIELD_SALES, team=team, display_name=f"Rep {i}")
            for i in range(40)
        ] + [User(username=f"csm{i}", role=Role.CUSTOMER_SUCCESS, display_name=f"CSM {i}") for i in range(10)]
        for u in users:
            u.set_unusable_password()
        User.objects.bulk_create(users)
        reps = list(User.objects.filter(username__startswith="rev"))
        csms = list(User.objects.filter(username__startswith="csm", role=Role.CUSTOMER_SUCCESS))
        families = [
            ProductFamily.objects.get_or_create(name=f"벤치 제품군 {i}", defaults={"name_en": f"Bench {i}"})[
                0
            ]
            for i in range(4)
        ]
        products = [
            Product.objects.get_or_create(
                code=f"bench-sub-{i}", defaults={"name": f"구독 {i}", "family": families[i]}
            )[0]
            for i in range(4)
        ]
        n_accounts = max(1, contracts // 5)
        sizes = ["1-9", "10-49", "50-299", "300-999", "1000+"]
        Account.objects.bulk_create(
            [
                Account(
                    name=f"벤치고객 {i:06d}",
                    name_key=f"벤치고객{i:06d}",
                    owner=reps[i % len(reps)],
                    team=team,
                    size=sizes[i % 5],
                    csm=csms[i % len(csms)],
                )
                for i in range(n_accounts)
            ],
            batch_size=5000,
        )
        account_ids = list(Account.objects.filter(name__startswith="벤치고객").values_list("id", "owner_id"))
    print(f"users and {len(account_ids):,} accounts in {time.perf_counter() - t0:.0f}s", flush=True)
    start_base = dt.date(2022, 1, 1)
    batch = 10_000
    made = 0
    while made < contracts:
        n = min(batch, contracts - made)
        with transaction.atomic():
            rows = []
            plans = []
            for i in range(made, made + n):
                account_id, owner_id = account_ids[i % len(account_ids)]
                start = start_base + dt.timedelta(days=rng.randint(0, 1790))
                years = rng.choice([1, 1, 2, 3])
                end = start.replace(year=start.year + years, day=min(start.day, 28)) - dt.timedelta(days=1)
                rows.append(
                    Contract(
                        number=f"B-{i:07d}",
                        name=f"벤치 계약 {i}",
                        account_id=account_id,
                        owner_id=owner_id,
                        team_id=team.pk,
                        csm_id=csms[i % len(csms)].pk,
                        start_date=start,
                        end_date=end,
                    )
                )
                plans.append((start, end))
            Contract.objects.bulk_create(rows, batch_size=5000)
            lines = []
            for c in rows:
                p = products[rng.randrange(4)]
                lines.append(
                    ContractLine(
                        contract=c,
                        product=p,
                        family_id=p.family_id,
                        product_code=p.code,
                        product_name=p.name,
                        quantity=Decimal(rng.randint(5, 200)),
                        unit_price=Decimal(rng.choice([60_000, 90_000, 120_000, 240_000])),
                    )
                )
            ContractLine.objects.bulk_create(lines, batch_size=5000)
            changes = []
            arr_by_contract = {}
            for c, line, (start, end) in zip(rows, lines, plans, strict=True):
                qty, price = line.quantity, line.unit_price
                changes.append(
                    ContractChange(
                        contract=c,
                        line=line,
                        kind="start",
                        effective_date=start,
                        quantity_after=qty,
                        unit_price_after=price,
                        arr_delta=qty * price,
                        end_date_after=end,
                    )
                )
                span = (end - start).days
                days = sorted(rng.sample(range(1, span), min(amendments, span - 1)))
                for day in days:
                    when = start + dt.timedelta(days=day)
                    roll = rng.random()
                    if roll < 0.5:
                        new_qty, new_price, kind = qty + rng.randint(1, 20), price, "upsell"
                    elif roll < 0.8 and qty > 1:
                        new_qty, new_price, kind = (
                            qty - rng.randint(1, int(min(qty - 1, 10))),
                            price,
                            "downsell",
                        )
                    else:
                        new_qty, new_price, kind = qty, price + rng.choice([-10_000, 10_000, 20_000]), "price"
                        new_price = max(new_price, Decimal(10_000))
                    changes.append(
                        ContractChange(
                            contract=c,
                            line=line,
                            kind=kind,
                            effective_date=when,
                            quantity_before=qty,
                            quantity_after=new_qty,
                            unit_price_before=price,
                            unit_price_after=new_price,
                            arr_delta=new_qty * new_price - qty * price,
                        )
                    )
                    qty, price = new_qty, new_price
                arr_by_contract[c.pk] = qty * price
            ContractChange.objects.bulk_create(changes, batch_size=10_000)
        made += n
        print(f"{made:,} contracts, {ContractChange.objects.count():,} change rows", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE success_contract, success_contractline, success_contractchange")
    print(f"loaded in {time.perf_counter() - t0:.0f}s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.revenue", description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--amendments", type=int, default=5, help="per contract (500,000 for 100,000)")
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--load-only", action="store_true")
    args = parser.parse_args(argv)
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from baton.core.models import Role, User
    from baton.success import revenue
    from baton.success.models import Contract, ContractChange

    call_command("migrate", verbosity=0)
    if not Contract.objects.exists():
        load(args.contracts, args.amendments)
    elif args.load_only:
        print("contracts are already loaded: drop the database to load again", file=sys.stderr)
        return 1
    if args.load_only:
        return 0
    print(
        f"{connection.vendor}: {Contract.objects.count():,} contracts, "
        f"{ContractChange.objects.count():,} change rows",
        flush=True,
    )
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).first() or User.objects.create_superuser(
        "bench-admin", "bench-admin@example.com", None, role=Role.ADMIN
    )
    rep = User.objects.filter(username="rev0").first()
    today = timezone.localdate()
    first, last = today - dt.timedelta(days=364), today

    def page_compute(user: Any, by: str) -> Callable[[], Any]:
        def run() -> Any:
            contracts = None if user.is_admin else Contract.objects.visible_to(user)
            revenue.movements(contracts, first, last, by)
            revenue.cohorts(contracts, today)
            revenue.arr_on(contracts, today)

        return run

    cases: list[tuple[str, Callable[[], Any]]] = [
        ("NRR computation, admin, total", page_compute(admin, "")),
        ("NRR computation, admin, by family", page_compute(admin, "family")),
        ("NRR computation, admin, by owner", page_compute(admin, "owner")),
    ]
    if rep is not None:
        cases.append(("NRR computation, rep, total", page_compute(rep, "")))
    client = Client()
    client.force_login(admin)
    cases.append(("NRR page /success/revenue/ (admin)", lambda: client.get("/success/revenue/")))
    if rep is not None:
        rep_client = Client()
        rep_client.force_login(rep)
        cases.append(("NRR page /success/revenue/ (rep)", lambda: rep_client.get("/success/revenue/")))
    print(f"{'case':44} {'p50':>8} {'p95':>8} {'max':>8} {'queries':>8}")
    worst = 0.0
    for name, fn in cases:
        samples = timed(fn, args.iterations)
        with CaptureQueriesContext(connection) as ctx:
            fn()
        p95 = percentile(samples, 95)
        worst = max(worst, p95)
        print(
            f"{name:44} {percentile(samples, 50):8.0f} {p95:8.0f} {max(samples):8.0f} "
            f"{len(ctx.captured_queries):8}",
            flush=True,
        )
    print(f"worst p95 {worst:.0f} ms (target < 500 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
