from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "baton.deals"
    label = "deals"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        from baton.core.records import register_grant, register_record_kind
        from baton.deals.access import approver_reads, csm_reads, deal_team_reads
        from baton.deals.models import Opportunity

        register_record_kind("opportunity", Opportunity, "deals:detail")
        register_grant(Opportunity, "deal team", deal_team_reads)
        register_grant(Opportunity, "approver of a pending step", approver_reads)
        register_grant(Opportunity, "the account's CSM", csm_reads)
