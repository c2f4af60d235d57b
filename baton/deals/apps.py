from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from baton.core.panels import register_panel


class DealsConfig(AppConfig):
    name = "baton.deals"
    label = "deals"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        # Models import only once the app registry is ready.
        from baton.core.customfields.rules import register_rule_facts  # noqa: PLC0415 - app registry
        from baton.core.customfields.schema import register_stage_order  # noqa: PLC0415 - app registry
        from baton.core.fieldaccess import register_protectable  # noqa: PLC0415 - app registry
        from baton.core.layouts.registry import register_layout_kind  # noqa: PLC0415 - app registry
        from baton.core.records import register_grant, register_record_kind  # noqa: PLC0415 - app registry
        from baton.deals.access import approver_reads, csm_reads, deal_team_reads  # noqa: PLC0415 - app registry
        from baton.deals.customfields import STAGE_FACTS, STAGE_ORDER  # noqa: PLC0415 - app registry
        from baton.deals.forms.opportunities import OpportunityForm  # noqa: PLC0415 - app registry
        from baton.deals.models import LineItem, Opportunity, Quote, QuoteLine  # noqa: PLC0415 - app registry
        from baton.deals.panels import (  # noqa: PLC0415 - app registry
            account_opportunities_panel,
            contact_opportunities_panel,
        )
        from baton.deals.views.opportunities import OpportunityDetailView  # noqa: PLC0415 - app registry

        register_record_kind("opportunity", Opportunity, "deals:detail")
        register_stage_order("opportunity", STAGE_ORDER)  # custom fields required from a stage on
        register_rule_facts("opportunity", STAGE_FACTS)  # validation rules read the stage key
        register_grant(Opportunity, "deal team", deal_team_reads)
        register_grant(Opportunity, "approver of a pending step", approver_reads)
        register_grant(Opportunity, "the account's CSM", csm_reads)
        # What an admin may show only to some roles (issue 16): the amount, and cost and discount with
        # the values derived from them (a margin reveals the cost) and their copies on quotes.
        register_protectable(Opportunity, "amount")
        register_protectable(
            LineItem,
            "unit_cost",
            label=_("cost and margin"),
            also=("cost", "margin", "margin_percent", "product_cost", "delivery_cost"),
            covers={
                Quote: ("cost_total", "delivery_cost", "margin", "margin_percent"),
                QuoteLine: ("unit_cost",),
            },
        )
        register_protectable(
            LineItem,
            "discount_percent",
            label=_("discount"),
            also=("discount", "discount_total"),
            covers={Quote: ("discount_percent",), QuoteLine: ("discount_percent",)},
        )
        # Page layouts per role (issue 15): the fields of the detail page and the edit form.
        register_layout_kind(
            "opportunity",
            Opportunity,
            detail=OpportunityDetailView.fields,
            form=OpportunityForm.Meta.fields,
            also_required=("owner",),
        )
        # The account 360° page and the contact page list the deals the reader may see.
        register_panel("account", "deals/panels/_account_opportunities.html", 20, account_opportunities_panel)
        register_panel("contact", "deals/panels/_contact_opportunities.html", 10, contact_opportunities_panel)
