"""Retrain the predictive lead score from the organisation's own history (run it weekly, e.g. by cron
or the task worker), then rescore with ``baton score_leads``."""

from django.core.management.base import BaseCommand

from baton.core.audit import audit_context, new_job_id
from baton.scoring.scores.services import train_model


class Command(BaseCommand):
    help = "Train, evaluate on a time split and (when the history backs it) activate a new predictive model."

    def add_arguments(self, parser):
        parser.add_argument("--window-days", type=int, default=180)
        parser.add_argument("--snapshot-days", type=int, default=14)

    def handle(self, *args, window_days, snapshot_days, **options):
        with audit_context(job_id=new_job_id(), source="task"):
            row = train_model(window_days=window_days, snapshot_days=snapshot_days)
        model_auc = (row.metrics.get("model") or {}).get("auc")
        base_auc = (row.metrics.get("baseline") or {}).get("auc")
        self.stdout.write(
            f"model v{row.version}: {row.status}; train {row.n_train}, test {row.n_test}, "
            f"wins {row.positives}; "
            f"AUC model {model_auc} vs naive Bayes {base_auc}. {row.note}"
        )
