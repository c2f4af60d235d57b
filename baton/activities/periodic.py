"""Periodic jobs claimed through the database: whichever worker claims a job's row runs it, once a period."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from baton.activities.models import PeriodicRun


def claim(
    job: str,
    every: dt.timedelta,
    *,
    now: dt.datetime | None = None,
    run_at_start: bool = True,
    worker: str = "",
) -> bool:
    """Claim this period's run of ``job``: True for exactly one caller per period, across processes.

    The first time a job is seen its row is created, due now (``run_at_start``) or one period later
    (heavy jobs, so a fleet's first start does not retrain at once). The claim is one conditional
    UPDATE: of two workers racing, the database lets one see ``next_run_at <= now`` and move it on."""
    now = now or timezone.now()
    if not PeriodicRun.objects.filter(job=job).exists():
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(job=job, next_run_at=now if run_at_start else now + every)
        except IntegrityError:
            pass  # another worker created it first; its next_run_at stands
    claimed = PeriodicRun.objects.filter(job=job, next_run_at__lte=now).update(
        next_run_at=now + every, last_run_at=now, last_worker=worker[:64]
    )
    return claimed == 1
