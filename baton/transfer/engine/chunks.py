"""A chunk of rows at a time (issue 11, import throughput): what each row would make the process do
and the audit rows it writes are held back while the chunk's rows run, then done for the whole chunk
before it commits.

Each row still runs in its own savepoint and is all or nothing: a refused row's held-back process work
and audit rows are dropped with it. At the end of the chunk:

- the leads the chunk created are placed in The Model together (``place_new_leads``): one read of the
  open stays, the facts of all of them in one query per kind of fact (grouped by their time when the
  first stage's criteria read time-dependent facts), one insert of their stays;
- the other lead writes (updates, interactions) are replayed per lead in the file's order through the
  process's own ``on_lead_changed``, as of their own times; a lead whose open stage has nothing
  automatic ahead costs one read, however many rows touched it;
- the audit rows of the chunk are inserted in one statement per 500.

If that end-of-chunk work fails, the chunk is rolled back and run again row by row the old way (each
row's process work inside its own savepoint), so a row that the process refuses is refused alone.
Scoring already runs once per transaction after the commit (``scoring.scores.deferred``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils.translation import gettext as _

from baton.core import events
from baton.core.audit import buffered_audit, flush_audit, log_change
from baton.core.models import ChangeLog
from baton.process.facts import INTERACTION_FACTS, build_facts_batch
from baton.process.models import Method, RecordKind, StageHistory
from baton.process.services import load_design, on_lead_change_event, on_lead_changed, request_handoff
from baton.process.services.clock import now as process_now
from baton.process.services.evaluation import furthest_automatic
from baton.process.services.stays import evidence_of, refresh_owner, segment_of

# Facts whose value depends on the time they are read at: leads placed at different times are then
# read time by time (the others are read for the whole chunk at once).
TIME_FACTS = INTERACTION_FACTS | {"days_in_stage", "days_since_created", "company_seminar_attendees_90d"}


class Held:
    """What a chunk's rows held back: lead changes for the process, audit rows to insert."""

    def __init__(self, changes: list[events.LeadChange], audit: list[ChangeLog]) -> None:
        self.changes = changes
        self.audit = audit

    def mark(self) -> tuple[int, int]:
        return len(self.changes), len(self.audit)

    def drop_since(self, mark: tuple[int, int]) -> None:
        """Forget what a refused row held back (its savepoint undid its writes)."""
        del self.changes[mark[0] :]
        del self.audit[mark[1] :]


@contextmanager
def holding() -> Iterator[Held]:
    with (
        events.deferring(events.lead_changed, on_lead_change_event) as changes,
        buffered_audit() as audit,
    ):
        yield Held(changes, audit)


def finish(held: Held, placed_rule: str) -> None:
    """Do the process work the chunk held back, then insert its audit rows."""
    flush_process(held, placed_rule)
    flush_audit(held.audit)


def flush_process(held: Held, placed_rule: str) -> None:
    changes, held.changes[:] = list(held.changes), []
    created = [c for c in changes if c.created]
    if created:
        place_new_leads(created, placed_rule)
    replay([c for c in changes if not c.created])


def place_new_leads(changes: list[events.LeadChange], placed_rule: str) -> None:
    """What ``process.services.place_record`` does for one new lead, for the chunk's new leads at once:
    the first stage, or the furthest one their facts already meet; the stays are marked with
    ``placed_rule`` (stage history rows of a file replace them)."""
    design = load_design()
    first = design.first_stage(RecordKind.LEAD)
    if first is None:
        return
    seen: set[int] = set()
    todo: list[tuple[Any, Any, dt.datetime]] = []
    for change in changes:
        lead = change.lead
        if lead.pk in seen or lead.converted_at is not None:
            continue
        seen.add(lead.pk)
        todo.append((lead, change.actor, change.at or process_now()))
    placed = set(
        StageHistory.objects.filter(
            record_kind=RecordKind.LEAD, record_id__in=seen, left_at__isnull=True
        ).values_list("record_id", flat=True)
    )
    todo = [t for t in todo if t[0].pk not in placed]
    if not todo:
        return
    names = design.facts_needed(first)
    groups: dict[dt.datetime | None, list[tuple[Any, Any, dt.datetime]]] = defaultdict(list)
    by_time = bool(set(names) & TIME_FACTS)
    for item in todo:
        groups[item[2] if by_time else None].append(item)
    stays: list[StageHistory] = []
    audits: list[dict[str, Any]] = []
    handoffs: list[tuple[Any, Any, Any, dt.datetime]] = []
    for at_key, items in groups.items():
        read_at = at_key or max(i[2] for i in items)
        facts = build_facts_batch(RecordKind.LEAD, [i[0] for i in items], stays={}, now=read_at, names=names)
        for lead, actor, at in items:
            target, results, handoff_to = furthest_automatic(design, first, facts[lead.pk])
            stage = target or first
            rule = "criteria" if target else ""
            stays.append(
                StageHistory(
                    record_kind=RecordKind.LEAD,
                    record_id=lead.pk,
                    stage=stage,
                    from_stage=None,
                    entered_at=at,
                    method=Method.INITIAL,
                    actor=actor if actor is not None and actor.pk else None,
                    rule=placed_rule,
                    evidence=evidence_of(results),
                    design_version=design.version,
                    **segment_of(lead),
                )
            )
            audits.append({"actor": actor, "rule": rule})
            if handoff_to is not None:
                handoffs.append((lead, handoff_to, stage, at))
    StageHistory.objects.bulk_create(stays, batch_size=500)
    for stay, audit in zip(stays, audits, strict=True):
        log_change(
            actor=audit["actor"],
            action=ChangeLog.Action.CREATE,
            instance=stay,
            before={"stage": None},
            after={
                "record": f"{stay.record_kind}:{stay.record_id}",
                "stage": stay.stage.key,
                "method": Method.INITIAL,
                "override": False,
                "rule": audit["rule"],
            },
        )
    for lead, to_stage, stage, at in handoffs:
        request_handoff(lead, to_stage, actor=None, from_stage=stage, note=_("Criteria met"), at=at)


def replay(changes: list[events.LeadChange]) -> None:
    """The chunk's other lead writes, per lead in the file's order, through the process's own hook, each
    as of its time (never before the lead's latest stay began, as the row-by-row import did)."""
    if not changes:
        return
    by_lead: dict[int, list[events.LeadChange]] = {}
    for change in changes:
        by_lead.setdefault(change.lead.pk, []).append(change)
    design = load_design()
    open_stays = {
        s.record_id: s
        for s in StageHistory.objects.filter(
            record_kind=RecordKind.LEAD, record_id__in=list(by_lead), left_at__isnull=True
        ).select_related("stage")
    }
    for lead_id, items in by_lead.items():
        lead = items[-1].lead
        if lead.converted_at is not None:
            continue
        stay = open_stays.get(lead_id)
        current = design.by_id.get(stay.stage_id) if stay is not None else None
        if (
            stay is not None
            and current is not None
            and lead.status != "disqualified"
            and current.record_kind == RecordKind.LEAD
            and not design.automatic_from(current)
        ):
            refresh_owner(lead, stay)  # nothing can move: what every row would have done, once
            continue
        for change in items:
            at = change.at
            if at is not None:
                latest = (
                    StageHistory.objects.filter(record_kind=RecordKind.LEAD, record_id=lead_id)
                    .order_by("-entered_at")
                    .values_list("entered_at", flat=True)
                    .first()
                )
                at = max(at, latest) if latest is not None else at
            on_lead_changed(change.lead, actor=change.actor, at=at)
