"""Automation rules for the demo world (run by seed_demo)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from baton.automation.demo import seed


class Command(BaseCommand):
    help = "Add three automation rules to the demo world (and run today's time-based one)."

    def handle(self, *args: Any, **options: Any) -> None:
        seed(self.stdout if options.get("verbosity", 1) > 0 else None)
