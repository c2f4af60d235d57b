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
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Rows per executemany batch on SQLite (COPY streams without batches).
BATCH = 10_000
# Loads at least this big drop and rebuild secondary indexes on PostgreSQL.
REBUILD_INDEXES_FROM = 50_000
BENCH_PREFIX = "bench_"

DEFAULT_SIZES = {"leads": 1_000_000, "accounts": 200_000, "contacts": 300_000, "opportunities": 200_000}


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baton.settings")
    import django

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


# --- writing rows fast -------------------------------------------------------------------------


class Writer:
    """Insert tuples into a model's table: COPY on PostgreSQL, executemany batches on SQLite."""

    def __init__(self, connection: Any, *, fast: bool):
        self.connection = connection
        self.vendor = connection.vendor
        self.fast = fast and self.vendor == "postgresql"

    def columns(self, model: Any, attnames: Sequence[str]) -> tuple[list[str], tuple[Any, ...]]:
        """Column names for ``attnames`` plus every other concrete column (filled with its default),
        so fields added to the models later do not break the generator."""
        from django.db.models import NOT_PROVIDED

        given = set(attnames)
        columns = [model._meta.get_field(name).column if name != "id" else "id" for name in attnames]
        extra_values = []
        for f in model._meta.concrete_fields:
            if f.attname in given:
                continue
            if f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif getattr(f, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
                continue
            elif f.blank and f.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField"):
                value = ""
            else:
                raise RuntimeError(f"bench.generate does not know how to fill {model.__name__}.{f.name}")
            columns.append(f.column)
            extra_values.append(value)
        return columns, tuple(extra_values)

    def write(self, model: Any, attnames: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        attnames, rows = self._with_search_columns(model, attnames, rows)
        columns, extra = self.columns(model, attnames)
        table = model._meta.db_table
        if extra:
            rows = (row + extra for row in rows)
        if self.vendor == "postgresql":
            return self._copy(table, columns, rows)
        return self._executemany(table, columns, rows)

    @staticmethod
    def _with_search_columns(
        model: Any, attnames: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> tuple[Sequence[str], Iterable[tuple[Any, ...]]]:
        """Add the derived search columns (baton/core/textsearch.py) the services would write."""
        from baton.core.textsearch import Searchable, search_values

        if not issubclass(model, Searchable) or "search_tokens" in attnames:
            return attnames, rows
        position = {name: i for i, name in enumerate(attnames)}
        texts = [position.get(name) for name in model.SEARCH_FIELDS]
        phones = [position.get(name) for name in model.SEARCH_PHONES]

        def extended() -> Iterator[tuple[Any, ...]]:
            for row in rows:
                yield row + search_values(
                    (str(row[i] or "") for i in texts if i is not None),
                    (str(row[i] or "") for i in phones if i is not None),
                )

        return [*attnames, "search_text", "search_tokens"], extended()

    def _copy(self, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
        import json

        cols = ", ".join(f'"{c}"' for c in columns)
        n = 0
        with (
            self.connection.cursor() as cursor,
            cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row])
                n += 1
        return n

    def _executemany(self, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
        import json

        names = ", ".join(f'"{c}"' for c in columns)
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(["%s"] * len(columns))})'

        def adapt(value: Any) -> Any:
            if isinstance(value, dt.datetime):
                return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, dict):
                return json.dumps(value)
            return value

        n = 0
        batch: list[tuple[Any, ...]] = []
        with self.connection.cursor() as cursor:
            for row in rows:
                batch.append(tuple(adapt(v) for v in row))
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                n += len(batch)
        return n

    # -- PostgreSQL bulk-load helpers --

    def drop_indexes(self, model: Any) -> list[str]:
        """Drop the secondary (non-constraint) indexes of a table; return their definitions."""
        if not self.fast:
            return []
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = %s
                  AND NOT EXISTS (
                      SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass
                  )
                """,
                [table],
            )
            found = cursor.fetchall()
            for name, _ in found:
                cursor.execute(f'DROP INDEX "{name}"')
        return [definition for _, definition in found]

    def create_indexes(self, definitions: list[str]) -> None:
        with self.connection.cursor() as cursor:
            for definition in definitions:
                cursor.execute(definition)

    def next_id(self, model: Any) -> int:
        from django.db.models import Max

        return (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1

    def reset_sequences(self, models: Sequence[Any]) -> None:
        from django.core.management.color import no_style

        statements = self.connection.ops.sequence_reset_sql(no_style(), list(models))
        with self.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# --- the world ---------------------------------------------------------------------------------


def _pick_weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]], k: int) -> list[Any]:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs], k=k)


class World:
    """Generates rows in id order. Everything random comes from one ``random.Random(seed)``."""

    def __init__(self, sizes: Sizes, *, seed: int, now: dt.datetime):
        from baton.demo import vocab as demo

        self.sizes = sizes
        self.rng = random.Random(seed)
        self.now = now
        self.demo = demo
        self.surnames = [(s, r) for s, r, _ in demo.SURNAMES]
        self.surname_weights = [w for _, _, w in demo.SURNAMES]
        # Precomputed pools: drawing from lists is much faster than composing per row.
        rng = self.rng
        sur = rng.choices(self.surnames, weights=self.surname_weights, k=4000)
        giv = [rng.choice(demo.GIVEN_NAMES) for _ in range(4000)]
        self.people = [(s[0] + g[0], f"{g[1]}.{s[1]}") for s, g in zip(sur, giv, strict=True)]
        self.titles = _pick_weighted(rng, demo.CONTACT_TITLES, 1000)
        self.regions = _pick_weighted(rng, demo.REGION_WEIGHTS, 1000)
        from baton.core.choices import CompanySize

        self.company_sizes = _pick_weighted(
            rng,
            [
                (CompanySize.SMALL, 25),
                (CompanySize.MEDIUM, 35),
                (CompanySize.LARGE, 22),
                (CompanySize.ENTERPRISE, 13),
                (CompanySize.MICRO, 5),
            ],
            1000,
        )
        self.span = dt.timedelta(days=730)
        self._key_cache: dict[str, str] = {}

    # -- small helpers --

    def ago(self, fraction: float) -> dt.datetime:
        """A time ``fraction`` of two years before now (0 = now)."""
        return self.now - self.span * fraction

    def company_key(self, name: str) -> str:
        key = self._key_cache.get(name)
        if key is None:
            from baton.core.korean import normalize_company

            key = normalize_company(name)
            if len(self._key_cache) < 500_000:
                self._key_cache[name] = key
        return key

    def company_core(self) -> tuple[str, str, str]:
        """(Korean core name, romanised, industry): prefix + optional second prefix + suffix."""
        rng = self.rng
        a, ar = rng.choice(self.demo.COMPANY_PREFIXES)
        suffix, sr, industry = rng.choice(self.demo.COMPANY_SUFFIXES)
        if rng.random() < 0.7:
            b, br = rng.choice(self.demo.COMPANY_PREFIXES)
            if b != a:
                return a + b + suffix, ar + br + sr, industry
        return a + suffix, ar + sr, industry

    @staticmethod
    def legal_form(core: str, r: float) -> str:
        if r < 0.45:
            return f"(주){core}"
        if r < 0.65:
            return f"{core} 주식회사"
        if r < 0.75:
            return f"㈜{core}"
        if r < 0.92:
            return core
        return f"(유){core}"

    @staticmethod
    def brn(serial: int, type_code: int) -> str:
        from baton.core.korean import brn_check_digit

        office, rest = divmod(serial, 10_000)
        first_nine = f"{101 + office % 899:03d}{type_code:02d}{rest:04d}"
        d = first_nine + str(brn_check_digit(first_nine))
        return f"{d[:3]}-{d[3:5]}-{d[5:]}"

    def mobile(self) -> str:
        r = self.rng.getrandbits(27) % 80_000_000
        return f"010-{2000 + r // 10_000:04d}-{r % 10_000:04d}"


@dataclass
class Org:
    team_ids: list[int]
    user_ids: list[int]
    user_team: dict[int, int]
    field_sales: list[int]
    inside_sales: list[int]
    marketing: list[int]


def build_org(world: World) -> Org:
    """Teams (one ``Bench Sales`` parent over inside and field sales) and users with roles; managers set."""
    from django.contrib.auth.hashers import make_password

    from baton.core.models import Role, Team, User

    sizes = world.sizes
    n_field = max(2, sizes.teams - 8)
    names: list[tuple[str, str]] = [
        ("Bench Sales", Role.SALES_MANAGER),
        ("Bench Marketing", Role.MARKETING),
        ("Bench Inside Sales 1", Role.INSIDE_SALES),
        ("Bench Inside Sales 2", Role.INSIDE_SALES),
        ("Bench Solutions", Role.SOLUTION_ARCHITECT),
        ("Bench Partners", Role.PARTNER_MANAGER),
        ("Bench Operations", Role.OPERATIONS),
        ("Bench Customer Success", Role.CUSTOMER_SUCCESS),
    ] + [(f"Bench Field Sales {i + 1:02d}", Role.FIELD_SALES) for i in range(n_field)]
    sales = Team.objects.create(name=names[0][0])
    teams = [sales] + [
        Team.objects.create(
            name=name, parent=sales if role in (Role.INSIDE_SALES, Role.FIELD_SALES) else None
        )
        for name, role in names[1:]
    ]
    # Field and inside sales get most people; everyone else a handful.
    weights = [1 if role not in (Role.FIELD_SALES, Role.INSIDE_SALES) else 3 for _, role in names]
    per_team = [max(2, round(sizes.users * w / sum(weights))) for w in weights]
    password = make_password(None)  # unusable: the benchmark logs in with force_login
    users = []
    for index, (team, (_, role), count) in enumerate(zip(teams, names, per_team, strict=True)):
        for j in range(count):
            name, _local = world.people[(index * 37 + j) % len(world.people)]
            users.append(
                User(
                    username=f"{BENCH_PREFIX}t{index + 1:02d}_u{j + 1:02d}",
                    display_name=name,
                    role=role,
                    team=team,
                    password=password,
                    email=f"{BENCH_PREFIX}t{index + 1:02d}_u{j + 1:02d}@bench.test",
                )
            )
    users.append(
        User(
            username=f"{BENCH_PREFIX}admin",
            display_name="벤치 관리자",
            role=Role.ADMIN,
            password=password,
            is_staff=True,
            is_superuser=True,
            email="bench_admin@bench.test",
        )
    )
    User.objects.bulk_create(users, batch_size=1000)
    saved = {u.username: u for u in User.objects.filter(username__startswith=BENCH_PREFIX)}
    for index, team in enumerate(teams):
        team.manager = saved[f"{BENCH_PREFIX}t{index + 1:02d}_u01"]
        team.save(update_fields=["manager"])
    by_role: dict[str, list[int]] = {}
    user_team: dict[int, int] = {}
    for u in saved.values():
        if u.team_id:
            by_role.setdefault(u.role, []).append(u.pk)
            user_team[u.pk] = u.team_id
    for ids in by_role.values():
        ids.sort()
    return Org(
        team_ids=[t.pk for t in teams],
        user_ids=sorted(user_team),
        user_team=user_team,
        field_sales=by_role[Role.FIELD_SALES],
        inside_sales=by_role[Role.INSIDE_SALES],
        marketing=by_role[Role.MARKETING],
    )


LEAD_STATUSES = [
    ("new", 20),
    ("working", 18),
    ("nurturing", 20),
    ("qualified", 8),
    ("disqualified", 20),
    ("converted", 14),
]
LEAD_SOURCES = [
    ("web_form", 30),
    ("event", 22),
    ("inbound_call", 8),
    ("business_card", 10),
    ("referral", 6),
    ("partner", 6),
    ("outbound", 10),
    ("import", 6),
    ("api", 2),
]
OPP_STAGES = [
    ("considering", 18),
    ("evaluating", 15),
    ("deciding", 12),
    ("purchasing", 10),
    ("won", 20),
    ("lost", 15),
    ("no_decision", 10),
]


def generate(
    sizes: Sizes,
    *,
    seed: int = 1,
    out: Callable[[str], None] = print,
    fast: bool | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Load the world into the default database (already migrated). ``fast`` (default: for large
    loads on PostgreSQL) drops and rebuilds secondary indexes and skips foreign-key triggers."""
    from django.db import connection, transaction

    from baton.accounts.models import Account, Contact
    from baton.core.korean import normalize_domain
    from baton.core.models import User
    from baton.deals.models import LostReason, Opportunity, Pipeline
    from baton.deals.services import default_pipeline
    from baton.leads.models import Campaign, Lead

    if User.objects.filter(username__startswith=BENCH_PREFIX).exists():
        raise SystemExit(
            "Benchmark data is already loaded here: drop and recreate the database to load it again."
        )
    started = time.perf_counter()
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    if fast is None:
        fast = connection.vendor == "postgresql" and sizes.leads >= REBUILD_INDEXES_FROM
    writer = Writer(connection, fast=fast)
    report = Report(vendor=connection.vendor)
    world = World(sizes, seed=seed, now=now)
    rng = world.rng

    with transaction.atomic():
        org = build_org(world)
    pipeline: Pipeline = default_pipeline()
    stages = {s.key: s for s in pipeline.stages.all()}
    reasons = list(LostReason.objects.filter(is_archived=False).order_by("id"))
    nd_reasons = [r.pk for r in reasons if r.is_no_decision] or [r.pk for r in reasons]
    lost_reasons = [r.pk for r in reasons if not r.is_no_decision] or [r.pk for r in reasons]

    def load(model: Any, attnames: Sequence[str], rows: Iterator[tuple[Any, ...]], label: str) -> None:
        t0 = time.perf_counter()
        with transaction.atomic():
            if writer.fast:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            n = writer.write(model, attnames, rows)
        timing = Timing(label, n, time.perf_counter() - t0)
        report.timings.append(timing)
        out(f"  {label:<14} {n:>10,} rows  {timing.seconds:7.1f}s  {timing.per_second:>10,.0f} rows/s")

    dropped: dict[str, list[str]] = {}
    for model in (Campaign, Account, Contact, Opportunity, Lead):
        dropped[model._meta.db_table] = writer.drop_indexes(model)
    if writer.fast:
        out(f"dropped {sum(len(v) for v in dropped.values())} secondary indexes for the load")

    # -- campaigns --
    campaign_base = writer.next_id(Campaign)
    kinds = ["seminar", "webinar", "email", "advertising", "content", "exhibition"]

    def campaign_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(sizes.campaigns):
            created = world.ago(rng.random())
            starts = (created + dt.timedelta(days=rng.randint(7, 40))).date()
            owner = rng.choice(org.marketing)
            status = "completed" if starts < now.date() else "planned"
            yield (
                campaign_base + i,
                owner,
                org.user_team[owner],
                1,
                created,
                created,
                {},
                f"벤치 캠페인 {i + 1:04d} - {rng.choice(world.demo.PRODUCTS)}",
                rng.choice(kinds),
                status,
                starts,
                starts,
                None,
                "",
            )

    load(
        Campaign,
        [
            "id",
            "owner_id",
            "team_id",
            "version",
            "created_at",
            "updated_at",
            "custom_field_data",
            "name",
            "kind",
            "status",
            "starts_on",
            "ends_on",
            "budget",
            "description",
        ],
        campaign_rows(),
        "campaigns",
    )

    # -- accounts --
    account_base = writer.next_id(Account)
    acc_core: list[str] = []
    acc_name: list[str] = []
    acc_domain: list[str] = []
    acc_owner: list[int] = []
    acc_brn: list[str] = []
    acc_firmo: list[tuple[str, str, str]] = []
    domain_counts: dict[str, int] = {}
    brn_offset = rng.randrange(0, 1_000_000)

    def account_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(sizes.accounts):
            core, roman, industry = world.company_core()
            name = world.legal_form(core, rng.random())
            seen = domain_counts.get(roman, 0)
            domain_counts[roman] = seen + 1
            domain = f"{roman}{seen + 1 if seen else ''}.co.kr"
            website = f"https://www.{domain}"
            owner = org.field_sales[int(rng.random() ** 1.3 * len(org.field_sales))]
            region = world.regions[i % 1000]
            size = world.company_sizes[(i * 7) % 1000]
            brn = world.brn(
                (brn_offset + i * 7) % 8_990_000, 81 if rng.random() < 0.7 else rng.choice((86, 87))
            )
            created = world.ago(rng.random())
            acc_core.append(core)
            acc_name.append(name)
            acc_domain.append(domain)
            acc_owner.append(owner)
            acc_brn.append(brn)
            acc_firmo.append((industry, region, size))
            area = world.demo.AREA_CODES.get(region, "02")
            yield (
                account_base + i,
                owner,
                org.user_team[owner],
                1,
                created,
                created + dt.timedelta(days=rng.random() * 30),
                {},
                name,
                world.company_key(name),
                brn,
                industry,
                region,
                size,
                website,
                normalize_domain(website),
                f"{area}-{rng.randint(200, 999)}{rng.randint(0, 9)}-{rng.randint(0, 9999):04d}",
                "",
                "",
                None,
                False,
            )

    load(
        Account,
        [
            "id",
            "owner_id",
            "team_id",
            "version",
            "created_at",
            "updated_at",
            "custom_field_data",
            "name",
            "name_key",
            "brn",
            "industry",
            "region",
            "size",
            "website",
            "domain",
            "phone",
            "address",
            "description",
            "parent_id",
            "is_archived",
        ],
        account_rows(),
        "accounts",
    )

    # -- contacts: the first contact of account k has id contact_base + k --
    contact_base = writer.next_id(Contact)
    contact_account: list[int] = []
    buyer_roles = [
        "economic_buyer",
        "champion",
        "technical_evaluator",
        "user",
        "procurement",
        "influencer",
        "",
    ]
    departments = world.demo.DEPARTMENTS

    def contact_rows() -> Iterator[tuple[Any, ...]]:
        n_acc = sizes.accounts
        for i in range(sizes.contacts):
            k = i if i < n_acc else rng.randrange(n_acc)
            contact_account.append(k)
            name, local = world.people[rng.randrange(len(world.people))]
            owner = acc_owner[k]
            created = world.ago(rng.random())
            yield (
                contact_base + i,
                owner,
                org.user_team[owner],
                1,
                created,
                created,
                {},
                account_base + k,
                name,
                world.titles[i % 1000],
                departments[i % len(departments)],
                buyer_roles[i % len(buyer_roles)],
                f"{local}{i}@{acc_domain[k]}",
                "",
                world.mobile(),
                "",
                False,
            )

    load(
        Contact,
        [
            "id",
            "owner_id",
            "team_id",
            "version",
            "created_at",
            "updated_at",
            "custom_field_data",
            "account_id",
            "name",
            "title",
            "department",
            "buyer_role",
            "email",
            "phone",
            "mobile",
            "notes",
            "is_archived",
        ],
        contact_rows(),
        "contacts",
    )

    # -- opportunities --
    opp_base = writer.next_id(Opportunity)
    opp_account: list[int] = []
    stage_keys = _pick_weighted(rng, OPP_STAGES, 4096)
    products = world.demo.PRODUCTS
    next_steps = world.demo.NEXT_STEPS

    def opportunity_rows() -> Iterator[tuple[Any, ...]]:
        n_acc = sizes.accounts
        for i in range(sizes.opportunities):
            k = int(rng.random() ** 1.5 * n_acc)  # bigger customers have more deals
            opp_account.append(k)
            owner = (
                acc_owner[k] if rng.random() < 0.9 else org.field_sales[rng.randrange(len(org.field_sales))]
            )
            stage = stages[stage_keys[i % 4096]]
            created = world.ago(rng.random())
            changed = created + (now - created) * rng.random() * 0.8
            closed = stage.outcome != "open"
            usd = rng.random() < 0.03
            if usd:
                amount = Decimal(
                    round(min(max(rng.lognormvariate(math.log(80_000), 0.9), 5_000), 900_000), -2)
                )
            else:
                amount = Decimal(
                    int(
                        round(
                            min(max(rng.lognormvariate(math.log(60_000_000), 1.0), 5_000_000), 900_000_000),
                            -4,
                        )
                    )
                )
            if closed:
                forecast = "closed" if stage.outcome == "won" else "omitted"
                close_date = changed.date()
            else:
                forecast = {"deciding": "best_case", "purchasing": "commit"}.get(stage.key, "pipeline")
                close_date = (now + dt.timedelta(days=rng.randint(-20, 180))).date()
            lost = None
            if stage.outcome == "lost":
                lost = lost_reasons[i % len(lost_reasons)]
            elif stage.outcome == "no_decision":
                lost = nd_reasons[i % len(nd_reasons)]
            yield (
                opp_base + i,
                owner,
                org.user_team[owner],
                1,
                created,
                changed,
                {},
                f"{acc_core[k]} {products[i % len(products)]}",
                account_base + k,
                contact_base + k,
                pipeline.pk,
                stage.pk,
                amount,
                "USD" if usd else "KRW",
                close_date,
                stage.probability,
                forecast,
                "" if closed else next_steps[i % len(next_steps)],
                "",
                lost,
                "",
                changed,
                changed if closed else None,
            )

    load(
        Opportunity,
        [
            "id",
            "owner_id",
            "team_id",
            "version",
            "created_at",
            "updated_at",
            "custom_field_data",
            "name",
            "account_id",
            "primary_contact_id",
            "pipeline_id",
            "stage_id",
            "amount",
            "currency",
            "expected_close_date",
            "probability",
            "forecast_category",
            "next_step",
            "description",
            "lost_reason_id",
            "lost_note",
            "stage_changed_at",
            "closed_at",
        ],
        opportunity_rows(),
        "opportunities",
    )

    # -- leads --
    lead_base = writer.next_id(Lead)
    statuses = _pick_weighted(rng, LEAD_STATUSES, 4096)
    sources = _pick_weighted(rng, LEAD_SOURCES, 4096)
    free_mail = ["naver.com", "gmail.com", "daum.net", "hanmail.net", "kakao.com"]
    owners_pool = org.inside_sales * 6 + org.field_sales * 3 + org.marketing
    reasons_text = world.demo.DISQUALIFY_REASONS
    brn_lead_offset = rng.randrange(0, 1_000_000)

    def lead_rows() -> Iterator[tuple[Any, ...]]:
        n_acc = sizes.accounts
        n_opp = sizes.opportunities
        for i in range(sizes.leads):
            status = statuses[i & 4095]
            created = world.ago(rng.random())
            name, local = world.people[rng.randrange(len(world.people))]
            conv = (None, None, None, None)
            if status == "converted" and n_opp:
                j = rng.randrange(n_opp)
                k = opp_account[j]
                company, domain, brn, firmo = acc_name[k], acc_domain[k], acc_brn[k], acc_firmo[k]
                owner = acc_owner[k]
                converted_at = created + (now - created) * rng.random() * 0.5
                conv = (converted_at, account_base + k, contact_base + k, opp_base + j)
            else:
                if rng.random() < 0.15:
                    k = rng.randrange(n_acc)
                    company = rng.choice((acc_name[k], acc_core[k], f"{acc_core[k]} 주식회사"))
                    domain, brn, firmo = acc_domain[k], acc_brn[k] if rng.random() < 0.3 else "", acc_firmo[k]
                else:
                    core, roman, industry = world.company_core()
                    company = world.legal_form(core, rng.random())
                    domain = f"{roman}.co.kr"
                    brn = world.brn((brn_lead_offset + i * 13) % 8_990_000, 81) if rng.random() < 0.2 else ""
                    firmo = (industry, world.regions[i % 1000], world.company_sizes[(i * 3) % 1000])
                if status == "converted":
                    status = "qualified"
                owner = owners_pool[rng.randrange(len(owners_pool))]
            if rng.random() < 0.15:
                domain = free_mail[i % len(free_mail)]
            source = sources[(i * 7) & 4095]
            campaign = (
                campaign_base + rng.randrange(sizes.campaigns) if source in ("event", "web_form") else None
            )
            yield (
                lead_base + i,
                owner,
                org.user_team[owner],
                1,
                created,
                conv[0] or created + dt.timedelta(hours=rng.random() * 240),
                {},
                name,
                company,
                world.company_key(company),
                world.titles[i % 1000],
                f"{local}{i}@{domain}",
                world.mobile(),
                brn,
                f"https://www.{domain}" if i % 3 else "",
                firmo[0],
                firmo[1],
                firmo[2],
                source,
                campaign,
                status,
                "",
                reasons_text[i % len(reasons_text)] if status == "disqualified" else "",
                *conv,
            )

    load(
        Lead,
        [
            "id",
            "owner_id",
            "team_id",
            "version",
            "created_at",
            "updated_at",
            "custom_field_data",
            "name",
            "company",
            "company_key",
            "title",
            "email",
            "phone",
            "brn",
            "website",
            "industry",
            "region",
            "size",
            "source",
            "campaign_id",
            "status",
            "description",
            "disqualify_reason",
            "converted_at",
            "converted_account_id",
            "converted_contact_id",
            "converted_opportunity_id",
        ],
        lead_rows(),
        "leads",
    )

    writer.reset_sequences([Campaign, Account, Contact, Opportunity, Lead])
    if writer.fast:
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute("SET max_parallel_maintenance_workers = 2")
        for table, definitions in dropped.items():
            t1 = time.perf_counter()
            writer.create_indexes(definitions)
            out(f"  rebuilt {len(definitions):>2} indexes on {table:<22} {time.perf_counter() - t1:6.1f}s")
        report.index_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        # VACUUM too when we can (not inside a transaction): it sets the visibility map, as autovacuum
        # would have in a database that has been running for a while, so index-only scans work.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    report.analyze_seconds = time.perf_counter() - t0
    report.total_seconds = time.perf_counter() - started
    return report


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
    from django.core.management import call_command
    from django.db import connection

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


if __name__ == "__main__":
    sys.exit(main())
