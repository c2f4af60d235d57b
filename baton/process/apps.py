from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessConfig(AppConfig):
    name = "baton.process"
    label = "process"
    verbose_name = _("The Model (process)")

    def ready(self) -> None:
        # Models and services import only once the app registry is ready.
        from django.db.models.signals import post_delete, post_save  # noqa: PLC0415 - app registry

        from baton.core import events  # noqa: PLC0415 - app registry
        from baton.core.records import record_model, register_grant  # noqa: PLC0415 - app registry
        from baton.process import models, services  # noqa: PLC0415 - app registry
        from baton.process.access import receiver_reads  # noqa: PLC0415 - app registry

        for kind in models.RecordKind.values:
            register_grant(
                record_model(kind), "receiver of a pending hand-off", receiver_reads(kind), edit=True
            )

        # An opportunity's stays follow every write of its stage (same transaction).
        events.opportunity_stage_changed.subscribe(services.on_opportunity_stage_changed)
        # A lead's writes place, recycle or advance it; a conversion carries its flow to the deal.
        # (The process app is installed before scoring, so a lead is placed before it is rescored.)
        events.lead_changed.subscribe(services.on_lead_change_event)
        events.lead_converted.subscribe(services.on_lead_conversion_event)

        # Any save of the design in this process drops the cached design (other processes notice the
        # new DesignVersion on their next read).
        for model in (models.Department, models.ProcessStage, models.StageCriterion, models.DesignVersion):
            uid = f"process-design-{model.__name__}"
            post_save.connect(services.invalidate_design_cache, sender=model, dispatch_uid=uid)
            post_delete.connect(services.invalidate_design_cache, sender=model, dispatch_uid=uid + "-d")
