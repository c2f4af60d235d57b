"""Qualification checklists read together: BANT + The Model's four (stored by the process app) on leads
and opportunities, MEDDPICC on opportunities; a score, the remaining gaps, and the facts that stage
criteria can use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from baton.process.models import BANT_ITEMS, MODEL_ITEMS, QualificationAnswer, QualificationItem
from baton.scoring.models import LeadScore, MeddpiccAnswer, MeddpiccItem, OpportunityCompetitor

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
        for r in MeddpiccAnswer.objects.filter(opportunity_id=opportunity_id).select_related("answered_by")
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
    if kind == "lead":
        score = LeadScore.objects.filter(lead_id=record_id).first()
        qual = lead_qualification(record_id)
        return {
            "fit_score": score.fit if score else 0,
            "engagement_score": score.engagement if score else 0,
            "lead_score": score.total if score else 0,
            "win_probability": score.probability if score and score.probability is not None else -1.0,
            "qualification_score": qual.score,
            "qualification_gaps": len(qual.gaps),
        }
    if kind == "opportunity":
        items = meddpicc_items(record_id)
        confirmed = sum(1 for i in items if i.answer)
        comps = list(
            OpportunityCompetitor.objects.filter(opportunity_id=record_id).values_list(
                "is_incumbent", flat=True
            )
        )
        facts: dict[str, Any] = {
            "meddpicc_count": confirmed,
            "meddpicc_complete": confirmed == len(items),
            "meddpicc_score": round(100 * confirmed / len(items)),
            "has_incumbent": any(comps),
            "competitor_count": len(comps),
        }
        facts.update({f"meddpicc_{i.key}": i.answer for i in items})
        return facts
    return {}
