from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "baton.delivery"
    label = "delivery"
    verbose_name = _("Delivery")

    def ready(self) -> None:
        # The account 360° page lists its panels as templates; delivery adds its projects panel.
        from baton.accounts.views import AccountDetailView

        panel = "delivery/panels/_account_projects.html"
        if panel not in AccountDetailView.panels:
            AccountDetailView.panels.append(panel)
