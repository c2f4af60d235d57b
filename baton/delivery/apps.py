from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "baton.delivery"
    label = "delivery"
    verbose_name = _("Delivery")

    def ready(self) -> None:
        # The account 360° page lists its panels as templates; delivery adds its projects panel.
        from baton.accounts.views import AccountDetailView

        # The hand-off readiness is a fact stage criteria can require (e.g. before Closed Won).
        from baton.process.providers import register_fact_provider

        register_fact_provider("opportunity", {"handoff_readiness": 0}, _readiness_facts)

        from baton.accounts.models import Account
        from baton.core.records import register_grant
        from baton.deals.models import Opportunity
        from baton.delivery.access import delivery_reads_account, delivery_reads_opportunity

        register_grant(Opportunity, "delivery team of the hand-off", delivery_reads_opportunity)
        register_grant(Account, "delivery team of the hand-off", delivery_reads_account)

        panel = "delivery/panels/_account_projects.html"
        if panel not in AccountDetailView.panels:
            AccountDetailView.panels.append(panel)


def _readiness_facts(ids):
    from baton.delivery.services import readiness_scores  # models are not ready at import time

    return {pk: {"handoff_readiness": score} for pk, score in readiness_scores(ids).items()}
