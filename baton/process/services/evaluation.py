"""Evaluation without writes: which moves a record's facts allow, and which records wait for a follow-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.utils import timezone

from baton.leads.models import LeadInteraction
from baton.process.criteria import CriterionResult, evaluate_criteria
from baton.process.facts import build_facts, kind_of
from baton.process.models import HandOff, ProcessStage, RecordKind, Recycle, StageCriterion, StageHistory
from baton.process.services.clock import now
from baton.process.services.design_cache import Design, load_design, stage_criteria
from baton.process.services.stays import current_stay


@dataclass
class MoveCheck:
    """The criteria a move to ``stage`` has to meet, evaluated against the record's facts."""

    stage: ProcessStage
    results: list[CriterionResult]
    handoff: bool = False

    @property
    def met(self) -> bool:
        return all(r.met for r in self.results if r.required)

    @property
    def missing(self) -> list[CriterionResult]:
        return [r for r in self.results if r.required and not r.met]


def check_move(
    design: Design, current: ProcessStage | None, to_stage: ProcessStage, facts: dict[str, Any]
) -> MoveCheck:
    criteria = stage_criteria(to_stage, StageCriterion.Kind.ENTRY)
    if current is not None:
        criteria = stage_criteria(current, StageCriterion.Kind.EXIT) + criteria
    handoff = bool(
        to_stage.is_handoff_entry and current is not None and current.department_id != to_stage.department_id
    )
    return MoveCheck(to_stage, evaluate_criteria(criteria, facts), handoff)


def next_stage_checks(
    record: Any, *, design: Design | None = None, at: dt.datetime | None = None
) -> tuple[StageHistory | None, list[MoveCheck]]:
    """The record's current stay and, for every stage it could move to, the criteria met and missing."""
    design = design or load_design()
    kind = kind_of(record)
    stay = current_stay(kind, record.pk)
    facts = build_facts(record, stay=stay, now=at or now())
    current = design.by_id.get(stay.stage_id) if stay else None
    targets = [s for s in design.active(kind) if current is None or s.pk != current.pk]
    if current is not None:
        # Forward stages first, then the ones behind (regressions), keeping the process order.
        targets.sort(key=lambda s: (not design.is_forward(current, s), design.order(s)))
    checks = [check_move(design, current, s, facts) for s in targets]
    return stay, checks


def furthest_automatic(
    design: Design, start: ProcessStage, facts: dict[str, Any]
) -> tuple[ProcessStage | None, list[CriterionResult], ProcessStage | None]:
    """Walk forward while the next stage's required entry criteria are all met.

    Returns the furthest stage reached (or None), the evidence for it, and a hand-off stage when the
    walk ends at another department's entry whose criteria are met. A stage without required
    criteria is a manual gate: automation never walks through it.
    """
    target: ProcessStage | None = None
    evidence: list[CriterionResult] = []
    cursor = start
    for candidate in design.successors(start):
        results = evaluate_criteria(stage_criteria(candidate, StageCriterion.Kind.ENTRY), facts)
        required = [r for r in results if r.required]
        met = all(r.met for r in required)
        if candidate.is_handoff_entry and candidate.department_id != cursor.department_id:
            return target, evidence, candidate if met else None
        if not required or not met:
            break
        target, evidence, cursor = candidate, results, candidate
    return target, evidence, None


def recently_rejected(kind: str, record_id: int, to_stage: ProcessStage, since: dt.datetime) -> bool:
    return HandOff.objects.filter(
        record_kind=kind,
        record_id=record_id,
        to_stage=to_stage,
        status=HandOff.Status.REJECTED,
        decided_at__gte=since,
    ).exists()


def paused_records(kind: str, record_ids: list[int], at: dt.datetime | None = None) -> set[int]:
    """Recycled records that wait for their follow-up date (leads resume early on new activity).

    At most two queries for any number of records."""
    at = at or now()
    today = timezone.localdate(at)
    latest: dict[int, tuple[dt.datetime, dt.date]] = {}
    for record_id, recycled_at, follow_up_on in (
        Recycle.objects.filter(record_kind=kind, record_id__in=record_ids, followed_up_at__isnull=True)
        .order_by("record_id", "recycled_at", "id")
        .values_list("record_id", "recycled_at", "follow_up_on")
    ):
        latest[record_id] = (recycled_at, follow_up_on)  # the latest open recycle counts
    waiting = {pk: recycled_at for pk, (recycled_at, due) in latest.items() if due > today}
    if kind == RecordKind.LEAD and waiting:
        last_touch = dict(
            LeadInteraction.objects.filter(lead_id__in=list(waiting))
            .values("lead_id")
            .annotate(last=Max("occurred_at"))
            .order_by()
            .values_list("lead_id", "last")
        )
        return {pk for pk, since in waiting.items() if not (last_touch.get(pk) and last_touch[pk] > since)}
    return set(waiting)


def automation_paused(kind: str, record_id: int, at: dt.datetime | None = None) -> bool:
    """A recycled record waits for its follow-up date, unless it shows new activity (for leads)."""
    return record_id in paused_records(kind, [record_id], at)


@dataclass
class Advance:
    """What the criteria allow for one record now: a stage to move to and/or a hand-off to offer."""

    target: ProcessStage | None
    handoff_to: ProcessStage | None
    results: list[CriterionResult]


def plan_advance(design: Design, current: ProcessStage, facts: dict[str, Any]) -> Advance | None:
    """Pure evaluation (no queries): where the record's facts take it from ``current``, if anywhere."""
    exits = evaluate_criteria(stage_criteria(current, StageCriterion.Kind.EXIT), facts)
    if not all(r.met for r in exits if r.required):
        return None
    target, results, handoff_to = furthest_automatic(design, current, facts)
    if target is None and handoff_to is None:
        return None
    return Advance(target, handoff_to, exits + results)
