"""Import throughput (issue 11): leads with their interactions, through the real import path.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baton_bench_transfer \\
        python -m bench.transfer --leads 2000 --touches 5 [--compare]

Migrates the database in DATABASE_URL (create it first; use an empty one), writes a leads CSV and an
interactions CSV (``--touches`` per lead) under a temporary directory, then runs each file as an
import job would run in the worker (the real run: validation, duplicate matching by the conversion
rules, the services, the process and scoring hooks, per-row savepoints, the audit with the job id and
the row results for rollback) and prints rows per second. For scale it also times PostgreSQL's
``COPY`` of the same lead rows into a bare table (no validation, no indexes): the ratio is the share of
raw load speed the import reaches.

``--compare`` runs the same files twice in one run with fresh e-mails and external ids: first row by
row as before issue 11's batching (each row's process placement and audit rows inside the row), then
chunked as shipped (placement and audit per chunk of ``engine.BATCH`` rows), and prints the ratio.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import tempfile
import time
from pathlib import Path

import django


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--touches", type=int, default=5, help="interactions per lead")
    parser.add_argument("--duplicates", default="match", choices=["create", "match", "merge"])
    parser.add_argument("--compare", action="store_true", help="row by row first, then chunked")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baton.settings")
    os.environ.setdefault("BATON_TASKS_BACKEND", "dummy")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from baton.core.models import Role, User
    from baton.transfer import engine, services
    from baton.transfer.models import ImportJob

    call_command("migrate", verbosity=0)
    admin = User.objects.filter(username="bench-import").first() or User.objects.create_user(
        username="bench-import", password="x", role=Role.ADMIN, display_name="Bench import"
    )
    modes = [False, True] if args.compare else [True]
    results = {}
    for chunked in modes:
        engine.run.CHUNKED = chunked  # type: ignore[attr-defined]
        print("row by row (before)" if not chunked else "chunked (as shipped)")
        results[chunked] = _one_run(args, admin, services, engine, ImportJob, connection)
    if args.compare:
        before, after = results[False], results[True]
        print(f"chunked / row by row: {after / before:.2f}x rows/s")


def _one_run(args, admin, services, engine, ImportJob, connection) -> float:
    owners = [admin.username]
    run_tag = f"{time.time_ns()}"
    rng = random.Random(run_tag)  # fresh names, companies and phones: a second run must not match the first
    tmp = Path(tempfile.mkdtemp(prefix="baton-bench-transfer-"))
    leads_csv = tmp / "leads.csv"
    touches_csv = tmp / "touches.csv"
    with leads_csv.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Id", "Name", "Company", "Email", "Phone", "Source", "Owner", "Created"])
        for i in range(args.leads):
            w.writerow(
                [
                    f"L{i}",
                    f"김{rng.choice('민서지하도윤')}{rng.choice('준연우은현')}",
                    f"벤치{run_tag[-6:]}-{i % 997}상사",
                    f"p{run_tag}{i}@bench{i % 997}.co.kr",
                    f"010-{rng.randrange(2000, 10000)}-{rng.randrange(0, 10000):04d}",
                    rng.choice(["web_form", "event", "referral"]),
                    rng.choice(owners),
                    f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00",
                ]
            )
    with touches_csv.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Id", "Lead", "Type", "When", "Note"])
        for i in range(args.leads):
            for t in range(args.touches):
                w.writerow(
                    [
                        f"T{i}-{t}",
                        f"L{i}",
                        rng.choice(["web_visit", "download", "email_reply"]),
                        f"2024-{1 + i % 12:02d}-{1 + (i + t) % 28:02d} 11:{t:02d}",
                        "",
                    ]
                )

    def timed(kind: str, path: Path) -> tuple[int, float]:
        class Upload:
            name = path.name

            def chunks(self):
                with path.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        yield chunk

        job = services.create_job(
            actor=admin,
            upload=Upload(),
            kind=kind,
            source=f"bench-{run_tag}",
            duplicates=args.duplicates,  # type: ignore[arg-type]
        )
        job.status = ImportJob.Status.QUEUED
        job.save(update_fields=["status"])
        start = time.perf_counter()
        engine.real_run(job.pk)
        elapsed = time.perf_counter() - start
        job.refresh_from_db()
        rows = sum(job.counts.values())
        print(f"{kind:12s} {rows:8d} rows  {elapsed:8.1f} s  {rows / elapsed:8.1f} rows/s  {job.counts}")
        return rows, elapsed

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    lead_rows, lead_s = timed("lead", leads_csv)
    touch_rows, touch_s = timed("interaction", touches_csv)
    total = lead_rows + touch_rows
    both = lead_s + touch_s
    print(f"{'together':12s} {total:8d} rows  {both:8.1f} s  {total / both:8.1f} rows/s")
    rate = total / both
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE bench_copy (ext text, name text, company text, email text, phone text,"
                " source text, owner text, created text)"
            )
            data = io.StringIO()
            with leads_csv.open(encoding="utf-8") as fh:
                next(fh)
                data.write(fh.read())
            data.seek(0)
            start = time.perf_counter()
            with cur.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv)") as copy:  # type: ignore[attr-defined]
                copy.write(data.read())
            copy_s = time.perf_counter() - start
        print(
            f"raw COPY of the lead rows: {lead_rows / copy_s:,.0f} rows/s; the import reaches "
            f"{100 * (lead_rows / lead_s) / (lead_rows / copy_s):.3f} % of it"
        )
        with connection.cursor() as cur:
            cur.execute("DROP TABLE bench_copy")
    return rate


if __name__ == "__main__":
    main()
