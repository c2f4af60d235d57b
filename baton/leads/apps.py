from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from baton.core.panels import register_panel


class LeadsConfig(AppConfig):
    name = "baton.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        # Models (and the queries over them) are importable only once the app registry is ready.
        from baton.core.customfields.schema import register_stage_order  # noqa: PLC0415 - app registry
        from baton.core.fieldaccess import register_protectable  # noqa: PLC0415 - imports core.models
        from baton.core.layouts.registry import register_layout_kind  # noqa: PLC0415 - imports core models
        from baton.core.records import register_grant, register_record_kind  # noqa: PLC0415 - imports core.models
        from baton.leads.access import marketing_reads  # noqa: PLC0415 - models in ready()
        from baton.leads.customfields import STATUS_ORDER  # noqa: PLC0415 - models in ready()
        from baton.leads.forms import LeadForm  # noqa: PLC0415 - models in ready()
        from baton.leads.models import Campaign, Lead  # noqa: PLC0415 - models in ready()
        from baton.leads.queries import account_leads_panel  # noqa: PLC0415 - models in ready()
        from baton.leads.views import LeadDetailView  # noqa: PLC0415 - models in ready()

        register_record_kind("lead", Lead, "leads:detail")
        # Marketing works on every lead and campaign (read; they edit what they own, like everyone).
        register_stage_order("lead", STATUS_ORDER)  # custom fields required from a status on
        register_grant(Lead, "marketing reads leads", marketing_reads)
        register_grant(Campaign, "marketing reads campaigns", marketing_reads)
        register_protectable(Lead, "phone")
        # Page layouts per role (issue 15): the fields of the detail page and the edit form.
        register_layout_kind(
            "lead", Lead, detail=LeadDetailView.fields, form=LeadForm.Meta.fields, also_required=("owner",)
        )
        # The account 360° page: the leads converted into the account.
        register_panel("account", "leads/panels/_account_leads.html", 30, account_leads_panel)
