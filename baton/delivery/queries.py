"""Permission-aware reads of hand-off packages and delivery projects, and the rework-loop metrics.

Sales sees the packages of deals it can see; delivery sees the packages handed to it (and not the rest
of the pipeline): a package is visible through its deal or through being its delivery lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, QuerySet
from django.http import Http404

from baton.core.models import User
from baton.deals.models import Opportunity, Stage
from baton.delivery.models import DeliveryProject, HandoffPackage


def packages_for(user: User) -> QuerySet[HandoffPackage]:
    if user is None or not user.is_authenticated or not user.is_active:
        return HandoffPackage.objects.none()
    qs = HandoffPackage.objects.select_related("opportunity__account", "opportunity__stage", "delivery_lead")
    if user.is_admin:
        return qs
    visible = Opportunity.objects.visible_to(user).values("id")
    return qs.filter(Q(opportunity_id__in=visible) | Q(delivery_lead=user))


def get_package_for_user(user: User, pk: object) -> HandoffPackage:
    try:
        return packages_for(user).get(pk=int(pk))  # type: ignore[call-overload]
    except (ValueError, TypeError, HandoffPackage.DoesNotExist):
        raise Http404("Not found") from None


def projects_for(user: User) -> QuerySet[DeliveryProject]:
    if user is None or not user.is_authenticated or not user.is_active:
        return DeliveryProject.objects.none()
    qs = DeliveryProject.objects.select_related("account", "opportunity", "pm", "package")
    if user.is_admin:
        return qs
    visible = Opportunity.objects.visible_to(user).values("id")
    return qs.filter(Q(opportunity_id__in=visible) | Q(pm=user) | Q(package__delivery_lead=user))


def get_project_for_user(user: User, pk: object) -> DeliveryProject:
    try:
        return projects_for(user).get(pk=int(pk))  # type: ignore[call-overload]
    except (ValueError, TypeError, DeliveryProject.DoesNotExist):
        raise Http404("Not found") from None


@dataclass
class HandoffMetrics:
    accepted: int
    first_time_right: int
    sent_back_total: int
    avg_days_won_to_accepted: Decimal | None

    @property
    def first_time_right_rate(self) -> int | None:
        return round(self.first_time_right * 100 / self.accepted) if self.accepted else None


def metrics(packages: QuerySet[HandoffPackage]) -> HandoffMetrics:
    """First-time-right rate (accepted without being sent back) and days from won to accepted: two queries."""
    accepted = packages.filter(status=HandoffPackage.Status.ACCEPTED)
    row = accepted.order_by().aggregate(
        n=Count("id"),
        ftr=Count("id", filter=Q(send_backs=0)),
    )
    backs = packages.order_by().aggregate(n=Count("id", filter=Q(send_backs__gt=0)))["n"]
    durations = (
        accepted.filter(opportunity__stage__outcome=Stage.Outcome.WON, opportunity__closed_at__isnull=False)
        .order_by()
        .aggregate(avg=Avg(F("accepted_at") - F("opportunity__closed_at")))["avg"]
    )
    days = None
    if durations is not None:
        days = (Decimal(durations.total_seconds()) / Decimal(86400)).quantize(Decimal("0.1"))
    return HandoffMetrics(row["n"], row["ftr"], backs, days)
