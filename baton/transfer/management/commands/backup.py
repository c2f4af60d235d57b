"""``baton backup FILE``: the whole database as a portable archive (see ``baton.transfer.backup``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from baton.transfer.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the whole database into a .tar.gz archive (SQLite: online backup; PostgreSQL: pg_dump)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the archive to write, e.g. baton-2026-12-01.tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["file"])
        try:
            manifest = backup(out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{manifest['vendor']} database backed up to {out} ({out.stat().st_size:,} bytes)")
