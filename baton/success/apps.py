from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuccessConfig(AppConfig):
    name = "baton.success"
    label = "success"
    verbose_name = _("Customer success")

    def ready(self) -> None:
        from baton.accounts.models import Account
        from baton.accounts.views import AccountDetailView
        from baton.core.records import register_grant
        from baton.success import access
        from baton.success.models import Contract

        # The contract's CSM reads the account (as the account's CSM does) and amends the contract.
        register_grant(Account, "CSM of a contract", access.csm_reads_account_of_contract)
        register_grant(Contract, "the contract's or account's CSM", access.csm_edits_contract, edit=True)
        register_grant(Contract, "reader of the account", access.account_reader_reads_contract)

        # The account 360° page lists its panels as templates; success adds the installed base.
        panel = "success/panels/_account_installed_base.html"
        if panel not in AccountDetailView.panels:
            AccountDetailView.panels.append(panel)
