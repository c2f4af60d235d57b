"""Rescore every lead in bulk (after a rule change, a new model, or nightly for engagement decay)."""

import time

from django.core.management.base import BaseCommand

from baton.core.audit import audit_context, new_job_id
from baton.scoring.scores.services import score_all_leads


class Command(BaseCommand):
    help = "Recompute fit, engagement and predicted scores of every lead."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=20000)
        parser.add_argument("--limit", type=int, default=None)

    def handle(self, *args, batch, limit, **options):
        started = time.perf_counter()

        def progress(done: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            self.stderr.write(f"{done} leads scored ({rate:,.0f}/s)")

        with audit_context(job_id=new_job_id(), source="task"):
            done = score_all_leads(batch=batch, limit=limit, progress=progress)
        self.stdout.write(f"{done} leads scored in {time.perf_counter() - started:.1f}s")
