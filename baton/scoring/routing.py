"""Routing: which rep gets a lead. Admins edit the routing rules and each rep's capacity; ``route_lead``
walks the rules, assigns the lead, explains every step (stored as data, shown in the reader's
language) and notifies the new owner. The weekly load helpers are shared with ``supply.py``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.activities.services import notify
from baton.core.audit import log_change, snapshot
from baton.core.i18n_text import Msg
from baton.core.models import ChangeLog, User
from baton.core.records import can_edit
from baton.leads.models import Lead
from baton.leads.services import update_lead
from baton.scoring.access import require_admin
from baton.scoring.models import Assignment, LeadScore, RepCapacity, RoutingRule


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


# The sentence of each step, as message codes (``gettext_noop``): stored in notifications as data and
# translated when read, so every reader sees the explanation in their own language.
STEP_MESSAGES = {
    "no_match": gettext_noop("Rule “%(rule)s” does not apply (%(field)s differs)."),
    "match": gettext_noop("Rule “%(rule)s” applies."),
    "no_capacity_set": gettext_noop("%(rep)s has no capacity set."),
    "opted_out": gettext_noop("%(rep)s opted out of routing."),
    "away": gettext_noop("%(rep)s is away until %(until)s."),
    "full": gettext_noop("%(rep)s is full this week (%(load)s of %(capacity)s)."),
    "no_specialty": gettext_noop("%(rep)s does not sell %(product)s."),
    "nobody_free": gettext_noop("Nobody in “%(rule)s” can take it."),
    "chosen": gettext_noop(
        "Assigned to %(rep)s (%(how)s; %(load)s of %(capacity)s this week before this lead)."
    ),
    "unassigned": gettext_noop("No rule found a rep with free capacity; the lead stays where it is."),
}


def explain_messages(steps: list[dict[str, Any]]) -> list[Msg]:
    """The explanation of a routing decision as messages, one sentence per step."""
    out = []
    for s in steps:
        source = STEP_MESSAGES.get(str(s.get("event")))
        if source is None:
            continue
        params: dict[str, Any] = {key: value for key, value in s.items() if key != "event"}
        if s.get("event") == "chosen":
            params["how"] = Msg(
                gettext_noop("next in turn")
                if s.get("strategy") == RoutingRule.Strategy.ROUND_ROBIN
                else gettext_noop("most free capacity")
            )
        out.append(Msg(source, **params))
    return out


def explain(steps: list[dict[str, Any]]) -> list[str]:
    """The explanation as sentences in the active language."""
    return [str(message) for message in explain_messages(steps)]


def sentences(messages: list[Msg]) -> Msg:
    """Several messages read as one text (each translated on its own when rendered)."""
    # The joining template holds only placeholders: it has no translation and needs none.
    return Msg(
        " ".join(f"%(s{i})s" for i in range(len(messages))), **{f"s{i}": m for i, m in enumerate(messages)}
    )


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
        _notify(decision.assignee, lead, actor, decision.steps)
    return assignment


def _notify(user: User, lead: Lead, actor: User | None, steps: list[dict[str, Any]]) -> None:
    """Tell the new owner, in the language they read the bell in (not the router's)."""
    headline = Msg(gettext_noop("Lead assigned to you: %(lead)s."), lead=str(lead))
    notify(
        [user.pk],
        kind="assignment",
        text=sentences([headline, *explain_messages(steps)]),
        actor=actor,
        url=reverse("leads:detail", args=[lead.pk]),
    )


def assignments_for(lead: Lead, limit: int = 10) -> QuerySet[Assignment]:
    """The latest routing decisions of a lead the caller already may see."""
    return Assignment.objects.filter(lead=lead).select_related("assignee", "rule", "actor")[:limit]
