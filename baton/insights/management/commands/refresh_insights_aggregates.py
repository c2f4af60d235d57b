"""``baton refresh_insights_aggregates [--all]``: sum the closed months of the won-revenue trend."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from baton.insights.aggregates.build import refresh


class Command(BaseCommand):
    help = "Sum the closed months of the won-revenue trend that are missing or changed (--all: every month)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="sum every month of the window again")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        done = refresh(everything=options["all"])
        months = ", ".join(f"{m:%Y-%m}" for m in done.months) or "none"
        self.stdout.write(
            f"summed {len(done.months)} month(s) ({months}): {done.deals} won deals "
            f"in {time.perf_counter() - started:.1f} s"
        )
