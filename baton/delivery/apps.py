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

        panel = "delivery/panels/_account_projects.html"
        if panel not in AccountDetailView.panels:
            AccountDetailView.panels.append(panel)


def _readiness_facts(ids):
    from baton.delivery.models import HandoffPackage
    from baton.delivery.services import readiness

    packages = HandoffPackage.objects.filter(opportunity_id__in=list(ids))
    return {p.opportunity_id: {"handoff_readiness": readiness(p).score} for p in packages}
