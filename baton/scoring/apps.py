import functools

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from baton.core import events


class ScoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "baton.scoring"
    verbose_name = _("Scoring, qualification and routing")

    def ready(self) -> None:
        # These modules read models (the process engine's criteria, our facts and scores): imported
        # once the app registry is ready, i.e. here and not at the top of this module.
        from baton.process.providers import register_fact_provider  # noqa: PLC0415 - models
        from baton.scoring.facts import FACT_SAMPLES, scoring_facts_batch  # noqa: PLC0415 - models
        from baton.scoring.scores.deferred import rescore_after_commit  # noqa: PLC0415 - models

        # Scores, qualification and MEDDPICC become facts The Model's stage criteria can use: one loader
        # call per chunk of records, a fixed number of queries per call.
        for kind in ("lead", "opportunity"):
            register_fact_provider(kind, FACT_SAMPLES[kind], functools.partial(scoring_facts_batch, kind))
        # A lead's facts changed (leads announces it through core.events): rescore it after the commit.
        events.lead_changed.subscribe(rescore_after_commit)
