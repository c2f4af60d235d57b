from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from baton.core.panels import register_panel


class AccountsConfig(AppConfig):
    name = "baton.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Models (and the views that use them) are importable only once the app registry is ready.
        from baton.accounts import views  # noqa: PLC0415 - needs the app registry (models)
        from baton.accounts.access import csm_reads_account, csm_reads_contacts  # noqa: PLC0415 - models
        from baton.accounts.forms import AccountForm, ContactForm  # noqa: PLC0415 - models in ready()
        from baton.accounts.models import Account, Contact  # noqa: PLC0415 - models in ready()
        from baton.core.fieldaccess import register_protectable  # noqa: PLC0415 - imports core.models
        from baton.core.layouts.registry import register_layout_kind  # noqa: PLC0415 - imports core models
        from baton.core.records import register_grant, register_record_kind  # noqa: PLC0415 - imports core.models

        register_record_kind("account", Account, "accounts:detail")
        register_record_kind("contact", Contact, "contacts:detail")
        register_grant(Account, "the account's CSM", csm_reads_account)
        register_grant(Contact, "the account's CSM", csm_reads_contacts)
        # Personal numbers an admin may show only to some roles (issue 16).
        register_protectable(Contact, "phone")
        register_protectable(Contact, "mobile")
        # Page layouts per role (issue 15): the fields of the detail pages and the edit forms.
        register_layout_kind(
            "account",
            Account,
            detail=views.AccountDetailView.fields,
            form=AccountForm.Meta.fields,
            also_required=("owner",),
        )
        register_layout_kind(
            "contact",
            Contact,
            detail=views.ContactDetailView.fields,
            form=ContactForm.Meta.fields,
            also_required=("owner",),
        )
        # The account 360° page: accounts' own panels (deals, leads and delivery add theirs in between).
        register_panel("account", "accounts/panels/_contacts.html", 10, views.contacts_panel)
        register_panel("account", "accounts/panels/_hierarchy.html", 40, views.hierarchy_panel)
