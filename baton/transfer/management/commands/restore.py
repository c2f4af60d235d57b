"""``baton restore FILE``: replace the database's contents with a ``baton backup`` archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from baton.transfer.backup import BackupError, read_manifest, restore


class Command(BaseCommand):
    help = "Restore the whole database from a `baton backup` archive (everything in it now is replaced)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the archive written by `baton backup`")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["file"])
        try:
            manifest = read_manifest(archive)
            if not options["yes"]:
                answer = input(
                    f"Replace everything in this database with the backup of {manifest.get('created_at')}? "
                    "Type 'yes' to continue: "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Restore cancelled; nothing was changed.")
            restore(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{manifest['vendor']} database restored from {archive}")
