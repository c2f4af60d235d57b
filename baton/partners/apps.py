from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "baton.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from baton.partners import access  # noqa: PLC0415 - models in ready()

        access.register()
