"""Background work of the scoring app through the Django tasks API (``django-tasks`` backport).

- ``retrain_and_rescore``: train a new predictive model version; when the history backs it, rescore
  every lead with it. Enqueue it weekly (or run ``baton train_scoring_model`` + ``baton score_leads``
  from cron); training is bounded to the newest ``MAX_EXAMPLES`` labelled leads.
- ``rescore_all``: rescore every lead (nightly, so engagement decays even without new facts).
"""

from __future__ import annotations

from typing import Any

from django_tasks import task  # the backport of Django 6's django.tasks (Baton runs on Django 5.2)

from baton.core.audit import audit_context, new_job_id
from baton.scoring.models import PredictiveModel
from baton.scoring.scores.services import score_all_leads, train_model


@task()
def retrain_and_rescore(window_days: int = 180, snapshot_days: int = 14) -> dict[str, Any]:
    with audit_context(job_id=new_job_id(), source="task"):
        row = train_model(window_days=window_days, snapshot_days=snapshot_days)
        scored = score_all_leads() if row.status == PredictiveModel.Status.ACTIVE else 0
    return {"version": row.version, "status": row.status, "scored": scored}


@task()
def rescore_all() -> int:
    with audit_context(job_id=new_job_id(), source="task"):
        return score_all_leads()
