"""Consent statements and a retention rule for the demo world (run by seed_demo)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from baton.privacy.demo import seed


class Command(BaseCommand):
    help = "Add consent statements to some demo leads and contacts and a retention rule."

    def handle(self, *args: Any, **options: Any) -> None:
        seed(self.stdout if options.get("verbosity", 1) > 0 else None)
