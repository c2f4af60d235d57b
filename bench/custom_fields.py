"""Filter and sort leads by custom fields: the first page of ``/leads/?cf_tier=gold&cf_sort=-seats``.

    python -m bench.custom_fields [--leads 100000] [--iterations 30] [--json out.json]

On PostgreSQL the leads beyond the first are added by one ``INSERT ... SELECT`` (``_fill_sql``), so
``--leads 1000000`` loads in minutes.

Adds ``--leads`` leads with two custom field values (a filterable choice ``bench_tier`` and a
filterable number ``bench_seats``) when the database has fewer, defines the two fields through the
service (which creates the expression indexes on PostgreSQL), then times the list query an
administrator and a rep run: filter on the choice, sort by the number, first 50 rows. Prints p50/p95
in milliseconds. Rows it adds are kept for the next run (``--cleanup`` deletes them).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from typing import Any

from bench.run import percentile

TIERS = ("gold", "silver", "bronze", "none")


def _ensure_fields() -> None:
    from baton.core.customfields import services
    from baton.core.customfields.models import CustomField

    specs = [
        {"key": "bench_tier", "type": "choice", "choices": [{"value": t} for t in TIERS]},
        {"key": "bench_seats", "type": "number"},
    ]
    for spec in specs:
        values = dict(spec)
        key = values.pop("key")
        existing = CustomField.objects.filter(object="lead", key=key).first()
        if existing is None:
            services.create_field(
                actor=None, object="lead", key=key, label_ko=key, label_en=key, filterable=True, **values
            )
        else:
            services.ensure_index(existing)


def _fill_sql(have: int, target: int, owner: Any) -> int:
    """PostgreSQL: one template lead through the ORM, then the rest copied from it by one
    ``INSERT ... SELECT`` over ``generate_series`` (a million rows in minutes, not an hour of ORM
    batches). Tiers and seats are deterministic functions of the row number."""
    from django.db import connection

    from baton.leads.models import Lead

    template = Lead.objects.create(
        name=f"벤치 {have}",
        company="벤치 회사",
        owner=owner,
        team_id=owner.team_id if owner else None,
        custom_field_data={"bench_tier": TIERS[have % 4], "bench_seats": 1 + (have * 7919) % 5000},
    )
    columns = [f.column for f in Lead._meta.concrete_fields if not f.primary_key]
    override = {
        "name": "'벤치 ' || g",
        "company": "'벤치 회사 ' || mod(g, 5000)",
        "custom_field_data": (
            "jsonb_build_object('bench_tier', (ARRAY['gold','silver','bronze','none'])[1 + mod(g, 4)], "
            "'bench_seats', 1 + mod(g::bigint * 7919, 5000))"
        ),
    }
    select = ", ".join(override.get(c, f't."{c}"') for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    table = Lead._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {select} FROM "{table}" t, '
            f"generate_series(%s, %s) AS g WHERE t.id = %s",
            [have + 1, target - 1, template.pk],
        )
        added = cursor.rowcount
    return added + 1


def _fill(target: int, owner: Any) -> int:
    from django.db import connection

    from baton.leads.models import Lead

    have = Lead.objects.filter(custom_field_data__has_key="bench_seats").count()
    if connection.vendor == "postgresql" and target - have > 10_000:
        added = _fill_sql(have, target, owner)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Lead._meta.db_table}")
        return added
    rng = random.Random(15)
    batch: list[Lead] = []
    added = 0
    for i in range(have, target):
        batch.append(
            Lead(
                name=f"벤치 {i}",
                company=f"벤치 회사 {i % 5000}",
                owner=owner,
                team_id=owner.team_id if owner else None,
                custom_field_data={"bench_tier": rng.choice(TIERS), "bench_seats": rng.randint(1, 5000)},
            )
        )
        if len(batch) == 5000:
            Lead.objects.bulk_create(batch)
            added += len(batch)
            batch = []
    if batch:
        Lead.objects.bulk_create(batch)
        added += len(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Lead._meta.db_table}")
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.custom_fields", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--cleanup", action="store_true", help="delete the benchmark's leads and fields")
    args = parser.parse_args(argv)

    from bench.generate import setup_django

    setup_django()
    from django.db import connection

    from baton.core.customfields.listing import apply_custom
    from baton.core.customfields.models import CustomField
    from baton.core.models import Role, User
    from baton.leads.models import Lead

    if args.cleanup:
        Lead.objects.filter(custom_field_data__has_key="bench_seats").delete()
        CustomField.objects.filter(key__in=["bench_tier", "bench_seats"]).delete()
        return 0
    admin = User.objects.filter(is_superuser=True).first() or User.objects.filter(role=Role.ADMIN).first()
    rep = User.objects.filter(role=Role.FIELD_SALES, team__isnull=False, is_active=True).first()
    if admin is None:
        print("No administrator: load data first (python -m bench.generate or seed_demo).", file=sys.stderr)
        return 1
    started = time.perf_counter()
    added = _fill(args.leads, rep or admin)
    _ensure_fields()
    took = time.perf_counter() - started
    print(f"{Lead.objects.count():,} leads ({added:,} added in {took:.1f}s), {connection.vendor}")
    params = {"cf_bench_tier": "gold", "cf_sort": "-bench_seats"}
    results: dict[str, Any] = {"vendor": connection.vendor, "leads": Lead.objects.count()}
    for label, user in (("admin", admin), ("rep", rep)):
        if user is None:
            continue

        def run(user: Any = user) -> list[int]:
            qs, _state = apply_custom(Lead.objects.visible_to(user), user, "lead", params)
            return list(qs.values_list("pk", flat=True)[:50])

        for _ in range(3):
            run()
        samples = []
        for _ in range(args.iterations):
            t0 = time.perf_counter()
            run()
            samples.append((time.perf_counter() - t0) * 1000)
        p50, p95 = percentile(samples, 50), percentile(samples, 95)
        results[label] = {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}
        what = "filter cf_bench_tier=gold + sort -bench_seats, first 50"
        print(f"{what}, as {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
