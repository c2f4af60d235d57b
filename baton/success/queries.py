"""Permission-aware reads of contracts and renewals (through ``core.records``: ownership plus the
grants registered in ``apps.py``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404

from baton.core.models import User
from baton.core.records import get_for_user
from baton.success.models import Contract, Renewal


def contracts_for(user: User) -> QuerySet[Contract]:
    return Contract.objects.visible_to(user)


def get_contract_for_user(user: User, pk: object) -> Contract:
    return get_for_user(Contract.objects.select_related("account", "owner", "csm", "opportunity"), user, pk)


def get_renewal_for_user(user: User, pk: object) -> Renewal:
    try:
        return Renewal.objects.select_related("contract", "opportunity").get(
            pk=int(pk),  # type: ignore[call-overload]
            contract__in=contracts_for(user),
        )
    except (ValueError, TypeError, OverflowError, Renewal.DoesNotExist):
        raise Http404("Not found") from None


def upcoming_renewals(user: User, today: dt.date, days: int = 120) -> QuerySet[Contract]:
    """Active contracts the user sees whose term ends within ``days`` (soonest first)."""
    return (
        contracts_for(user)
        .filter(
            status=Contract.Status.ACTIVE, end_date__gte=today, end_date__lte=today + dt.timedelta(days=days)
        )
        .select_related("account", "owner", "csm")
        .order_by("end_date", "id")
    )


def missed_renewals(user: User, today: dt.date) -> QuerySet[Renewal]:
    """Renewals still open after their term ended (flagged on the dashboards)."""
    return (
        Renewal.objects.filter(
            contract__in=contracts_for(user), outcome=Renewal.Outcome.OPEN, term_end__lt=today
        )
        .select_related("contract__account", "opportunity")
        .order_by("term_end", "id")
    )
