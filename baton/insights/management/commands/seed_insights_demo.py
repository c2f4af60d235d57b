"""Quotas, activity targets and this week's forecast snapshot for the demo world (run by seed_demo)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Sum
from django.utils import timezone

from baton.core.models import Role, User
from baton.deals.models import Opportunity, Stage
from baton.insights.models import ActivityTarget, Quota
from baton.insights.periods import period_containing
from baton.insights.services import take_current_snapshots

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
        self.stdout.write(
            f"Quotas for {len(sellers)} sellers, activity targets for {len(TARGETS)} roles, "
            f"{len(snapshots)} forecast snapshots."
        )
