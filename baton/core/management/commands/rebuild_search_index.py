"""``baton rebuild_search_index``: recompute the search tokens of existing rows and their index."""

from django.core.management.base import BaseCommand, CommandParser

from baton.core.textsearch import backfill, ensure_index, searchable_models


class Command(BaseCommand):
    help = (
        "Recompute the search tokens (short Korean terms, initial consonants, phone digits) of every "
        "searchable record and rebuild their index. Safe to run any time; rows already current are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default")

    def handle(self, *args: object, database: str = "default", **options: object) -> None:
        for model in searchable_models():
            changed = backfill(model, using=database)
            ensure_index(model, database, rebuild=True)
            if int(str(options.get("verbosity", 1))) >= 1:
                self.stdout.write(f"{model._meta.label}: {changed} rows updated")
