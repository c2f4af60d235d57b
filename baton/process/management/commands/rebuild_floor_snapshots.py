"""``baton rebuild_floor_snapshots``: rebuild the factory floor's daily snapshots from the stage history.

The worker keeps them up to date every hour (``refresh_floor_snapshots``); run this after restoring a
backup, loading history outside the services, or to check the build time. ``--incremental`` runs
the worker's job once instead of rebuilding every day.
"""

import time

from django.core.management.base import BaseCommand

from baton.process import floor_build


class Command(BaseCommand):
    help = "Rebuild the factory floor's daily snapshots (every closed day, or --incremental)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="only the days closed, dirty or moved since the last run",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = floor_build.refresh(full=not options["incremental"])
        self.stdout.write(
            f"{result['days']} days built through {result['through']} "
            f"({'full' if result['full'] else 'incremental'}) in {time.perf_counter() - started:.1f}s"
        )
