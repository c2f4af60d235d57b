"""``baton process_sweep``: apply automatic transitions whose criteria became true with time."""

import time

from django.core.management.base import BaseCommand

from baton.core.audit import audit_context, new_job_id
from baton.process.models import RecordKind
from baton.process.services import sweep


class Command(BaseCommand):
    help = "Re-evaluate stage criteria of open records and apply the automatic transitions now met."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind", action="append", choices=RecordKind.values, help="Only this record kind."
        )
        parser.add_argument("--limit", type=int, default=None, help="Stop after checking this many records.")
        parser.add_argument(
            "--batch", type=int, default=1000, help="Records per chunk (one query per fact kind per chunk)."
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        with audit_context(job_id=new_job_id(), source="task"):
            stats = sweep(kinds=options["kind"], limit=options["limit"], batch=options["batch"])
        seconds = time.perf_counter() - started
        rate = stats["checked"] / seconds if seconds else 0
        self.stdout.write(
            f"checked {stats['checked']}, moved {stats['moved']}, hand-offs offered {stats['handoffs']} "
            f"in {seconds:.1f} s ({rate:,.0f} records/s)"
        )
