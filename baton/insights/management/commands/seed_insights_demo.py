"""Quotas, activity targets, this week's forecast snapshot, campaign costs and the managers' weekly
win-rate e-mail for the demo world (run by seed_demo)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Sum
from django.utils import timezone

from baton.core.models import Role, User
from baton.deals.models import Opportunity, Stage
from baton.insights.models import ActivityTarget, Quota, ReportSubscription, SavedReport
from baton.insights.periods import period_containing
from baton.insights.services import take_current_snapshots
from baton.insights.subscriptions import subscribe
from baton.leads.models import Campaign
from baton.leads.services import update_campaign

SELLING_ROLES = (Role.FIELD_SALES, Role.INSIDE_SALES, Role.SPECIALIST_SALES)
TEN_MILLION = Decimal(10_000_000)
RATES = {"USD": Decimal("1380"), "EUR": Decimal("1490"), "JPY": Decimal("9.2"), "CNY": Decimal("190")}
# Weekly targets per role, by activity type (the manager's "activity as well as revenue").
TARGETS = {
    Role.FIELD_SALES: {"call": 15, "event": 5, "minutes": 4, "email": 20},
    Role.INSIDE_SALES: {"call": 60, "event": 3, "email": 80},
}


class Command(BaseCommand):
    help = "Give the demo's sellers quotas (this quarter and year) and weekly activity targets."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        quarter = period_containing("quarter", today)
        year = period_containing("year", today)
        last_year_start = timezone.make_aware(dt.datetime(today.year - 1, 1, 1))
        this_year_start = timezone.make_aware(dt.datetime(today.year, 1, 1))
        sellers = list(User.objects.filter(role__in=SELLING_ROLES, is_active=True))
        won_last_year = dict(
            Opportunity.objects.filter(
                stage__outcome=Stage.Outcome.WON,
                closed_at__gte=last_year_start,
                closed_at__lt=this_year_start,
            )
            .order_by()
            .values_list("owner_id")
            .annotate(total=Sum("amount"))
        )
        for seller in sellers:
            # A year's quota: last year's wins plus 20 %, at least 400M, in whole 10M steps.
            base = max(Decimal(won_last_year.get(seller.pk) or 0) * Decimal("1.2"), Decimal(400_000_000))
            yearly = (base / TEN_MILLION).quantize(Decimal(1), rounding=ROUND_HALF_UP) * TEN_MILLION
            Quota.objects.update_or_create(
                user=seller, period_kind="year", period_start=year.start, defaults={"amount": yearly}
            )
            Quota.objects.update_or_create(
                user=seller,
                period_kind="quarter",
                period_start=quarter.start,
                defaults={"amount": (yearly / 4 / TEN_MILLION).quantize(Decimal(1)) * TEN_MILLION},
            )
        for role, kinds in TARGETS.items():
            for kind, per_week in kinds.items():
                ActivityTarget.objects.update_or_create(
                    user=None, role=role, kind=kind, defaults={"per_week": per_week}
                )
        snapshots = take_current_snapshots(today=today)
        costs = self.campaign_costs()
        subscribed = self.subscriptions()
        self.stdout.write(
            f"Quotas for {len(sellers)} sellers, activity targets for {len(TARGETS)} roles, "
            f"{len(snapshots)} forecast snapshots, costs of {costs} campaigns, "
            f"{subscribed} report subscriptions."
        )

    def campaign_costs(self) -> int:
        """Campaigns that ran (active or completed) cost 90 % of their budget, in whole 100,000 won."""
        count = 0
        for campaign in Campaign.objects.filter(
            status__in=[Campaign.Status.ACTIVE, Campaign.Status.COMPLETED],
            budget__isnull=False,
            cost__isnull=True,
        ):
            cost = (Decimal(campaign.budget or 0) * Decimal("0.9") / 100_000).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            ) * 100_000
            update_campaign(campaign, actor=None, changes={"cost": cost}, expected_version=None)
            count += 1
        return count

    def subscriptions(self) -> int:
        """Each sales manager receives the win-rate question (seed 003's second) every Monday."""
        report = SavedReport.objects.filter(is_builtin=True, question=2).first()
        if report is None:
            return 0
        count = 0
        for manager in User.objects.filter(role=Role.SALES_MANAGER, is_active=True).exclude(email=""):
            if not ReportSubscription.objects.filter(report=report, user=manager).exists():
                subscribe(actor=manager, report=report, frequency=ReportSubscription.Frequency.WEEKLY)
                count += 1
        return count
