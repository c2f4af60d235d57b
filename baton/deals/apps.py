from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "baton.deals"
    label = "deals"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        # Models import only once the app registry is ready.
        from baton.core.records import register_grant, register_record_kind  # noqa: PLC0415 - app registry
        from baton.deals.access import approver_reads, csm_reads, deal_team_reads  # noqa: PLC0415 - app registry
        from baton.deals.models import Opportunity  # noqa: PLC0415 - app registry

        register_record_kind("opportunity", Opportunity, "deals:detail")
        register_grant(Opportunity, "deal team", deal_team_reads)
        register_grant(Opportunity, "approver of a pending step", approver_reads)
        register_grant(Opportunity, "the account's CSM", csm_reads)
