"""Bulk lead scoring benchmark: rescore every lead in the database in DATABASE_URL and report the rate.

    python -m bench.score [--limit N] [--batch 20000]

Scores go to the scoring app's own table (scoring_leadscore); run ``baton migrate`` first so the table
exists. Load leads with ``python -m bench.generate``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--batch", type=int, default=20000)
    parser.add_argument(
        "--interactions",
        type=float,
        default=0.0,
        help="add this many synthetic interactions per lead (PostgreSQL, COPY) first; removed at the end",
    )
    parser.add_argument(
        "--train",
        type=int,
        default=0,
        help="first train the predictive model on the newest N labelled leads (so scoring includes it)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baton.settings")
    import django

    django.setup()
    from django.db import connection

    from baton.leads.models import Lead, LeadInteraction
    from baton.scoring.services import score_all_leads

    added = add_interactions(connection, args.interactions) if args.interactions else 0
    leads = Lead.objects.count()
    interactions = LeadInteraction.objects.count()
    print(f"{connection.vendor}: {leads:,} leads, {interactions:,} interactions")
    if args.train:
        from baton.scoring.services import train_model

        t0 = time.perf_counter()
        row = train_model(max_examples=args.train)
        print(
            f"trained model v{row.version} ({row.status}) on {row.n_train + row.n_test:,} leads in "
            f"{time.perf_counter() - t0:.1f}s; AUC {row.metrics.get('model', {}).get('auc')} vs naive Bayes "
            f"{row.metrics.get('baseline', {}).get('auc')}"
        )
    started = time.perf_counter()

    def progress(done: int) -> None:
        if done % (args.batch * 10) == 0:
            print(f"  {done:,} in {time.perf_counter() - started:.1f}s", flush=True)

    done = score_all_leads(batch=args.batch, limit=args.limit, progress=progress)
    took = time.perf_counter() - started
    print(f"scored {done:,} leads in {took:.1f}s ({done / took:,.0f} leads/s)")
    if added:
        deleted, _ = LeadInteraction.objects.filter(note=MARK).delete()
        print(f"removed {deleted:,} synthetic interactions")
    return 0


MARK = "bench:score"
KINDS = (
    ["web_visit"] * 6
    + ["download"] * 2
    + ["form_submit", "seminar", "inbound_question", "email_reply", "meeting"]
)


def add_interactions(connection, per_lead: float) -> int:
    """Synthetic interactions over the last year for a random subset of leads, marked for removal."""
    import datetime as dt
    import random

    from django.utils import timezone

    from baton.leads.models import Lead

    rng = random.Random(5)
    now = timezone.now()
    ids = list(Lead.objects.values_list("id", flat=True))
    total = int(len(ids) * per_lead)
    started = time.perf_counter()
    with (
        connection.cursor() as cur,
        cur.cursor.copy(
            "COPY leads_leadinteraction (lead_id, kind, occurred_at, note, created_at) FROM STDIN"
        ) as copy,
    ):
        for _ in range(total):
            at = now - dt.timedelta(seconds=rng.random() * 365 * 86400)
            copy.write_row((rng.choice(ids), rng.choice(KINDS), at, MARK, now))
    print(f"added {total:,} synthetic interactions in {time.perf_counter() - started:.1f}s")
    return total


if __name__ == "__main__":
    sys.exit(main())
