"""A few shared records for the demo world (run by seed_demo)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from baton.sharing.demo import seed


class Command(BaseCommand):
    help = "Share a few of the demo seller's records with a specialist and another team."

    def handle(self, *args: Any, **options: Any) -> None:
        seed(self.stdout if options.get("verbosity", 1) > 0 else None)
