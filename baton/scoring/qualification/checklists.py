"""Qualification checklists read together: BANT + The Model's four (stored by the process app) on leads
and opportunities, MEDDPICC on opportunities; a score, the remaining gaps and the evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baton.process.models import BANT_ITEMS, MODEL_ITEMS, MeddpiccItem, QualificationAnswer, QualificationItem


@dataclass
class ChecklistItem:
    key: str
    label: str
    group: str
    answer: bool
    evidence: str
    answered_by: Any
    answered_at: Any


@dataclass
class Qualification:
    items: list[ChecklistItem]

    @property
    def confirmed(self) -> int:
        return sum(1 for i in self.items if i.answer)

    @property
    def score(self) -> int:
        return round(100 * self.confirmed / len(self.items)) if self.items else 0

    @property
    def gaps(self) -> list[str]:
        return [i.key for i in self.items if not i.answer]

    def group(self, name: str) -> list[ChecklistItem]:
        return [i for i in self.items if i.group == name]

    def count(self, name: str) -> int:
        return sum(1 for i in self.group(name) if i.answer)


BANT_LABEL = "BANT"
MODEL_LABEL = "Model"
MEDDPICC_LABEL = "MEDDPICC"


def _process_items(kind: str, record_id: int) -> list[ChecklistItem]:
    rows = {
        r.item: r
        for r in QualificationAnswer.objects.filter(record_kind=kind, record_id=record_id).select_related(
            "answered_by"
        )
    }
    labels = dict(QualificationItem.choices)
    items = []
    for key in (*BANT_ITEMS, *MODEL_ITEMS):
        r = rows.get(key)
        items.append(
            ChecklistItem(
                key,
                str(labels[key]),
                BANT_LABEL if key in BANT_ITEMS else MODEL_LABEL,
                bool(r and r.answer),
                r.evidence if r else "",
                r.answered_by if r else None,
                r.answered_at if r else None,
            )
        )
    return items


def lead_qualification(lead_id: int) -> Qualification:
    return Qualification(_process_items("lead", lead_id))


def meddpicc_items(opportunity_id: int) -> list[ChecklistItem]:
    rows = {
        r.item: r
        for r in QualificationAnswer.objects.filter(
            record_kind="opportunity", record_id=opportunity_id, item__in=MeddpiccItem.values
        ).select_related("answered_by")
    }
    items = []
    for key, label in MeddpiccItem.choices:
        r = rows.get(key)
        items.append(
            ChecklistItem(
                key,
                str(label),
                MEDDPICC_LABEL,
                bool(r and r.answer),
                r.evidence if r else "",
                r.answered_by if r else None,
                r.answered_at if r else None,
            )
        )
    return items


def opportunity_qualification(opportunity_id: int) -> Qualification:
    return Qualification(meddpicc_items(opportunity_id))
