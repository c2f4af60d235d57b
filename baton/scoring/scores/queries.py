"""Reads of the lead score: a lead's score, its reasons labelled in the reader's language, the model."""

from __future__ import annotations

from typing import Any

from baton.leads.models import Lead
from baton.scoring.models import LeadScore, PredictiveModel, ScoringRule
from baton.scoring.scores.features import feature_label


def score_for(lead: Lead) -> LeadScore | None:
    return LeadScore.objects.filter(lead_id=lead.pk).first()


def rule_reasons(score: LeadScore) -> list[dict[str, Any]]:
    """The rule reasons with each rule's current label in the reader's language (one query)."""
    ids = {r.get("rule") for r in score.reasons}
    labels = {rule.pk: str(rule) for rule in ScoringRule.objects.filter(pk__in=ids)}
    return [r | {"label": labels.get(r.get("rule"), r.get("label", ""))} for r in score.reasons]


def predicted_reasons(score: LeadScore) -> list[dict[str, Any]]:
    """The model's reasons labelled in the reader's language (they were stored in the scorer's)."""
    return [r | {"label": feature_label(r["feature"])} for r in score.predicted_reasons if r.get("feature")]


def latest_model() -> PredictiveModel | None:
    return PredictiveModel.objects.order_by("-version").first()
