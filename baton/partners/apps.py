from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from baton.core import events


class PartnersConfig(AppConfig):
    name = "baton.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from baton.partners import access, services  # noqa: PLC0415 - models in ready()

        access.register()
        # A lead made from a registration stamps its partner on the opportunity it converts into.
        events.lead_converted.subscribe(services.stamp_converted_lead)
