from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from baton.core import events
from baton.core.panels import register_panel


class IntegrationsConfig(AppConfig):
    name = "baton.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from baton.integrations import automation_action, outbox  # noqa: PLC0415 - they import models: only once apps are ready

        events.record_changed.subscribe(outbox.on_record_changed)
        events.lead_changed.subscribe(outbox.on_lead_changed)
        events.lead_converted.subscribe(outbox.on_lead_converted)
        events.opportunity_stage_changed.subscribe(outbox.on_stage_changed)
        automation_action.register()
        register_panel("account", "integrations/panels/_account_export.html", 200)
