"""The process design (departments, stages, criteria), loaded once per operation and cached."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from baton.process.criteria import referenced_facts
from baton.process.models import DesignVersion, ProcessStage, RecordKind, StageCriterion


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
            criteria = stage_criteria(stage, StageCriterion.Kind.EXIT)
            department = stage.department_id
            for candidate in self.successors(stage):
                entry = stage_criteria(candidate, StageCriterion.Kind.ENTRY)
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
        return bool(stage_criteria(stage, StageCriterion.Kind.EXIT)) or any(
            stage_criteria(n, StageCriterion.Kind.ENTRY) or n.is_handoff_entry for n in self.successors(stage)
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


def stage_criteria(stage: ProcessStage, kind: str) -> list[StageCriterion]:
    return [c for c in stage.criteria.all() if c.kind == kind]
