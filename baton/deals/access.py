"""Who reads opportunities beyond their owners (registered with ``core.records`` in ``ready()``):
the deal team (specialists, solution architects, …), the approvers of a pending approval step of one
of the deal's quotes, and the account's CSM. All read-only: editing stays with the owner and team."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from baton.deals.models import ApprovalRequest, ApprovalStep, DealTeamMember


def deal_team_reads(user: Any) -> Q:
    return Q(pk__in=DealTeamMember.objects.filter(user_id=user.pk).values("opportunity_id"))


def approver_reads(user: Any) -> Q:
    steps = ApprovalStep.objects.filter(
        approver_id=user.pk,
        status=ApprovalStep.Status.PENDING,
        request__status=ApprovalRequest.Status.PENDING,
    )
    return Q(pk__in=steps.values("request__quote__opportunity_id"))


def csm_reads(user: Any) -> Q:
    return Q(account__csm_id=user.pk)
