"""The facts the scoring app gives the process engine's stage criteria: lead scores and the
qualification checklist on leads; MEDDPICC and competitors on opportunities (e.g. ``lead_score >= 60``,
``meddpicc_economic_buyer && meddpicc_champion``). Registered in ``apps.py``; loaded for a whole chunk
of records in a fixed number of queries, so the process sweep stays batched."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from baton.process.models import BANT_ITEMS, MODEL_ITEMS, MeddpiccItem, QualificationAnswer
from baton.scoring.models import LeadScore, OpportunityCompetitor

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


def _confirmed_counts(record_ids: Iterable[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for pk in record_ids:
        counts[pk] = counts.get(pk, 0) + 1
    return counts
