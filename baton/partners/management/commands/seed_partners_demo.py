"""Partners, partner users and deal registrations for the demo world (run by seed_demo)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from baton.partners.demo import seed


class Command(BaseCommand):
    help = "Give the demo three partners of different tiers, their people, registrations and deals."

    def handle(self, *args: Any, **options: Any) -> None:
        seed(self.stdout if options.get("verbosity", 1) > 0 else None)
