"""Supply: qualified leads handed from Inside Sales to Field Sales at the rate field sales can absorb.

The free weekly capacity of the available field reps sets how many of the best-scored qualified
leads pass (``plan_supply``); ``run_supply`` hands them over through the routing rules. An admin
floor keeps low scores out however free field sales are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.leads.models import Lead, LeadStatus
from baton.scoring.models import Assignment, RepCapacity, SupplyRun, SupplySettings
from baton.scoring.routing import load_this_week, route_lead, week_start


def supply_settings() -> SupplySettings:
    return SupplySettings.objects.order_by("pk").first() or SupplySettings(min_score=0)


def field_capacity(now: dt.datetime) -> tuple[int, int]:
    """(total weekly capacity, still free this week) of the reps who can take leads now."""
    today = timezone.localdate(now)
    caps = list(
        RepCapacity.objects.filter(opted_out=False, user__is_active=True).filter(
            Q(away_until__isnull=True) | Q(away_until__lt=today)
        )
    )
    load = load_this_week([c.user_id for c in caps], now)
    total = sum(c.weekly_capacity for c in caps)
    free = sum(max(0, c.weekly_capacity - load.get(c.user_id, 0)) for c in caps)
    return total, free


def queue() -> QuerySet[Lead]:
    """Inside Sales' queue: qualified leads not yet handed over, best score first, oldest first on ties."""
    handed = Assignment.objects.filter(via=Assignment.Via.SUPPLY, assignee__isnull=False).values("lead_id")
    return (
        Lead.objects.filter(status=LeadStatus.QUALIFIED, converted_at__isnull=True)
        .exclude(pk__in=handed)
        .select_related("score", "owner")
        .order_by("-score__total", "score__qualified_at", "id")
    )


@dataclass
class SupplyPlan:
    capacity: int
    free: int
    waiting: int
    threshold: int | None
    floor: int
    passing: list[Lead]


def plan_supply(now: dt.datetime | None = None, *, limit: int = 1000) -> SupplyPlan:
    """Who would pass now: the best ``free`` queued leads at or above the floor. The threshold is the
    score of the last one that fits; with more free capacity it relaxes down to the floor."""
    now = now or timezone.now()
    capacity, free = field_capacity(now)
    floor = supply_settings().min_score
    candidates = list(queue().filter(Q(score__total__gte=floor))[: min(limit, max(free, 0) + 1)])
    waiting = queue().count()
    passing = candidates[:free]
    threshold: int | None
    if free <= 0:
        threshold = None  # closed: nothing passes until capacity frees
    elif len(candidates) > free:
        threshold = passing[-1].score.total  # short: only the best pass
    else:
        threshold = floor  # room for everyone above the floor: fully relaxed
    return SupplyPlan(capacity, free, waiting, threshold, floor, passing)


# Who supplies leads to field sales, and so sees the supply queue (lead names, companies, owners and
# scores of every waiting lead): inside sales, the sales managers who run field sales, administrators.
SUPPLY_ROLES = ("inside_sales", "sales_manager")


def may_supply(user: User | None) -> bool:
    return user is not None and user.is_active and (user.is_admin or user.role in SUPPLY_ROLES)


@transaction.atomic
def run_supply(*, actor: User | None, now: dt.datetime | None = None) -> SupplyRun:
    """Hand the passing leads to field sales through the routing rules; the rest wait, in score order."""
    if actor is not None and not may_supply(actor):
        raise PermissionDenied(_("Only inside sales, managers and administrators hand leads over."))
    now = now or timezone.now()
    # One hand-over at a time: the settings row is the lock, so two runs cannot route the same lead.
    if SupplySettings.objects.select_for_update().order_by("pk").first() is None:
        SupplySettings.objects.create(min_score=0)
    plan = plan_supply(now)
    passed = 0
    for lead in plan.passing:
        assignment = route_lead(lead, actor=None, via=Assignment.Via.SUPPLY, now=now)
        if assignment.assignee_id is not None:
            passed += 1
    run = SupplyRun.objects.create(
        period_start=week_start(timezone.localdate(now)),
        ran_at=now,
        capacity=plan.capacity,
        free_capacity=plan.free,
        queued=plan.waiting,
        passed=passed,
        threshold=plan.threshold,
        actor=actor if actor is not None and actor.pk else None,
    )
    log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=run, after=snapshot(run))
    return run


def supply_by_period(weeks: int = 12) -> list[dict[str, Any]]:
    """Per week: leads handed over vs field capacity (the supply-vs-capacity ratio)."""
    rows: dict[dt.date, dict[str, Any]] = {}
    for run in SupplyRun.objects.order_by("-period_start", "ran_at")[: weeks * 20]:
        r = rows.setdefault(
            run.period_start,
            {"period": run.period_start, "capacity": run.capacity, "passed": 0, "threshold": run.threshold},
        )
        r["passed"] += run.passed
        r["threshold"] = run.threshold
    out = sorted(rows.values(), key=lambda r: r["period"], reverse=True)[:weeks]
    for r in out:
        r["ratio"] = (r["passed"] / r["capacity"]) if r["capacity"] else None
    return out
