import functools

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "baton.scoring"
    verbose_name = _("Scoring, qualification and routing")

    def ready(self) -> None:
        # Scores, qualification and MEDDPICC become facts The Model's stage criteria can use.
        from baton.process.providers import register_fact_provider
        from baton.scoring.qualification import FACT_SAMPLES, scoring_facts_batch

        # One loader call per chunk of records, a fixed number of queries per call.
        register_fact_provider("lead", FACT_SAMPLES["lead"], functools.partial(scoring_facts_batch, "lead"))
        register_fact_provider(
            "opportunity", FACT_SAMPLES["opportunity"], functools.partial(scoring_facts_batch, "opportunity")
        )
