"""The scoring writes under their old import path (``baton.scoring.services``).

Each topic has its own module now; new code imports from there:
``scores.services`` (rescoring, training, rules), ``qualification.services`` (checklist answers),
``qualification.disqualification``, ``competitors``, ``routing`` and ``supply``.
Kept for callers in other apps (``leads.services`` calls ``on_lead_facts_changed``; ``bench/score.py``).
"""

from __future__ import annotations

from baton.scoring.access import require_admin
from baton.scoring.competitors import (
    add_opportunity_competitor,
    remove_opportunity_competitor,
    save_competitor,
)
from baton.scoring.qualification.disqualification import (
    disqualify_lead,
    draft_explanation,
    save_disqualify_reason,
)
from baton.scoring.qualification.services import set_lead_qualification, set_meddpicc
from baton.scoring.scores.services import (
    on_lead_facts_changed,
    rescore_lead,
    save_rule,
    score_all_leads,
    train_model,
)

__all__ = [
    "add_opportunity_competitor",
    "disqualify_lead",
    "draft_explanation",
    "on_lead_facts_changed",
    "remove_opportunity_competitor",
    "require_admin",
    "rescore_lead",
    "save_competitor",
    "save_disqualify_reason",
    "save_rule",
    "score_all_leads",
    "set_lead_qualification",
    "set_meddpicc",
    "train_model",
]
