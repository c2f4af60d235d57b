"""Who reads deals and accounts because of delivery (registered with ``core.records`` in ``ready()``):
the delivery lead a hand-off is submitted to (to review it), and once it is accepted the project's PM
and the PM's team. Read-only."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from baton.delivery.models import DeliveryProject, HandoffPackage


def _projects(user: Any) -> QuerySet[DeliveryProject]:
    cond = Q(pm_id=user.pk) | Q(package__delivery_lead_id=user.pk)
    if user.team_id:
        cond |= Q(pm__team_id=user.team_id)
    return DeliveryProject.objects.filter(cond)


def _offered(user: Any) -> QuerySet[HandoffPackage]:
    return HandoffPackage.objects.filter(delivery_lead_id=user.pk, status=HandoffPackage.Status.SUBMITTED)


def delivery_reads_opportunity(user: Any) -> Q:
    return Q(pk__in=_projects(user).values("opportunity_id")) | Q(
        pk__in=_offered(user).values("opportunity_id")
    )


def delivery_reads_account(user: Any) -> Q:
    return Q(pk__in=_projects(user).values("account_id"))
