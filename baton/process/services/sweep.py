"""The periodic sweep: re-evaluate open records whose stage has an automatic successor."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from baton.process.facts import build_facts_batch, record_model
from baton.process.models import HandOff, RecordKind, StageHistory
from baton.process.services.clock import now
from baton.process.services.design_cache import load_design
from baton.process.services.evaluation import paused_records, plan_advance
from baton.process.services.stays import current_stay
from baton.process.services.transitions import apply_advance


def sweep(
    *,
    kinds: list[str] | None = None,
    limit: int | None = None,
    batch: int = 1000,
    at: dt.datetime | None = None,
) -> dict[str, int]:
    """Re-evaluate open records whose stage has an automatic successor (time-based facts change daily).

    Records are read in id-ordered chunks of ``batch``: per chunk one query for the open stays, one for
    the records, one for pending hand-offs, at most two for recycles and one per kind of fact the
    criteria need. Only the records that move are written, each in its own transaction, so a long
    sweep never holds locks and can be stopped and rerun. Facts are read and moves written as of
    ``at`` (now by default).
    """
    design = load_design()
    kinds = kinds or [RecordKind.LEAD, RecordKind.OPPORTUNITY, RecordKind.ACCOUNT]
    stats = {"checked": 0, "moved": 0, "handoffs": 0}
    at = at or now()
    for kind in kinds:
        stages = [s for s in design.active(kind) if design.automatic_from(s)]
        if not stages:
            continue
        names = set().union(*(design.facts_needed(s) for s in stages))
        last_id = 0
        model = record_model(kind)
        while True:
            size = batch if limit is None else min(batch, limit - stats["checked"])
            if size <= 0:
                return stats
            stays = list(
                StageHistory.objects.filter(
                    record_kind=kind,
                    left_at__isnull=True,
                    stage_id__in=[s.pk for s in stages],
                    record_id__gt=last_id,
                ).order_by("record_id")[:size]
            )
            if not stays:
                break
            last_id = stays[-1].record_id
            ids = [stay.record_id for stay in stays]
            waiting = set(
                HandOff.objects.filter(
                    record_kind=kind, record_id__in=ids, status=HandOff.Status.PENDING
                ).values_list("record_id", flat=True)
            )
            skip = waiting | paused_records(kind, [i for i in ids if i not in waiting], at)
            candidates = [stay for stay in stays if stay.record_id not in skip]
            records = model._default_manager.in_bulk([stay.record_id for stay in candidates])
            present = [stay for stay in candidates if stay.record_id in records]
            facts = build_facts_batch(
                kind,
                [records[stay.record_id] for stay in present],
                stays={stay.record_id: stay for stay in present},
                now=at,
                names=names,
            )
            stats["checked"] += len(stays)
            for stay in present:
                current = design.by_id[stay.stage_id]
                plan = plan_advance(design, current, facts[stay.record_id])
                if plan is None:
                    continue
                with transaction.atomic():
                    locked = current_stay(kind, stay.record_id, lock=True)
                    if locked is None or locked.pk != stay.pk:
                        continue  # moved since the chunk was read; the next sweep looks again
                    outcome = apply_advance(
                        records[stay.record_id],
                        plan,
                        design=design,
                        current=current,
                        stay=locked,
                        rule="sweep",
                        at=at,
                        locked=True,
                    )
                if isinstance(outcome, StageHistory):
                    stats["moved"] += 1
                elif isinstance(outcome, HandOff):
                    stats["handoffs"] += 1
    return stats
