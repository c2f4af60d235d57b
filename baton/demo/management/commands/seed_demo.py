"""``baton seed_demo``: load the Korean demo world (demo mode only) and print the demo logins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from baton.core.models import Role, User
from baton.demo.world import (
    DEFAULT_SEED,
    crm_data_exists,
    demo_exists,
    demo_logins,
    format_logins,
    seed_demo,
    wipe_crm_data,
)
from baton.scoring.routing import set_capacity


class Command(BaseCommand):
    help = (
        "Create demo users (one per role, known password) and a year of Korean B2B demo data. "
        "Does nothing when demo data exists; --reset wipes CRM data first. Demo mode only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Delete all CRM data and the demo users, then seed."
        )
        parser.add_argument("--force", action="store_true", help="Run even when BATON_DEMO is off.")
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply record counts (default 1.0).")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Random seed (same seed, same world)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE and not options["force"]:
            raise CommandError(
                "Demo data creates users with a published password: refusing because demo mode is off "
                "(set BATON_DEMO=true, or pass --force if you really mean it)."
            )
        if not 0 < options["scale"] <= 20:
            raise CommandError("--scale must be between 0 and 20.")
        if options["reset"]:
            wipe_crm_data()
            self.stdout.write("Wiped CRM data, the change log and the demo users.")
        elif demo_exists():
            self.stdout.write("Demo data already exists: nothing to do (use --reset to start again).")
            self.print_logins()
            return
        elif crm_data_exists():
            raise CommandError(
                "This database already holds CRM records that are not demo data: refusing to mix them "
                "(use --reset to wipe them, or an empty database)."
            )
        summary = seed_demo(seed=options["seed"], scale=options["scale"])
        # The other apps' demo seeders run from here (the demo app sits on top of them all).
        # Meetings, minutes with "?" items, tasks and follows for the reps' day (baton/activities).
        call_command("seed_activities", verbosity=0)
        # Quotas, weekly activity targets and this week's forecast snapshot (baton/insights).
        call_command("seed_insights_demo", verbosity=0)
        call_command("seed_privacy_demo", verbosity=0)  # consent statements, a retention rule (baton/privacy)
        call_command("seed_sharing_demo", verbosity=0)  # a few shared records (baton/sharing)
        call_command("seed_transfer_demo", verbosity=0)  # saved import mappings (baton/transfer)
        self.seed_capacity()
        call_command("seed_success_demo", verbosity=0)  # contracts, renewals (baton/success)
        call_command(
            "seed_automation_demo", verbosity=0
        )  # three rules and their first runs (baton/automation)
        call_command("seed_partners_demo", verbosity=0)  # partners, registrations (baton/partners)
        # The history above was back-dated around the services: recompute each lead's first sales touch.
        call_command("rebuild_first_touches", verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data created in {summary.seconds:.1f}s: {summary.accounts} accounts, "
                f"{summary.contacts} contacts, {summary.campaigns} campaigns, {summary.leads} leads "
                f"({summary.interactions} interactions), "
                f"{summary.opportunities} opportunities, {summary.changes} change-log rows."
            )
        )
        self.stdout.write(
            "Leads by status: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.lead_status.items()))
        )
        self.stdout.write(
            "Opportunities by outcome: "
            + ", ".join(f"{k} {v}" for k, v in sorted(summary.opportunity_outcome.items()))
        )
        self.print_logins()

    def seed_capacity(self) -> None:
        """Weekly capacity for the field reps, so the supply queue shows a threshold (one rep away)."""
        admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
        reps = User.objects.filter(role=Role.FIELD_SALES, is_active=True).order_by("username")
        for rep, weekly in zip(reps, (4, 3, 3, 2), strict=False):
            away = timezone.localdate() + dt.timedelta(days=7) if rep.username == "ae4" else None
            set_capacity(rep, actor=admin, values={"weekly_capacity": weekly, "away_until": away})

    def print_logins(self) -> None:
        rows = demo_logins()
        if rows:
            self.stdout.write("\nDemo logins (demo mode only; every user has the same password):")
            self.stdout.write(format_logins(rows, self.style.MIGRATE_HEADING))
