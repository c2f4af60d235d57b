from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """The manager's numbers: forecast categories, quotas, roll-ups and weekly forecast snapshots."""

    name = "baton.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from baton.deals.board_marks import register_next_activity  # noqa: PLC0415 - after the app registry
        from baton.insights.board_activity import PROVIDER  # noqa: PLC0415 - activities models

        register_next_activity(PROVIDER)
