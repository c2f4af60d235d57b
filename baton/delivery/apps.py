from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from baton.core.panels import register_panel


class DeliveryConfig(AppConfig):
    name = "baton.delivery"
    label = "delivery"
    verbose_name = _("Delivery")

    def ready(self) -> None:
        # Models (and the modules that use them) are importable only once the app registry is ready.
        from baton.accounts.models import Account  # noqa: PLC0415 - models in ready()
        from baton.core.records import register_grant  # noqa: PLC0415 - imports core.models
        from baton.deals.models import Opportunity  # noqa: PLC0415 - models in ready()
        from baton.delivery import services  # noqa: PLC0415 - models in ready()
        from baton.delivery.access import (  # noqa: PLC0415 - models in ready()
            delivery_reads_account,
            delivery_reads_opportunity,
        )
        from baton.process.providers import register_fact_provider  # noqa: PLC0415 - process loads its engine (models) lazily

        def readiness_facts(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
            return {pk: {"handoff_readiness": score} for pk, score in services.readiness_scores(ids).items()}

        # The hand-off readiness is a fact stage criteria can require (e.g. before Closed Won).
        register_fact_provider("opportunity", {"handoff_readiness": 0}, readiness_facts)
        register_grant(Opportunity, "delivery team of the hand-off", delivery_reads_opportunity)
        register_grant(Account, "delivery team of the hand-off", delivery_reads_account)
        # The account 360° page: the delivery projects the reader may see (after the hierarchy).
        register_panel("account", "delivery/panels/_account_projects.html", 50)
