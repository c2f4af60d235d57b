"""Every write of The Model: moves, automatic transitions, hand-offs, recycling, follow-ups, qualification.

The other apps call the ``on_*`` hooks after their own writes (lead created/changed/converted,
opportunity created/moved, interaction logged); the hooks place records in the process, keep the
pipeline stage and the process stage in step, and apply automatic transitions when criteria are met.
Every write here is audited with ``log_change``.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, Role, User
from baton.core.records import can_edit
from baton.core.services import ServiceError, save_checklist_answer
from baton.core.workdays import add_working_days
from baton.process.criteria import CriterionResult, evaluate_criteria, referenced_facts
from baton.process.facts import build_facts, build_facts_batch, kind_of, record_model
from baton.process.models import (
    Department,
    DesignVersion,
    HandOff,
    Method,
    ProcessStage,
    QualificationAnswer,
    QualificationItem,
    RecordKind,
    Recycle,
    StageCriterion,
    StageHistory,
)

DEFAULT_FOLLOW_UP_DAYS = 90
REJECTED_FOLLOW_UP_DAYS = 30
_clock: ContextVar[dt.datetime | None] = ContextVar("baton_process_clock", default=None)


def now() -> dt.datetime:
    """The time process rows are written at: the wall clock, or the one ``process_clock`` set."""
    return _clock.get() or timezone.now()


@contextmanager
def process_clock(at: dt.datetime | None) -> Iterator[None]:
    """Write process rows (stays, hand-offs, recycles) as of ``at``: imports and the demo back-date."""
    token = _clock.set(at)
    try:
        yield
    finally:
        _clock.reset(token)


# --- the design, loaded once per operation --------------------------------------------------------


@dataclass
class Design:
    stages: list[ProcessStage]
    by_id: dict[int, ProcessStage] = field(default_factory=dict)
    by_key: dict[str, ProcessStage] = field(default_factory=dict)
    version: int = 0

    def __post_init__(self) -> None:
        self.by_id = {s.pk: s for s in self.stages}
        self.by_key = {s.key: s for s in self.stages}
        self._order = {s.pk: i for i, s in enumerate(self.stages)}
        self._needs: dict[int, frozenset[str]] = {}

    def facts_needed(self, stage: ProcessStage) -> frozenset[str]:
        """Facts an automatic step out of ``stage`` reads: its exit and its successors' entry criteria."""
        if stage.pk not in self._needs:
            # The same walk as ``_furthest_automatic``: up to the first manual gate or hand-off.
            criteria = _criteria(stage, StageCriterion.Kind.EXIT)
            department = stage.department_id
            for candidate in self.successors(stage):
                entry = _criteria(candidate, StageCriterion.Kind.ENTRY)
                criteria += entry
                if candidate.is_handoff_entry and candidate.department_id != department:
                    break
                if not any(c.required for c in entry):
                    break
                department = candidate.department_id
            names: set[str] = set()
            for criterion in criteria:
                try:
                    names.update(referenced_facts(criterion.expression))
                except ValueError:
                    continue
            self._needs[stage.pk] = frozenset(names)
        return self._needs[stage.pk]

    def automatic_from(self, stage: ProcessStage) -> bool:
        """Whether anything automatic can happen to a record in ``stage`` (criteria or a hand-off ahead)."""
        if stage.is_terminal:
            return False
        return bool(_criteria(stage, StageCriterion.Kind.EXIT)) or any(
            _criteria(n, StageCriterion.Kind.ENTRY) or n.is_handoff_entry for n in self.successors(stage)
        )

    def order(self, stage: ProcessStage) -> int:
        return self._order[stage.pk]

    def active(self, kind: str | None = None) -> list[ProcessStage]:
        return [s for s in self.stages if not s.is_archived and (kind is None or s.record_kind == kind)]

    def successors(self, stage: ProcessStage) -> list[ProcessStage]:
        return [
            s
            for s in self.active(stage.record_kind)
            if self.order(s) > self.order(stage) and not s.is_terminal
        ]

    def first_stage(self, kind: str) -> ProcessStage | None:
        stages = [s for s in self.active(kind) if not s.is_terminal]
        return stages[0] if stages else None

    def recycle_target(self) -> ProcessStage | None:
        targets = [s for s in self.active() if s.is_recycle_target]
        return targets[0] if targets else None

    def for_deal_stage(self, key: str) -> ProcessStage | None:
        for s in self.active(RecordKind.OPPORTUNITY):
            if s.deal_stage_key == key:
                return s
        return None

    def is_forward(self, a: ProcessStage, b: ProcessStage) -> bool:
        return self.order(b) > self.order(a)


_design_cache: dict[str, Any] = {}
_design_lock = threading.Lock()


def invalidate_design_cache(**_kwargs: Any) -> None:
    _design_cache.clear()


def load_design() -> Design:
    """The current design, cached per process and keyed by the latest design version.

    Every design change goes through ``baton.process.design``, which writes a new ``DesignVersion``; one
    indexed single-row query per operation therefore tells every worker process whether its copy is
    still current. Saves in this process (signals) clear the cache as well.
    """
    head = DesignVersion.objects.order_by("-number").values_list("id", "number", "created_at").first()
    key = repr(head)
    cached = _design_cache.get(key)
    if cached is not None:
        return cached
    design = _load_design(head[1] if head else 0)
    with _design_lock:
        _design_cache.clear()
        _design_cache[key] = design
    return design


def _load_design(version: int) -> Design:
    stages = list(
        ProcessStage.objects.select_related("department")
        .prefetch_related(
            Prefetch(
                "criteria",
                queryset=StageCriterion.objects.filter(is_archived=False).order_by("kind", "sequence", "id"),
            )
        )
        .order_by("department__sequence", "sequence", "id")
    )
    return Design(stages, version=version)


def _criteria(stage: ProcessStage, kind: str) -> list[StageCriterion]:
    return [c for c in stage.criteria.all() if c.kind == kind]


# --- small helpers -----------------------------------------------------------------------------------


def get_record(kind: str, record_id: int) -> Any:
    return record_model(kind)._default_manager.get(pk=record_id)


def current_stay(kind: str, record_id: int, *, lock: bool = False) -> StageHistory | None:
    qs = StageHistory.objects.filter(record_kind=kind, record_id=record_id, left_at__isnull=True)
    if lock:
        qs = qs.select_for_update(of=("self",))
    # The evidence (criteria results) is kept for history, never needed to move a record: skip decoding it.
    return qs.select_related("stage").defer("evidence", "stage__description").order_by().first()


def pending_handoff(kind: str, record_id: int) -> HandOff | None:
    return HandOff.objects.filter(
        record_kind=kind, record_id=record_id, status=HandOff.Status.PENDING
    ).first()


def _source_of(record: Any) -> str:
    return getattr(record, "source", "") or ""


def segment_of(record: Any) -> dict[str, Any]:
    """What flow metrics filter on, copied onto stays, hand-offs and recycles: owner, team, source and
    the segment (company size and industry: the lead's own, or the account's for deals and accounts)."""
    holder = record
    if kind_of(record) == RecordKind.OPPORTUNITY:
        holder = record.account
    return {
        "owner_id": record.owner_id,
        "team_id": record.team_id,
        "source": _source_of(record),
        "size": getattr(holder, "size", "") or "",
        "industry": getattr(holder, "industry", "") or "",
    }


def can_act_for(user: User, department: Department) -> bool:
    """Members of the receiving department (by role), sales managers and admins decide hand-offs."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_admin or user.role == Role.SALES_MANAGER or user.role in (department.roles or [])


def check_can_move(user: User | None, record: Any) -> None:
    if user is not None and not can_edit(user, record):
        raise PermissionDenied(_("You may not move this record."))


# --- evaluation --------------------------------------------------------------------------------------


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
    criteria = _criteria(to_stage, StageCriterion.Kind.ENTRY)
    if current is not None:
        criteria = _criteria(current, StageCriterion.Kind.EXIT) + criteria
    handoff = bool(
        to_stage.is_handoff_entry and current is not None and current.department_id != to_stage.department_id
    )
    return MoveCheck(to_stage, evaluate_criteria(criteria, facts), handoff)


def next_stage_checks(
    record: Any, *, design: Design | None = None
) -> tuple[StageHistory | None, list[MoveCheck]]:
    """The record's current stay and, for every stage it could move to, the criteria met and missing."""
    design = design or load_design()
    kind = kind_of(record)
    stay = current_stay(kind, record.pk)
    facts = build_facts(record, stay=stay, now=now())
    current = design.by_id.get(stay.stage_id) if stay else None
    targets = [s for s in design.active(kind) if current is None or s.pk != current.pk]
    if current is not None:
        # Forward stages first, then the ones behind (regressions), keeping the process order.
        targets.sort(key=lambda s: (not design.is_forward(current, s), design.order(s)))
    checks = [check_move(design, current, s, facts) for s in targets]
    return stay, checks


def _furthest_automatic(
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
        results = evaluate_criteria(_criteria(candidate, StageCriterion.Kind.ENTRY), facts)
        required = [r for r in results if r.required]
        met = all(r.met for r in required)
        if candidate.is_handoff_entry and candidate.department_id != cursor.department_id:
            return target, evidence, candidate if met else None
        if not required or not met:
            break
        target, evidence, cursor = candidate, results, candidate
    return target, evidence, None


# --- the one place a stay is opened and closed ------------------------------------------------------


def _leave(stay: StageHistory, to_stage: ProcessStage | None, at: dt.datetime) -> None:
    stay.left_at = at
    stay.to_stage = to_stage
    stay.dwell_seconds = max(0, int((at - stay.entered_at).total_seconds()))
    stay.save(update_fields=["left_at", "to_stage", "dwell_seconds"])


def _enter(
    record: Any,
    stage: ProcessStage,
    *,
    from_stage: ProcessStage | None,
    method: str,
    actor: User | None,
    rule: str = "",
    override: bool = False,
    reason: str = "",
    evidence: dict | None = None,
    at: dt.datetime,
    version: int,
) -> StageHistory:
    stay = StageHistory.objects.create(
        record_kind=kind_of(record),
        record_id=record.pk,
        stage=stage,
        from_stage=from_stage,
        entered_at=at,
        method=method,
        actor=actor if actor is not None and actor.pk else None,
        rule=rule[:120],
        is_override=override,
        reason=reason[:300],
        evidence=evidence or {},
        design_version=version,
        **segment_of(record),
    )
    # Audited on the stay itself (the record's own change log keeps the record's field changes).
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE,
        instance=stay,
        before={"stage": from_stage.key if from_stage else None},
        after={
            "record": f"{stay.record_kind}:{stay.record_id}",
            "stage": stage.key,
            "method": method,
            "override": override,
            "rule": rule[:120],
        },
        note=reason,
    )
    return stay


def _audit_exit(actor: User | None, stay: StageHistory, note: str = "") -> None:
    """Audit a stay closed without a new stay for the same record (conversion, hand-over to CS)."""
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=stay,
        before={"left_at": None},
        after={
            "left_at": stay.left_at.isoformat() if stay.left_at else None,
            "to_stage": stay.to_stage.key if stay.to_stage else None,
        },
        note=note,
    )


def _evidence(results: list[CriterionResult]) -> dict[str, Any]:
    return {"criteria": [r.as_dict() for r in results]}


def transition(
    record: Any,
    to_stage: ProcessStage,
    *,
    design: Design,
    method: str,
    actor: User | None,
    rule: str = "",
    override: bool = False,
    reason: str = "",
    evidence: dict | None = None,
    at: dt.datetime | None = None,
    from_stage_hint: ProcessStage | None = None,
    lost_reason: Any = None,
    locked_stay: StageHistory | None = None,
) -> StageHistory:
    """Close the current stay and open one in ``to_stage``; audit it. An opportunity goes through
    ``move_opportunity_stage``, which keeps its pipeline stage in step.

    ``locked_stay``: the record's open stay, already read with a row lock by the caller."""
    at = at or now()
    if kind_of(record) == RecordKind.OPPORTUNITY:
        return move_opportunity_stage(  # type: ignore[return-value]  # a process move always ends in a stay
            record,
            process_stage=to_stage,
            design=design,
            method=method,
            actor=actor,
            rule=rule,
            override=override,
            reason=reason,
            evidence=evidence,
            at=at,
            from_stage_hint=from_stage_hint,
            lost_reason=lost_reason,
            locked_stay=locked_stay,
        )
    return _transition_stay(
        record,
        to_stage,
        design=design,
        method=method,
        actor=actor,
        rule=rule,
        override=override,
        reason=reason,
        evidence=evidence,
        at=at,
        from_stage_hint=from_stage_hint,
        stay=locked_stay if locked_stay is not None else current_stay(kind_of(record), record.pk, lock=True),
    )


def _transition_stay(
    record: Any,
    to_stage: ProcessStage,
    *,
    design: Design,
    method: str,
    actor: User | None,
    rule: str,
    override: bool,
    reason: str,
    evidence: dict | None,
    at: dt.datetime,
    from_stage_hint: ProcessStage | None,
    stay: StageHistory | None,
) -> StageHistory:
    """The process side of a move: close ``stay`` (locked by the caller), open one in ``to_stage``."""
    kind = kind_of(record)
    if stay is not None and stay.stage_id == to_stage.pk:
        return stay
    previous = design.by_id.get(stay.stage_id) if stay else from_stage_hint
    if stay is not None:
        _leave(stay, to_stage, at)
    new = _enter(
        record,
        to_stage,
        from_stage=previous,
        method=method,
        actor=actor,
        rule=rule,
        override=override,
        reason=reason,
        evidence=evidence,
        at=at,
        version=design.version,
    )
    HandOff.objects.filter(record_kind=kind, record_id=record.pk, status=HandOff.Status.PENDING).exclude(
        to_stage=to_stage
    ).update(status=HandOff.Status.CANCELLED, decided_at=at)
    return new


@transaction.atomic
def move_opportunity_stage(
    opportunity: Any,
    *,
    at: dt.datetime,
    actor: User | None,
    deal_stage: Any = None,
    process_stage: ProcessStage | None = None,
    expected_version: int | None = None,
    lost_reason: Any = None,
    note: str = "",
    design: Design | None = None,
    method: str = Method.SYNC,
    rule: str = "",
    override: bool = False,
    reason: str = "",
    evidence: dict | None = None,
    from_stage_hint: ProcessStage | None = None,
    locked_stay: StageHistory | None = None,
) -> StageHistory | None:
    """The one function that moves an opportunity: its pipeline stage and its process stay, together.

    Give ``deal_stage`` for a pipeline move (the board, the deal page, the API): the pipeline stage is
    written and the process stage follows it, marked as an override when its criteria are not met.
    Give ``process_stage`` for a process move (the process panel, automatic advances, the sweep): the
    stay is written and the pipeline stage follows when the process stage names one. Neither write
    calls back into the other, and every row is written as of ``at``."""
    from baton.deals.models import Stage  # process sits above deals: it may read and write deals
    from baton.deals.services import write_stage

    design = design or load_design()

    def open_stay() -> StageHistory | None:
        if locked_stay is not None:
            return locked_stay
        return current_stay(RecordKind.OPPORTUNITY, opportunity.pk, lock=True)

    if deal_stage is not None:
        write_stage(
            opportunity,
            deal_stage,
            actor=actor,
            expected_version=expected_version,
            lost_reason=lost_reason,
            note=note,
            at=at,
        )
        stay = open_stay()  # locked after the deal row, the order every deal write takes
        if stay is None:
            return _place_opportunity(opportunity, design=design, actor=actor, at=at)
        _refresh_owner(opportunity, stay)
        process_stage = design.for_deal_stage(deal_stage.key)
        if process_stage is None or process_stage.pk == stay.stage_id:
            return stay
        check = check_move(
            design,
            design.by_id[stay.stage_id],
            process_stage,
            build_facts(opportunity, stay=stay, now=at),
        )
        method, override, evidence = Method.SYNC, not check.met, _evidence(check.results)
        reason = note or _("Moved on the pipeline")
    elif process_stage is not None:
        stay = open_stay()
        key = process_stage.deal_stage_key
        if key and opportunity.stage.key != key and (stay is None or stay.stage_id != process_stage.pk):
            target = Stage.objects.filter(pipeline_id=opportunity.pipeline_id, key=key).first()
            if target is not None:
                write_stage(
                    opportunity,
                    target,
                    actor=actor,
                    expected_version=expected_version,
                    lost_reason=lost_reason,
                    note=reason,
                    at=at,
                )
    else:
        raise ValueError("move_opportunity_stage needs a deal stage or a process stage")
    new = _transition_stay(
        opportunity,
        process_stage,
        design=design,
        method=method,
        actor=actor,
        rule=rule,
        override=override,
        reason=reason,
        evidence=evidence,
        at=at,
        from_stage_hint=from_stage_hint,
        stay=stay,
    )
    if process_stage.outcome == ProcessStage.Outcome.WON and new is not stay:
        _offer_account_to_customer_success(
            opportunity, design=design, won_stage=process_stage, actor=actor, at=at
        )
    return new


def _place_opportunity(
    opportunity: Any, *, design: Design, actor: User | None, at: dt.datetime
) -> StageHistory | None:
    """A new opportunity enters the process at the stage its pipeline stage maps to (or the first)."""
    stage = design.for_deal_stage(opportunity.stage.key) or design.first_stage(RecordKind.OPPORTUNITY)
    if stage is None:
        return None
    return _enter(
        opportunity,
        stage,
        from_stage=None,
        method=Method.INITIAL,
        actor=actor,
        at=at,
        version=design.version,
    )


def _offer_account_to_customer_success(
    opp: Any, *, design: Design, won_stage: ProcessStage, actor: User | None, at: dt.datetime
) -> None:
    """A won deal hands its account to Customer Success, unless the account is already in their care."""
    account = opp.account
    if current_stay(RecordKind.ACCOUNT, account.pk) is not None:
        return
    entry = design.first_stage(RecordKind.ACCOUNT)
    if entry is None:
        return
    if entry.is_handoff_entry:
        request_handoff(
            account, entry, actor=actor, from_stage=won_stage, source=(RecordKind.OPPORTUNITY, opp.pk), at=at
        )
    else:
        transition(
            account,
            entry,
            design=design,
            method=Method.HANDOFF,
            actor=actor,
            from_stage_hint=won_stage,
            at=at,
        )
        _close_source(RecordKind.OPPORTUNITY, opp.pk, won_stage, entry, at)


def _close_source(
    kind: str, record_id: int, at_stage: ProcessStage, to_stage: ProcessStage, at: dt.datetime
) -> None:
    stay = current_stay(kind, record_id, lock=True)
    if stay is not None and stay.stage_id == at_stage.pk:
        _leave(stay, to_stage, at)
        _audit_exit(None, stay)


# --- manual moves and automatic transitions -------------------------------------------------------


@transaction.atomic
def move_record(
    record: Any,
    to_stage: ProcessStage,
    *,
    actor: User | None,
    reason: str = "",
    override: bool = False,
    lost_reason: Any = None,
    at: dt.datetime | None = None,
) -> StageHistory | HandOff:
    """A person moves a record. Unmet criteria need ``override`` and a reason; the stay is marked override.

    Stages may be skipped and records may go back. Entering another department's hand-off stage
    creates a pending hand-off instead of moving.
    """
    check_can_move(actor, record)
    design = load_design()
    kind = kind_of(record)
    to_stage = design.by_id.get(to_stage.pk, to_stage)
    reason = (reason or "").strip()
    if to_stage.is_archived:
        raise ValidationError({"stage": [_("This stage is archived.")]})
    if to_stage.record_kind != kind and not to_stage.is_recycle_target:
        raise ValidationError({"stage": [_("This stage holds another kind of record.")]})
    stay = current_stay(kind, record.pk, lock=True)
    current = design.by_id.get(stay.stage_id) if stay else None
    if current is not None and current.pk == to_stage.pk:
        raise ValidationError({"stage": [_("The record is already in this stage.")]})
    check = check_move(design, current, to_stage, build_facts(record, stay=stay, now=at or now()))
    if not check.met:
        if not override:
            names = ", ".join(r.name for r in check.missing)
            raise ValidationError(
                {
                    "stage": [
                        _("Criteria not met: %(names)s. Override with a reason to move anyway.")
                        % {"names": names}
                    ]
                }
            )
        if not reason:
            raise ValidationError({"reason": [_("A move that skips unmet criteria needs a reason.")]})
    if check.handoff:
        return request_handoff(record, to_stage, actor=actor, from_stage=current, note=reason, at=at)
    return transition(
        record,
        to_stage,
        design=design,
        method=Method.MANUAL,
        actor=actor,
        override=not check.met,
        reason=reason,
        evidence=_evidence(check.results),
        at=at,
        lost_reason=lost_reason,
    )


def _recently_rejected(kind: str, record_id: int, to_stage: ProcessStage, since: dt.datetime) -> bool:
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
        from baton.leads.models import LeadInteraction

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
    exits = evaluate_criteria(_criteria(current, StageCriterion.Kind.EXIT), facts)
    if not all(r.met for r in exits if r.required):
        return None
    target, results, handoff_to = _furthest_automatic(design, current, facts)
    if target is None and handoff_to is None:
        return None
    return Advance(target, handoff_to, exits + results)


def apply_advance(
    record: Any,
    plan: Advance,
    *,
    design: Design,
    current: ProcessStage,
    stay: StageHistory,
    rule: str,
    at: dt.datetime | None,
    locked: bool = False,
) -> StageHistory | HandOff | None:
    """Carry out a plan. ``locked``: ``stay`` was just read with a row lock (the sweep does that)."""
    kind = kind_of(record)
    outcome: StageHistory | HandOff | None = None
    since = stay.entered_at
    if plan.target is not None:
        names = ", ".join(r.name for r in plan.results if r.required and r.kind == StageCriterion.Kind.ENTRY)
        outcome = transition(
            record,
            plan.target,
            design=design,
            method=Method.AUTO,
            actor=None,
            rule=f"{rule}: {names}",
            evidence=_evidence(plan.results),
            at=at,
            locked_stay=stay if locked else None,
        )
        since = outcome.entered_at
    if plan.handoff_to is not None and not _recently_rejected(kind, record.pk, plan.handoff_to, since):
        outcome = request_handoff(
            record,
            plan.handoff_to,
            actor=None,
            from_stage=plan.target or current,
            note=_("Criteria met"),
            at=at,
        )
    return outcome


@transaction.atomic
def auto_advance(
    record: Any,
    *,
    design: Design | None = None,
    rule: str = "criteria",
    at: dt.datetime | None = None,
    stay: StageHistory | None = None,
) -> StageHistory | HandOff | None:
    """Apply the automatic transition the record's facts now allow, if any (idempotent).

    Cheap when nothing can happen: no facts are built for a stage with no criteria ahead, and only the
    facts those criteria reference are built otherwise."""
    design = design or load_design()
    kind = kind_of(record)
    stay = stay or current_stay(kind, record.pk)
    if stay is None:
        return None
    current = design.by_id[stay.stage_id]
    if current.record_kind != kind or not design.automatic_from(current):
        return None
    if pending_handoff(kind, record.pk) is not None or automation_paused(kind, record.pk, at):
        return None
    facts = build_facts(record, stay=stay, now=at or now(), names=design.facts_needed(current))
    plan = plan_advance(design, current, facts)
    if plan is None:
        return None
    return apply_advance(record, plan, design=design, current=current, stay=stay, rule=rule, at=at)


@transaction.atomic
def place_record(
    record: Any, *, actor: User | None, design: Design | None = None, at: dt.datetime | None = None
):
    """Enter a new record into its first stage, or straight into the furthest one its facts already meet."""
    design = design or load_design()
    kind = kind_of(record)
    if current_stay(kind, record.pk) is not None:
        return None
    first = design.first_stage(kind)
    if first is None:
        return None
    facts = build_facts(record, stay=None, now=at or now(), names=design.facts_needed(first))
    target, results, handoff_to = _furthest_automatic(design, first, facts)
    stage = target or first
    stay = _enter(
        record,
        stage,
        from_stage=None,
        method=Method.INITIAL,
        actor=actor,
        rule="criteria" if target else "",
        evidence=_evidence(results),
        at=at or now(),
        version=design.version,
    )
    if handoff_to is not None:
        request_handoff(record, handoff_to, actor=None, from_stage=stage, note=_("Criteria met"), at=at)
    return stay


# --- hand-offs --------------------------------------------------------------------------------------


@transaction.atomic
def request_handoff(
    record: Any,
    to_stage: ProcessStage,
    *,
    actor: User | None,
    from_stage: ProcessStage | None,
    note: str = "",
    source: tuple[str, int] | None = None,
    at: dt.datetime | None = None,
) -> HandOff:
    kind = kind_of(record)
    existing = pending_handoff(kind, record.pk)
    if existing is not None:
        return existing
    at = at or now()
    handoff = HandOff.objects.create(
        record_kind=kind,
        record_id=record.pk,
        from_stage=from_stage,
        to_stage=to_stage,
        requested_at=at,
        requested_by=actor if actor is not None and actor.pk else None,
        due_at=add_working_days(at, to_stage.sla_accept_days) if to_stage.sla_accept_days else None,
        note=note[:300],
        **segment_of(record),
        source_kind=source[0] if source else "",
        source_id=source[1] if source else None,
    )
    log_change(
        actor=actor, action=ChangeLog.Action.CREATE, instance=handoff, after=snapshot(handoff), note=note
    )
    return handoff


def _decide(handoff: HandOff, actor: User, at: dt.datetime) -> HandOff:
    locked = (
        HandOff.objects.select_for_update(of=("self",))
        .select_related("to_stage__department", "from_stage")
        .get(pk=handoff.pk)
    )
    if locked.status != HandOff.Status.PENDING:
        raise ServiceError(_("This hand-off was already decided."))
    if not can_act_for(actor, locked.to_stage.department):
        raise PermissionDenied(_("Only the receiving department decides this hand-off."))
    locked.decided_at = at
    locked.decided_by = actor
    return locked


@transaction.atomic
def accept_handoff(
    handoff: HandOff,
    *,
    actor: User,
    note: str = "",
    at: dt.datetime | None = None,
    take_ownership: bool = True,
) -> StageHistory:
    """The receiving department takes the record: it moves into the hand-off stage and, unless the
    acceptor says otherwise (``take_ownership=False``), becomes the acceptor's, through the owning
    app's service (audited there like any owner change)."""
    at = at or now()
    locked = _decide(handoff, actor, at)
    design = load_design()
    record = get_record(locked.record_kind, locked.record_id)
    stage = design.by_id[locked.to_stage_id]
    stay = transition(
        record,
        stage,
        design=design,
        method=Method.HANDOFF,
        actor=actor,
        reason=note,
        evidence={"handoff": locked.pk},
        at=at,
        from_stage_hint=design.by_id.get(locked.from_stage_id or 0),
    )
    if locked.source_kind and locked.source_id and locked.from_stage_id:
        _close_source(locked.source_kind, locked.source_id, design.by_id[locked.from_stage_id], stage, at)
    # Taken while the hand-off is still pending: the receiving department may take what is offered
    # to it (``process.access``), and nothing else.
    if take_ownership and record.owner_id != actor.pk:
        give_to(record, actor, by=actor)
        stay.refresh_from_db()
    locked.status = HandOff.Status.ACCEPTED
    locked.note = (note or locked.note)[:300]
    locked.save(update_fields=["status", "decided_at", "decided_by", "note"])
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=locked,
        before={"status": "pending"},
        after={"status": locked.status, "owner": actor.pk if take_ownership else record.owner_id},
        note=note,
    )
    return stay


def give_to(record: Any, owner: User, *, by: User) -> Any:
    """Change a record's owner through its own app's service (versioned, audited, hooks run)."""
    kind = kind_of(record)
    record.refresh_from_db()
    changes = {"owner": owner}
    if kind == RecordKind.LEAD:
        from baton.leads.services import update_lead

        return update_lead(record, actor=by, changes=changes, expected_version=None)
    if kind == RecordKind.OPPORTUNITY:
        from baton.deals.services import update_opportunity

        return update_opportunity(record, actor=by, changes=changes, expected_version=None)
    from baton.accounts.services import update_account

    return update_account(record, actor=by, changes=changes, expected_version=None)


@transaction.atomic
def reject_handoff(
    handoff: HandOff,
    *,
    actor: User,
    reason_code: str,
    return_to: str = HandOff.ReturnTo.NURTURE,
    note: str = "",
    follow_up_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> HandOff:
    """The receiver refuses: with a reason code, the record goes back to nurture or stays with the sender."""
    if reason_code not in HandOff.RejectReason.values:
        raise ValidationError({"reason_code": [_("Choose why the hand-off is rejected.")]})
    if return_to not in HandOff.ReturnTo.values:
        raise ValidationError({"return_to": [_("Choose where the record goes back to.")]})
    at = at or now()
    locked = _decide(handoff, actor, at)
    label = HandOff.RejectReason(reason_code).label
    if return_to == HandOff.ReturnTo.NURTURE and not locked.source_kind:
        record = get_record(locked.record_kind, locked.record_id)
        recycle_record(
            record,
            actor=None,
            reason=f"{_('Hand-off rejected')}: {label}. {note}".strip(),
            follow_up_on=follow_up_on
            or (timezone.localdate(at) + dt.timedelta(days=REJECTED_FOLLOW_UP_DAYS)),
            method=Method.REJECTED,
            at=at,
            performed_by=actor,
        )
    else:
        return_to = HandOff.ReturnTo.SENDER
    locked.status = HandOff.Status.REJECTED
    locked.reason_code = reason_code
    locked.return_to = return_to
    locked.note = note[:300]
    locked.save(update_fields=["status", "decided_at", "decided_by", "reason_code", "return_to", "note"])
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=locked,
        before={"status": "pending"},
        after={"status": locked.status, "reason_code": reason_code, "return_to": return_to},
        note=note,
    )
    return locked


# --- recycling and the follow-up queue --------------------------------------------------------------


@transaction.atomic
def recycle_record(
    record: Any,
    *,
    actor: User | None,
    reason: str,
    follow_up_on: dt.date | None,
    method: str = Method.RECYCLE,
    at: dt.datetime | None = None,
    performed_by: User | None = None,
) -> Recycle:
    """Send a disqualified lead or a lost / no-decision deal back to nurture until ``follow_up_on``."""
    check_can_move(actor, record)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the record is recycled.")]})
    if follow_up_on is None:
        raise ValidationError({"follow_up_on": [_("Choose a follow-up date.")]})
    design = load_design()
    kind = kind_of(record)
    stay = current_stay(kind, record.pk, lock=True)
    current = design.by_id.get(stay.stage_id) if stay else None
    if kind == RecordKind.ACCOUNT:
        raise ValidationError({"stage": [_("Accounts are not recycled.")]})
    if kind == RecordKind.OPPORTUNITY and (current is None or current.outcome not in ("lost", "no_decision")):
        raise ValidationError({"stage": [_("Only lost or no-decision deals are recycled.")]})
    target = design.recycle_target()
    if target is None:
        raise ValidationError({"stage": [_("No stage is marked as the recycle target.")]})
    at = at or now()
    who = actor or performed_by
    transition(record, target, design=design, method=method, actor=who, reason=reason, at=at)
    recycle = Recycle.objects.create(
        record_kind=kind,
        record_id=record.pk,
        from_stage=current,
        to_stage=target,
        reason=reason[:300],
        follow_up_on=follow_up_on,
        recycled_at=at,
        recycled_by=who if who is not None and who.pk else None,
        **segment_of(record),
    )
    log_change(
        actor=who, action=ChangeLog.Action.CREATE, instance=recycle, after=snapshot(recycle), note=reason
    )
    return recycle


@transaction.atomic
def complete_follow_up(
    recycle: Recycle, *, actor: User, note: str = "", at: dt.datetime | None = None
) -> Recycle:
    record = get_record(recycle.record_kind, recycle.record_id)
    check_can_move(actor, record)
    locked = Recycle.objects.select_for_update().get(pk=recycle.pk)
    if locked.followed_up_at is not None:
        raise ServiceError(_("This follow-up is already done."))
    locked.followed_up_at = at or now()
    locked.followed_up_by = actor
    locked.follow_up_note = (note or "")[:300]
    locked.save(update_fields=["followed_up_at", "followed_up_by", "follow_up_note"])
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=locked,
        before={"followed_up_at": None},
        after={"followed_up_at": locked.followed_up_at.isoformat()},
        note=note,
    )
    return locked


# --- qualification checklist ------------------------------------------------------------------------


@transaction.atomic
def set_qualification(
    record: Any, item: str, *, answer: bool, evidence: str = "", actor: User | None, advance: bool = True
) -> QualificationAnswer:
    """Record one BANT / Model answer with its evidence; criteria are re-evaluated right away."""
    check_can_move(actor, record)
    if item not in QualificationItem.values:
        raise ValidationError({"item": [_("Unknown checklist item.")]})
    kind = kind_of(record)
    existing = (
        QualificationAnswer.objects.select_for_update()
        .filter(record_kind=kind, record_id=record.pk, item=item)
        .first()
    )
    row = save_checklist_answer(
        existing,
        QualificationAnswer(record_kind=kind, record_id=record.pk, item=item),
        answer=answer,
        evidence=evidence,
        actor=actor,
    )
    if advance:
        auto_advance(record)
    return row


# --- hooks called by the other apps' services ---------------------------------------------------------


def _hook(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Hooks run inside the caller's transaction: if the process cannot record the change, the CRM write
    fails with it, so a record and its stage history never diverge."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            return fn(*args, **kwargs)

    return wrapper


def _refresh_owner(record: Any, stay: StageHistory) -> None:
    """The open stay follows the record's owner, team and segment (closed stays keep theirs)."""
    now_ = segment_of(record)
    changed = [k for k in ("owner_id", "team_id", "size", "industry") if getattr(stay, k) != now_[k]]
    if changed:
        for k in changed:
            setattr(stay, k, now_[k])
        stay.save(update_fields=[k.removesuffix("_id") for k in changed])


@_hook
def on_lead_changed(lead: Any, *, actor: User | None = None) -> None:
    """After a lead is created or updated or an interaction is logged: place, recycle or advance it."""
    if lead.converted_at is not None:
        return
    stay = current_stay(RecordKind.LEAD, lead.pk)
    design = load_design()
    if stay is None:
        place_record(lead, actor=actor, design=design)
        return
    _refresh_owner(lead, stay)
    if lead.status == "disqualified":
        if not Recycle.objects.filter(
            record_kind=RecordKind.LEAD, record_id=lead.pk, followed_up_at__isnull=True
        ).exists():
            recycle_record(
                lead,
                actor=None,
                performed_by=actor,
                reason=lead.disqualify_reason or _("Disqualified"),
                follow_up_on=timezone.localdate(now()) + dt.timedelta(days=DEFAULT_FOLLOW_UP_DAYS),
            )
        return
    auto_advance(lead, design=design, stay=stay)


@_hook
def on_lead_converted(lead: Any, opportunity: Any = None, *, actor: User | None = None) -> None:
    """The lead leaves the process; its opportunity continues from the lead's stage (a cross-kind arrow)."""
    at = now()
    lead_stay = current_stay(RecordKind.LEAD, lead.pk, lock=True)
    opp_stay = (
        current_stay(RecordKind.OPPORTUNITY, opportunity.pk, lock=True) if opportunity is not None else None
    )
    if opp_stay is not None and lead_stay is not None and opp_stay.from_stage_id is None:
        opp_stay.from_stage_id = lead_stay.stage_id
        opp_stay.method = Method.CONVERSION
        opp_stay.source = lead.source or ""
        opp_stay.save(update_fields=["from_stage", "method", "source"])
    if lead_stay is not None:
        _leave(lead_stay, opp_stay.stage if opp_stay else None, at)
        _audit_exit(actor, lead_stay, note=str(_("Converted")))
    if opportunity is not None:
        answers = QualificationAnswer.objects.filter(record_kind=RecordKind.LEAD, record_id=lead.pk)
        taken = set(
            QualificationAnswer.objects.filter(
                record_kind=RecordKind.OPPORTUNITY, record_id=opportunity.pk
            ).values_list("item", flat=True)
        )
        QualificationAnswer.objects.bulk_create(
            [
                QualificationAnswer(
                    record_kind=RecordKind.OPPORTUNITY,
                    record_id=opportunity.pk,
                    item=a.item,
                    answer=a.answer,
                    evidence=a.evidence,
                    answered_by_id=a.answered_by_id,
                    answered_at=a.answered_at,
                )
                for a in answers
                if a.item not in taken
            ]
        )


@_hook
def on_opportunity_changed(
    opportunity: Any, *, actor: User | None = None, note: str = "", at: dt.datetime | None = None
) -> None:
    """After an opportunity is created or edited (its owner or pipeline stage may have changed): record it
    in the process through ``move_opportunity_stage`` (its pipeline stage is already written)."""
    at = at or now()
    stay = current_stay(RecordKind.OPPORTUNITY, opportunity.pk, lock=True)
    if stay is None:
        _place_opportunity(opportunity, design=load_design(), actor=actor, at=at)
        return
    move_opportunity_stage(
        opportunity, deal_stage=opportunity.stage, actor=actor, note=note, at=at, locked_stay=stay
    )


# --- the periodic sweep -----------------------------------------------------------------------------


def sweep(*, kinds: list[str] | None = None, limit: int | None = None, batch: int = 1000) -> dict[str, int]:
    """Re-evaluate open records whose stage has an automatic successor (time-based facts change daily).

    Records are read in id-ordered chunks of ``batch``: per chunk one query for the open stays, one for
    the records, one for pending hand-offs, at most two for recycles and one per kind of fact the
    criteria need. Only the records that move are written, each in its own transaction, so a long
    sweep never holds locks and can be stopped and rerun.
    """
    design = load_design()
    kinds = kinds or [RecordKind.LEAD, RecordKind.OPPORTUNITY, RecordKind.ACCOUNT]
    stats = {"checked": 0, "moved": 0, "handoffs": 0}
    at = now()
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
                        at=None,
                        locked=True,
                    )
                if isinstance(outcome, StageHistory):
                    stats["moved"] += 1
                elif isinstance(outcome, HandOff):
                    stats["handoffs"] += 1
    return stats
