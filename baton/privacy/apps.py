from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from baton.core import events


class PrivacyConfig(AppConfig):
    name = "baton.privacy"
    label = "privacy"
    verbose_name = _("Personal information")

    def ready(self) -> None:
        from baton.privacy import consent, exports  # noqa: PLC0415 - they import models: only once apps are ready

        events.mail_sending.subscribe(consent.refuse_marketing_without_consent)
        events.data_exported.subscribe(exports.log_export)
