from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "baton.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from baton.core.records import register_grant, register_record_kind
        from baton.leads.access import marketing_reads
        from baton.leads.models import Campaign, Lead

        register_record_kind("lead", Lead, "leads:detail")
        # Marketing works on every lead and campaign (read; they edit what they own, like everyone).
        register_grant(Lead, "marketing reads leads", marketing_reads)
        register_grant(Campaign, "marketing reads campaigns", marketing_reads)
