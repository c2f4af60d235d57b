from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "baton.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # textsearch defines an abstract model: importable only once the app registry is ready.
        from baton.core.textsearch import ensure_indexes_after_migrate  # noqa: PLC0415 - models in ready()

        # Once per migrate (sent for this app after every app has migrated): the search token
        # indexes, and on SQLite the FTS triggers a table rebuild by a later migration dropped.
        post_migrate.connect(ensure_indexes_after_migrate, sender=self, dispatch_uid="baton_search_index")
