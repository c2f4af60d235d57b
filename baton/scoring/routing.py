"""Routing writes (assignment rules, rep capacity, assigning a lead with its explanation) and the
capacity-controlled supply of qualified leads from Inside Sales to Field Sales."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.core.records import can_edit
from baton.leads.models import Lead, LeadStatus
from baton.scoring.models import Assignment, LeadScore, RepCapacity, RoutingRule, SupplyRun, SupplySettings
from baton.scoring.services import require_admin


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    start_day = week_start(timezone.localdate(now))
    start = timezone.make_aware(dt.datetime.combine(start_day, dt.time.min))
    return start, start + dt.timedelta(days=7)


def load_this_week(user_ids: list[int], now: dt.datetime) -> dict[int, int]:
    start, end = week_bounds(now)
    rows = (
        Assignment.objects.filter(assignee_id__in=user_ids, assigned_at__gte=start, assigned_at__lt=end)
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {r["assignee_id"]: r["n"] for r in rows}


# --- admin: capacity and rules -------------------------------------------------------------------------


@transaction.atomic
def set_capacity(user: User, *, actor: User | None, values: dict[str, Any]) -> RepCapacity:
    require_admin(actor)
    cap, _created = RepCapacity.objects.get_or_create(user=user)
    before = snapshot(cap)
    for key, value in values.items():
        setattr(cap, key, value)
    cap.full_clean()
    cap.save()
    log_change(actor=actor, action=ChangeLog.Action.UPDATE, instance=cap, before=before, after=snapshot(cap))
    return cap


@transaction.atomic
def save_routing_rule(
    rule: RoutingRule | None, *, actor: User | None, values: dict[str, Any], members: list[User]
) -> RoutingRule:
    require_admin(actor)
    before = snapshot(rule) | {"members": sorted(rule.members.values_list("id", flat=True))} if rule else {}
    rule = rule or RoutingRule()
    for key, value in values.items():
        setattr(rule, key, value)
    rule.full_clean()
    rule.save()
    rule.members.set(members)
    after = snapshot(rule) | {"members": sorted(m.pk for m in members)}
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE if before else ChangeLog.Action.CREATE,
        instance=rule,
        before=before,
        after=after,
    )
    return rule


# --- routing one lead ---------------------------------------------------------------------------------


@dataclass
class Decision:
    assignee: User | None
    rule: RoutingRule | None
    steps: list[dict[str, Any]] = field(default_factory=list)


def _rule_matches(rule: RoutingRule, lead: Lead, product: str) -> tuple[bool, str]:
    checks = [("regions", lead.region), ("industries", lead.industry), ("sizes", lead.size)]
    for attr, value in checks:
        wanted = getattr(rule, attr) or []
        if wanted and value not in wanted:
            return False, attr
    if rule.product and rule.product != product:
        return False, "product"
    return True, ""


def decide(lead: Lead, *, product: str = "", now: dt.datetime | None = None, lock: bool = True) -> Decision:
    """Walk the active rules in order; the first with an eligible rep decides. Every step is explained."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    steps: list[dict[str, Any]] = []
    for rule in (
        RoutingRule.objects.filter(is_active=True).prefetch_related("members").order_by("sequence", "id")
    ):
        ok, failed = _rule_matches(rule, lead, product)
        if not ok:
            steps.append({"rule": rule.name, "event": "no_match", "field": failed})
            continue
        steps.append({"rule": rule.name, "event": "match"})
        members = [m for m in rule.members.all() if m.is_active]
        caps_qs = RepCapacity.objects.filter(user_id__in=[m.pk for m in members])
        if lock:
            caps_qs = caps_qs.select_for_update()  # capacity is checked and used in one transaction
        caps = {c.user_id: c for c in caps_qs}
        load = load_this_week([m.pk for m in members], now)
        eligible = []
        for m in members:
            cap = caps.get(m.pk)
            if cap is None:
                steps.append({"rep": str(m), "event": "no_capacity_set"})
            elif cap.opted_out:
                steps.append({"rep": str(m), "event": "opted_out"})
            elif cap.away_until and cap.away_until >= today:
                steps.append({"rep": str(m), "event": "away", "until": cap.away_until.isoformat()})
            elif load.get(m.pk, 0) >= cap.weekly_capacity:
                steps.append(
                    {
                        "rep": str(m),
                        "event": "full",
                        "load": load.get(m.pk, 0),
                        "capacity": cap.weekly_capacity,
                    }
                )
            elif product and cap.products and product not in cap.products:
                steps.append({"rep": str(m), "event": "no_specialty", "product": product})
            else:
                eligible.append((m, cap, load.get(m.pk, 0)))
        if not eligible:
            steps.append({"rule": rule.name, "event": "nobody_free"})
            continue
        epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
        if rule.strategy == RoutingRule.Strategy.CAPACITY:
            eligible.sort(
                key=lambda e: (
                    -(e[1].weekly_capacity - e[2]) / e[1].weekly_capacity,
                    e[1].last_assigned_at or epoch,
                    e[0].pk,
                )
            )
        else:
            eligible.sort(key=lambda e: (e[1].last_assigned_at or epoch, e[0].pk))
        chosen, cap, used = eligible[0]
        steps.append(
            {
                "rep": str(chosen),
                "event": "chosen",
                "strategy": rule.strategy,
                "load": used,
                "capacity": cap.weekly_capacity,
            }
        )
        return Decision(chosen, rule, steps)
    steps.append({"event": "unassigned"})
    return Decision(None, None, steps)


def explain(steps: list[dict[str, Any]]) -> list[str]:
    """The explanation as sentences in the active language."""
    out = []
    for s in steps:
        event = s.get("event")
        if event == "no_match":
            out.append(_("Rule “%(rule)s” does not apply (%(field)s differs).") % s)
        elif event == "match":
            out.append(_("Rule “%(rule)s” applies.") % s)
        elif event == "no_capacity_set":
            out.append(_("%(rep)s has no capacity set.") % s)
        elif event == "opted_out":
            out.append(_("%(rep)s opted out of routing.") % s)
        elif event == "away":
            out.append(_("%(rep)s is away until %(until)s.") % s)
        elif event == "full":
            out.append(_("%(rep)s is full this week (%(load)s of %(capacity)s).") % s)
        elif event == "no_specialty":
            out.append(_("%(rep)s does not sell %(product)s.") % s)
        elif event == "nobody_free":
            out.append(_("Nobody in “%(rule)s” can take it.") % s)
        elif event == "chosen":
            how = (
                _("next in turn")
                if s.get("strategy") == RoutingRule.Strategy.ROUND_ROBIN
                else _("most free capacity")
            )
            out.append(
                _("Assigned to %(rep)s (%(how)s; %(load)s of %(capacity)s this week before this lead).")
                % {**s, "how": how}
            )
        elif event == "unassigned":
            out.append(_("No rule found a rep with free capacity; the lead stays where it is."))
    return out


@transaction.atomic
def route_lead(
    lead: Lead,
    *,
    actor: User | None,
    product: str = "",
    via: str = Assignment.Via.ROUTING,
    now: dt.datetime | None = None,
) -> Assignment:
    """Assign the lead by the rules, explain and audit it, notify the new owner."""
    from baton.leads.services import update_lead

    if actor is not None and not can_edit(actor, lead):
        raise PermissionDenied(_("You may not route this lead."))
    if lead.is_converted:
        raise ValidationError({"lead": [_("A converted lead is not routed.")]})
    now = now or timezone.now()
    product = product or str((lead.custom_field_data or {}).get("product_interest", ""))
    decision = decide(lead, product=product, now=now)
    score = LeadScore.objects.filter(lead_id=lead.pk).values_list("total", flat=True).first()
    assignment = Assignment.objects.create(
        lead=lead,
        assignee=decision.assignee,
        rule=decision.rule,
        via=via,
        explanation=decision.steps,
        score=score,
        assigned_at=now,
        actor=actor if actor is not None and actor.pk else None,
    )
    text = " ".join(explain(decision.steps))
    log_change(
        actor=actor,
        action=ChangeLog.Action.ASSIGN,
        instance=lead,
        before={"owner_id": lead.owner_id},
        after={
            "owner_id": decision.assignee.pk if decision.assignee else lead.owner_id,
            "assignment_id": assignment.pk,
        },
        note=text,
    )
    if decision.assignee is not None:
        RepCapacity.objects.filter(user=decision.assignee).update(last_assigned_at=now)
        if lead.owner_id != decision.assignee.pk:
            update_lead(lead, actor=actor, changes={"owner": decision.assignee}, expected_version=None)
        _notify(decision.assignee, lead, actor, text)
    return assignment


def _notify(user: User, lead: Lead, actor: User | None, text: str) -> None:
    from django.urls import reverse

    from baton.activities.services import notify

    notify(
        [user.pk],
        kind="assignment",
        text=(_("Lead assigned to you: %(lead)s.") % {"lead": lead}) + " " + text,
        actor=actor,
        url=reverse("leads:detail", args=[lead.pk]),
    )


# --- supply: qualified leads to field sales, at the rate field sales can absorb ----------------------------


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


def queue() -> Any:
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
