"""``baton process_bench``: stage history at benchmark size, and the factory floor timed against it.

    DATABASE_URL=postgres://.../baton_bench baton process_bench --generate   # once, after bench.generate
    DATABASE_URL=postgres://.../baton_bench baton process_bench              # time metrics and the page

``--generate`` writes synthetic stays (PostgreSQL only, one INSERT ... SELECT per record kind) for every
lead and opportunity that has none: 1-5 stays per lead along the lead stages, 1-4 per deal, the last
one open, so WIP, dwell and conversions all have data. Rows are marked ``rule='bench'``.
"""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client

from baton.core.models import User
from baton.process.models import ProcessStage, StageHistory

LEAD_PATH = ["awareness", "lead_acquired", "nurturing", "mql", "accepted", "working", "sql"]
OPP_PATH = ["considering", "evaluating", "deciding", "purchasing"]

SQL = """
INSERT INTO process_stagehistory (record_kind, record_id, stage_id, from_stage_id, to_stage_id,
    entered_at, left_at, dwell_seconds, method, rule, is_override, reason, evidence, design_version,
    owner_id, team_id, source, size, industry)
SELECT %(kind)s, r.id, (%(path)s)[p.pos], CASE WHEN p.i = 0 THEN NULL ELSE (%(path)s)[p.pos - 1] END,
       CASE WHEN p.i = r.n - 1 THEN NULL ELSE (%(path)s)[p.pos + 1] END,
       r.created_at + make_interval(days => (p.i * r.step)::int),
       CASE WHEN p.i = r.n - 1 THEN NULL
            ELSE r.created_at + make_interval(days => ((p.i + 1) * r.step)::int) END,
       CASE WHEN p.i = r.n - 1 THEN NULL ELSE r.step * 86400 END,
       'auto', 'bench', false, '', '{}'::jsonb, 1, r.owner_id, r.team_id, r.source, '', ''
FROM (
    SELECT t.id, t.created_at, t.owner_id, t.team_id, %(source)s AS source,
           1 + (t.id %% %(maxn)s) AS n, 1 + (t.id %% 9) AS step, (t.id %% 2) AS start
    FROM %(table)s t
    WHERE NOT EXISTS (
        SELECT 1 FROM process_stagehistory h WHERE h.record_kind = %(kind)s AND h.record_id = t.id
    )
) r
CROSS JOIN LATERAL (
    SELECT g AS i, LEAST(g + r.start + 1, %(len)s) AS pos FROM generate_series(0, r.n - 1) g
) p
"""


class Command(BaseCommand):
    help = (
        "Generate stage history at benchmark size (--generate) and time the flow metrics and the floor page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--generate", action="store_true")
        parser.add_argument("--iterations", type=int, default=5)

    def handle(self, *args, **options):
        if options["generate"]:
            if connection.vendor != "postgresql":
                raise CommandError("--generate needs PostgreSQL.")
            ids = dict(ProcessStage.objects.values_list("key", "id"))
            for kind, table, path, source, maxn in (
                ("lead", "leads_lead", LEAD_PATH, "t.source", 5),
                ("opportunity", "deals_opportunity", OPP_PATH, "''", 4),
            ):
                array = "ARRAY[" + ",".join(str(ids[k]) for k in path) + "]"
                # Identifiers and arrays come from this file and the stage table, never from input.
                sql = SQL % {"kind": f"'{kind}'", "path": array, "source": source, "maxn": maxn,
                             "table": table, "len": len(path)}  # fmt: skip
                started = time.perf_counter()
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(sql)
                    self.stdout.write(
                        f"{kind}: {cursor.rowcount} stays in {time.perf_counter() - started:.1f}s"
                    )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE process_stagehistory")
        self._time(options["iterations"])

    def _time(self, iterations: int) -> None:
        self.stdout.write(f"stage history rows: {StageHistory.objects.count()}")
        admin = User.objects.filter(is_superuser=True).first() or User.objects.filter(role="admin").first()
        rep = User.objects.filter(role="field_sales", team__isnull=False, is_active=True).first()
        for label, user in (("admin", admin), ("rep", rep)):
            if user is None:
                continue
            client = Client()
            client.force_login(user)
            for days in (30, 90, 365):
                timings = []
                for _ in range(iterations):
                    started = time.perf_counter()
                    response = client.get(f"/process/?days={days}")
                    timings.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise CommandError(f"/process/ returned {response.status_code}")
                self.stdout.write(
                    f"floor {label:5} {days:3}d: median {statistics.median(timings):7.0f} ms, "
                    f"max {max(timings):7.0f} ms"
                )
