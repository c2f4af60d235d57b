from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from baton.core.panels import register_panel
from baton.core.providers import customer_outcomes


class SuccessConfig(AppConfig):
    name = "baton.success"
    label = "success"
    verbose_name = _("Customer success")

    def ready(self) -> None:
        # Models (and the modules that use them) are importable only once the app registry is ready.
        from baton.accounts.models import Account  # noqa: PLC0415 - models in ready()
        from baton.activities.mail.routes import register_inbound_route  # noqa: PLC0415
        from baton.core.customfields.schema import register_custom_field_model  # noqa: PLC0415 - models
        from baton.core.records import register_grant  # noqa: PLC0415 - imports core.models
        from baton.deals.board_marks import register_kind_badges  # noqa: PLC0415 - models
        from baton.success import access  # noqa: PLC0415 - models in ready()
        from baton.success.cases import inbound  # noqa: PLC0415 - models in ready()
        from baton.success.cases.models import Case  # noqa: PLC0415 - models in ready()
        from baton.success.expansion.badges import deal_kind_badges  # noqa: PLC0415 - models in ready()
        from baton.success.models import Contract  # noqa: PLC0415 - models in ready()
        from baton.success.outcomes import delivered_outcomes  # noqa: PLC0415 - models in ready()
        from baton.success.plans.models import SuccessPlan  # noqa: PLC0415 - models in ready()

        # The contract's CSM reads the account (as the account's CSM does) and amends the contract.
        register_grant(Account, "CSM of a contract", access.csm_reads_account_of_contract)
        register_grant(Contract, "the contract's or account's CSM", access.csm_edits_contract, edit=True)
        register_grant(Contract, "reader of the account", access.account_reader_reads_contract)
        # Support cases: whoever reads the account reads its cases; its CSMs work them.
        register_grant(Case, "reader of the account", access.account_reader_reads_contract)
        register_grant(Case, "the account's or contract's CSM", access.csm_edits_case, edit=True)
        # Success plans: read with the account, worked by its CSM.
        register_grant(SuccessPlan, "reader of the account", access.account_reader_reads_contract)
        register_grant(SuccessPlan, "the account's CSM", access.account_csm_edits, edit=True)
        # Administrators add custom fields to contracts and support cases too.
        register_custom_field_model("contract", Contract, "success:contract")
        register_custom_field_model("case", Case, "success:case")

        # Mail to the support address opens or continues a case (the activities worker receives it).
        register_inbound_route(inbound.is_support_address, inbound.deliver_support_mail)

        # The partners app's delivery-quality report asks for cases and renewals after go-live.
        customer_outcomes.provide(delivered_outcomes)

        # The account 360° page: the installed base (it loads itself after the page, see the template).
        register_panel("account", "success/panels/_account_installed_base.html", 60)

        # Renewal, expansion and upsell deals carry a badge on the board's cards and the deal page.
        register_kind_badges("success", deal_kind_badges)
