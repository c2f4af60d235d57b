"""The load: leads, accounts, contacts and opportunities in id order, timed per table."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from baton.accounts.models import Account, Contact
from baton.core.korean import normalize_domain
from baton.core.models import User
from baton.deals.models import LostReason, Opportunity, Pipeline
from baton.deals.services import default_pipeline
from baton.leads.models import Campaign, Lead
from bench.generate import BENCH_PREFIX, REBUILD_INDEXES_FROM, Report, Sizes, Timing
from bench.generate.world import LEAD_SOURCES, LEAD_STATUSES, OPP_STAGES, World, build_org, pick_weighted
from bench.generate.writer import Writer


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
    stage_keys = pick_weighted(rng, OPP_STAGES, 4096)
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
    statuses = pick_weighted(rng, LEAD_STATUSES, 4096)
    sources = pick_weighted(rng, LEAD_SOURCES, 4096)
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
            conv: tuple[dt.datetime | None, int | None, int | None, int | None] = (None, None, None, None)
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
