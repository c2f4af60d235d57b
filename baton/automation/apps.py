from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from baton.core import events


def _record_changed(payload: events.RecordChange) -> None:
    from baton.automation import engine  # noqa: PLC0415 - imports models: only once apps are ready
    from baton.core.records import kind_of  # noqa: PLC0415

    try:
        kind = kind_of(payload.instance)
    except ValueError:
        return
    engine.on_record_event(kind, payload.instance)


def _lead_changed(payload: events.LeadChange) -> None:
    from baton.automation import engine  # noqa: PLC0415 - imports models: only once apps are ready

    engine.on_record_event("lead", payload.lead)


def _stage_changed(payload: events.OpportunityStageChange) -> None:
    from baton.automation import engine  # noqa: PLC0415 - imports models: only once apps are ready

    engine.on_record_event("opportunity", payload.opportunity)


def _activity_created(payload: events.ActivityCreated) -> None:
    from baton.automation import engine  # noqa: PLC0415 - imports models: only once apps are ready

    engine.on_record_event("activity", payload.activity)


class AutomationConfig(AppConfig):
    name = "baton.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from baton.automation import panels  # noqa: PLC0415 - imports models: only once apps are ready

        events.record_changed.subscribe(_record_changed)
        events.lead_changed.subscribe(_lead_changed)
        events.opportunity_stage_changed.subscribe(_stage_changed)
        events.activity_created.subscribe(_activity_created)
        panels.register()
