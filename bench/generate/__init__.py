"""Load a large Korean B2B world fast, for benchmarks.

    python -m bench.generate                      # 1,000,000 leads, 200,000 accounts, 300,000 contacts,
                                                  # 200,000 opportunities, 200 users in 20 teams
    python -m bench.generate --scale 0.01         # the same world at 1 %
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baton_bench python -m bench.generate

Rows go in through bulk paths, not through the services: ``COPY ... FROM STDIN`` on PostgreSQL and
batched ``executemany`` inserts on SQLite. (``bulk_create`` cannot be used: it overwrites the
``auto_now_add`` timestamps that must spread over two years.) The derived columns the services would
set are computed the same way here: ``name_key``/``company_key`` with ``normalize_company``,
``domain`` with ``normalize_domain``, ``team`` from the owner, stage-derived probability, forecast
category and close times. No change-log rows are written: this is benchmark data, not history.

On PostgreSQL, large loads drop the secondary indexes of each table first and rebuild them after the
load (same definitions, read back from ``pg_indexes``), and run with foreign-key triggers off
(``session_replication_role = replica``; the generator only writes ids it has just written). It
finishes with ``VACUUM ANALYZE`` (``ANALYZE`` inside a transaction, e.g. in tests).

Layout: this module (sizes, the report, the command line; importable before Django is set up),
``writer`` (COPY / executemany), ``world`` (the generated people, companies and organisation) and
``loader`` (the load itself). ``python -m bench.generate`` runs ``main``.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from typing import Any

import django
from django.core.management import call_command
from django.db import connection

# Rows per executemany batch on SQLite (COPY streams without batches).
BATCH = 10_000
# Loads at least this big drop and rebuild secondary indexes on PostgreSQL.
REBUILD_INDEXES_FROM = 50_000
BENCH_PREFIX = "bench_"

DEFAULT_SIZES = {"leads": 1_000_000, "accounts": 200_000, "contacts": 300_000, "opportunities": 200_000}


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baton.settings")
    django.setup()


@dataclass
class Sizes:
    leads: int = DEFAULT_SIZES["leads"]
    accounts: int = DEFAULT_SIZES["accounts"]
    contacts: int = DEFAULT_SIZES["contacts"]
    opportunities: int = DEFAULT_SIZES["opportunities"]
    users: int = 200
    teams: int = 20
    campaigns: int = 100

    @classmethod
    def scaled(cls, scale: float, **overrides: int | None) -> Sizes:
        sizes = cls()
        for name in ("leads", "accounts", "contacts", "opportunities", "campaigns"):
            setattr(sizes, name, max(10 if name == "campaigns" else 1, round(getattr(sizes, name) * scale)))
        if scale < 0.05:
            sizes.users, sizes.teams = max(20, round(200 * scale * 10)), max(10, round(20 * scale * 10))
        for name, value in overrides.items():
            if value is not None:
                setattr(sizes, name, value)
        sizes.teams = max(sizes.teams, 10)
        sizes.users = max(sizes.users, sizes.teams * 2)
        sizes.contacts = max(sizes.contacts, sizes.accounts)
        return sizes


@dataclass
class Timing:
    table: str
    rows: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


@dataclass
class Report:
    vendor: str
    timings: list[Timing] = field(default_factory=list)
    index_seconds: float = 0.0
    analyze_seconds: float = 0.0
    total_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.timings)


def generate(sizes: Sizes, **options: Any) -> Report:
    """Load the world into the default database (already migrated); see ``loader.generate``."""
    # The loader imports Django models at its top, so it may only be imported once Django is set up.
    from bench.generate.loader import generate as load

    return load(sizes, **options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the default sizes (e.g. 0.01)")
    parser.add_argument("--leads", type=int)
    parser.add_argument("--accounts", type=int)
    parser.add_argument("--contacts", type=int)
    parser.add_argument("--opportunities", type=int)
    parser.add_argument("--users", type=int)
    parser.add_argument("--teams", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-migrate", action="store_true", help="skip running migrations first")
    parser.add_argument("--keep-indexes", action="store_true", help="PostgreSQL: load with indexes in place")
    args = parser.parse_args(argv)
    setup_django()
    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    sizes = Sizes.scaled(
        args.scale,
        leads=args.leads,
        accounts=args.accounts,
        contacts=args.contacts,
        opportunities=args.opportunities,
        users=args.users,
        teams=args.teams,
    )
    settings_db = connection.settings_dict
    print(
        f"Loading into {connection.vendor} {settings_db['NAME']}: {sizes.leads:,} leads, {sizes.accounts:,} "
        f"accounts, {sizes.contacts:,} contacts, {sizes.opportunities:,} opportunities, {sizes.users} users "
        f"in {sizes.teams} teams"
    )
    report = generate(sizes, seed=args.seed, fast=False if args.keep_indexes else None)
    load_seconds = sum(t.seconds for t in report.timings)
    print(
        f"Loaded {report.rows:,} rows in {load_seconds:.1f}s ({report.rows / load_seconds:,.0f} rows/s); "
        f"indexes {report.index_seconds:.1f}s; (VACUUM) ANALYZE {report.analyze_seconds:.1f}s; "
        f"total {report.total_seconds:.1f}s"
    )
    return 0
