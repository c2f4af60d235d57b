"""Rescoring after the commit (issue 17, "cheap writes"): a lead write only notes the lead to rescore.

The leads services announce every write (``core.events.lead_changed``). The subscriber here collects
the changed leads of the running transaction in one batch and, once it commits, enqueues one
``rescore_leads_later`` task for the batch on the task backend, so the score's reads and upsert are not
part of the user's write (a bulk write such as the demo or an import enqueues one task, not one per
lead). The worker (or the immediate backend) recomputes the scores moments later; a rolled-back write
enqueues nothing.
"""

from __future__ import annotations

import logging

from django.db import transaction

from baton.activities.jobs import task
from baton.core import events
from baton.leads.models import Lead, LeadInteraction
from baton.scoring.models import LeadScore
from baton.scoring.scores.queries import score_for
from baton.scoring.scores.services import on_lead_facts_changed, rescore_lead

log = logging.getLogger("baton.scoring")


@task()
def rescore_leads_later(lead_ids: list[int]) -> int:
    """Rescore the leads that still exist (a lead may be deleted or erased meanwhile); their number."""
    existing = set(Lead.objects.filter(pk__in=lead_ids).values_list("pk", flat=True))
    for lead_id in lead_ids:
        if lead_id in existing:
            on_lead_facts_changed(lead_id)
    return len(existing)


class _Batch:
    """The leads a transaction changed, enqueued together when it commits (an ``on_commit`` callback)."""

    def __init__(self, lead_id: int) -> None:
        self.lead_ids = [lead_id]
        self.sent = False

    def add(self, lead_id: int) -> None:
        if lead_id not in self.lead_ids:
            self.lead_ids.append(lead_id)

    def __call__(self) -> None:
        self.sent = True
        try:
            rescore_leads_later.enqueue(self.lead_ids)
        except Exception:  # the nightly rescore_all catches up on what was not enqueued
            log.exception("could not enqueue the rescore of leads %s", self.lead_ids)


def schedule_rescore(lead_id: int) -> None:
    """Rescore ``lead_id`` after the running transaction commits (at once outside a transaction)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # The batch of this transaction, if one is still pending (a rolled-back savepoint drops its own).
        for _savepoints, callback, _robust in reversed(connection.run_on_commit):
            if isinstance(callback, _Batch) and not callback.sent:
                callback.add(lead_id)
                return
    transaction.on_commit(_Batch(lead_id))


def rescore_after_commit(payload: events.LeadChange) -> None:
    """``core.events.lead_changed`` subscriber (see ``apps.py``): rescore the lead after the commit."""
    schedule_rescore(payload.lead.pk)


def current_score(lead: Lead) -> LeadScore:
    """The lead's score for a page that shows it right after a write (read-your-writes): the stored one,
    or a fresh one when none is stored yet or the lead or an interaction changed after it was computed
    (the queued rescore has not run yet)."""
    score = score_for(lead)
    if (
        score is None
        or lead.updated_at > score.computed_at
        or LeadInteraction.objects.filter(lead_id=lead.pk, created_at__gt=score.computed_at).exists()
    ):
        return rescore_lead(lead)
    return score
