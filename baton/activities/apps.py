from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from baton.activities import hooks
from baton.core import events


def _notify_followers(payload: events.RecordChange) -> None:
    """``record_changed`` subscriber: enqueue the followers' notification (after the commit)."""
    hooks.record_changed(payload.instance, payload.change)


def _deliver_notice(payload: events.Notice) -> None:
    """``notice`` subscriber: a lower app's message goes to the recipients' bells."""
    from baton.activities.services import notify  # noqa: PLC0415 - imports models: only once apps are ready

    notify(list(payload.user_ids), kind=payload.kind, text=payload.text, actor=payload.actor, url=payload.url)


def _make_request_task(payload: events.RequestAsked) -> None:
    """``request_asked`` subscriber: the ask becomes the assignee's task, stored on the asking row."""
    from baton.activities.services import create_request_for  # noqa: PLC0415 - imports models: only once apps are ready

    create_request_for(
        payload.request,
        payload.record,
        actor=payload.actor,
        assignee=payload.assignee,
        subject=payload.subject,
        body=payload.body,
        due_at=payload.due_at,
    )


class ActivitiesConfig(AppConfig):
    name = "baton.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from baton.activities.models import Activity  # noqa: PLC0415 - models in ready()
        from baton.core.customfields.schema import register_custom_field_model  # noqa: PLC0415 - models

        register_custom_field_model("activity", Activity)  # administrators add fields to activities too
        events.record_changed.subscribe(_notify_followers)
        events.notice.subscribe(_deliver_notice)
        events.request_asked.subscribe(_make_request_task)
