"""Qualification checklists read together: BANT + The Model's four (stored by the process app) on leads
and opportunities, MEDDPICC on opportunities; a score, the remaining gaps, and the facts that stage
criteria can use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from baton.process.models import BANT_ITEMS, MODEL_ITEMS, MeddpiccItem, QualificationAnswer, QualificationItem
from baton.scoring.models import LeadScore, OpportunityCompetitor

# What the customer reads when a gap is why we stop now (drafted into the disqualification note).
GAP_SENTENCES: dict[str, Any] = {
    "budget": _("There is no budget set aside for this yet."),
    "authority": _("The people who would decide have not been part of the conversation yet."),
    "need": _("We have not found a need that our product would clearly meet."),
    "timeframe": _("There is no timeframe in which a change is planned."),
    "business_issue": _("We have not identified a business issue this would address."),
    "recognised_problem": _("The problem behind it is not yet seen as a problem inside your organisation."),
    "solution_fit": _("We are not sure our solution fits how you work today."),
    "expected_effect": _("We could not yet show an effect that would justify the change."),
}


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


# --- facts for stage criteria ------------------------------------------------------------------------

FACT_SAMPLES: dict[str, dict[str, Any]] = {
    "lead": {
        "fit_score": 0,
        "engagement_score": 0,
        "lead_score": 0,
        "win_probability": -1.0,
        "qualification_score": 0,
        "qualification_gaps": 8,
    },
    "opportunity": {
        "meddpicc_count": 0,
        "meddpicc_complete": False,
        "meddpicc_score": 0,
        "has_incumbent": False,
        "competitor_count": 0,
        **{f"meddpicc_{key}": False for key in MeddpiccItem.values},
    },
}


def scoring_facts(kind: str, record_id: int) -> dict[str, Any]:
    """The facts this app adds for the process engine's criteria (e.g. ``lead_score >= 60``,
    ``meddpicc_economic_buyer && meddpicc_champion``). ``win_probability`` is -1 without a backed model."""
    return scoring_facts_batch(kind, [record_id]).get(record_id, {})


def scoring_facts_batch(kind: str, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """``scoring_facts`` of many records in two queries, whatever their number (the sweep's chunks)."""
    ids = list(ids)
    if kind == "lead":
        scores = {s.lead_id: s for s in LeadScore.objects.filter(lead_id__in=ids)}
        confirmed = _confirmed_counts(
            QualificationAnswer.objects.filter(
                record_kind="lead", record_id__in=ids, answer=True
            ).values_list("record_id", flat=True)
        )
        size = len(BANT_ITEMS) + len(MODEL_ITEMS)
        out: dict[int, dict[str, Any]] = {}
        for pk in ids:
            score = scores.get(pk)
            given = confirmed.get(pk, 0)
            out[pk] = {
                "fit_score": score.fit if score else 0,
                "engagement_score": score.engagement if score else 0,
                "lead_score": score.total if score else 0,
                "win_probability": score.probability if score and score.probability is not None else -1.0,
                "qualification_score": round(100 * given / size),
                "qualification_gaps": size - given,
            }
        return out
    if kind == "opportunity":
        answers: dict[int, dict[str, bool]] = {pk: {} for pk in ids}
        for opportunity_id, item, answer in QualificationAnswer.objects.filter(
            record_kind="opportunity", record_id__in=ids, item__in=MeddpiccItem.values
        ).values_list("record_id", "item", "answer"):
            answers[opportunity_id][item] = answer
        competitors: dict[int, list[bool]] = {pk: [] for pk in ids}
        for opportunity_id, incumbent in OpportunityCompetitor.objects.filter(
            opportunity_id__in=ids
        ).values_list("opportunity_id", "is_incumbent"):
            competitors[opportunity_id].append(incumbent)
        keys = MeddpiccItem.values
        facts_of: dict[int, dict[str, Any]] = {}
        for pk in ids:
            confirmed_items = {key: bool(answers[pk].get(key)) for key in keys}
            count = sum(confirmed_items.values())
            facts: dict[str, Any] = {
                "meddpicc_count": count,
                "meddpicc_complete": count == len(keys),
                "meddpicc_score": round(100 * count / len(keys)),
                "has_incumbent": any(competitors[pk]),
                "competitor_count": len(competitors[pk]),
            }
            facts.update({f"meddpicc_{key}": value for key, value in confirmed_items.items()})
            facts_of[pk] = facts
        return facts_of
    return {}


def _confirmed_counts(record_ids: Any) -> dict[int, int]:
    counts: dict[int, int] = {}
    for pk in record_ids:
        counts[pk] = counts.get(pk, 0) + 1
    return counts
