"""Permission-aware reads of support cases (ownership and queue, plus the grants in ``apps.py``: the
account's readers read its cases, its CSMs work them). A comment is read through its case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from baton.core.records import get_for_user
from baton.success.cases.models import Case, CaseComment

OPEN_STATUSES = (Case.Status.NEW, Case.Status.IN_PROGRESS, Case.Status.WAITING)


def cases_for(user: Any) -> QuerySet[Case]:
    return Case.objects.visible_to(user)


def get_case_for_user(user: Any, pk: object) -> Case:
    return get_for_user(
        Case.objects.select_related("account", "contact", "contract", "owner", "team"), user, pk
    )


def filtered_cases(user: Any, filters: dict[str, Any]) -> QuerySet[Case]:
    """The list's filters: status (or ``open``), priority, category, breached, mine, account, text."""
    qs = cases_for(user).select_related("account", "owner", "team")
    status = filters.get("status")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    for name in ("priority", "category"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("account"):
        qs = qs.filter(account_id=filters["account"])
    if filters.get("breached"):
        qs = qs.filter(Q(first_response_breached=True) | Q(resolution_breached=True))
    if filters.get("mine"):
        qs = qs.filter(owner_id=user.pk)
    if filters.get("q"):
        qs = qs.filter(Q(subject__icontains=filters["q"]) | Q(number__iexact=filters["q"]))
    return qs.order_by("-opened_at", "-id")


def comments_of(case: Case, *, internal: bool = True) -> QuerySet[CaseComment]:
    qs = case.comments.select_related("author", "email").order_by("created_at", "id")
    return qs if internal else qs.filter(is_internal=False)


def open_cases_of_account(user: Any, account: Any) -> QuerySet[Case]:
    return cases_for(user).filter(account=account, status__in=OPEN_STATUSES).order_by("-opened_at", "-id")


def breached_open_count(user: Any) -> int:
    return (
        cases_for(user)
        .filter(status__in=OPEN_STATUSES)
        .filter(Q(first_response_breached=True) | Q(resolution_breached=True))
        .count()
    )


def due_soon(user: Any, hours: int = 24) -> QuerySet[Case]:
    """Open cases whose resolution is due within ``hours`` (the CSM home)."""
    limit = timezone.now() + dt.timedelta(hours=hours)
    return (
        cases_for(user)
        .filter(status__in=OPEN_STATUSES, resolution_due__lte=limit)
        .select_related("account")
        .order_by("resolution_due", "id")
    )


def csm_open_cases(user: Any) -> QuerySet[Case]:
    """Open cases of the accounts (or contracts) the user is CSM of, breached first, then by deadline."""
    return (
        cases_for(user)
        .filter(status__in=OPEN_STATUSES)
        .filter(Q(account__csm_id=user.pk) | Q(contract__csm_id=user.pk))
        .select_related("account")
        .order_by("-resolution_breached", "-first_response_breached", "resolution_due", "id")
    )
