import functools

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from baton.process.providers import register_fact_provider


class ScoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "baton.scoring"
    verbose_name = _("Scoring, qualification and routing")

    def ready(self) -> None:
        # The facts module reads models: it can be imported only once the app registry is ready.
        from baton.scoring.facts import FACT_SAMPLES, scoring_facts_batch  # noqa: PLC0415, RUF100 - needs models

        # Scores, qualification and MEDDPICC become facts The Model's stage criteria can use: one loader
        # call per chunk of records, a fixed number of queries per call.
        for kind in ("lead", "opportunity"):
            register_fact_provider(kind, FACT_SAMPLES[kind], functools.partial(scoring_facts_batch, kind))
