from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from baton.activities import hooks
from baton.core import events


def _notify_followers(payload: events.RecordChange) -> None:
    """``record_changed`` subscriber: enqueue the followers' notification (after the commit)."""
    hooks.record_changed(payload.instance, payload.change)


class ActivitiesConfig(AppConfig):
    name = "baton.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        events.record_changed.subscribe(_notify_followers)
