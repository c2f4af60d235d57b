from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo world and ``baton seed_demo``: the top layer, built on every other app."""

    name = "baton.demo"
    label = "demo"
    verbose_name = _("Demo data")
