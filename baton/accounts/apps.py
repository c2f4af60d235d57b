from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "baton.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from baton.accounts.access import csm_reads_account, csm_reads_contacts
        from baton.accounts.models import Account, Contact
        from baton.core.records import register_grant, register_record_kind

        register_record_kind("account", Account, "accounts:detail")
        register_record_kind("contact", Contact, "contacts:detail")
        register_grant(Account, "the account's CSM", csm_reads_account)
        register_grant(Contact, "the account's CSM", csm_reads_contacts)
