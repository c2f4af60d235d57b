"""Open the renewals that are due and send today's reminders (cron alternative to the worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from baton.success.services import sweep_renewals


class Command(BaseCommand):
    help = "Open due renewal opportunities and send the D-90/-30/-7 renewal reminders."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(sweep_renewals()))
