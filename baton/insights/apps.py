from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """The manager's numbers: forecast categories, quotas, roll-ups and weekly forecast snapshots."""

    name = "baton.insights"
    label = "insights"
    verbose_name = _("Insights")
