"""``baton rebuild_first_touches``: recompute every lead's first sales touch (``Lead.first_touch_at``)
from its activities and timeline, after data was loaded around the services (a bulk load, a restore
from an older backup, a hand-run SQL fix). The services keep it on every write; this repairs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from baton.activities import touches


class Command(BaseCommand):
    help = "Recompute every lead's first sales touch (speed to lead) from its touches."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="only report leads whose value differs")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            wrong = touches.mismatched()
            self.stdout.write(f"{len(wrong)} lead(s) differ" + (f": {wrong[:20]}" if wrong else ""))
            if wrong:
                raise SystemExit(1)
            return
        done = touches.rebuild_all()
        if options["verbosity"]:
            self.stdout.write(f"Recomputed the first touch of {done} lead(s).")
