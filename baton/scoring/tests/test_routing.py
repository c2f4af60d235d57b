import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from baton.activities.models import Notification
from baton.core.models import Role, User
from baton.core.testing import audit_rows
from baton.leads.services import create_lead, update_lead
from baton.scoring.models import Assignment, LeadScore, RepCapacity, SupplyRun
from baton.scoring.routing import explain, route_lead, save_routing_rule, set_capacity
from baton.scoring.supply import plan_supply, queue, run_supply

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 10, 0))  # a Wednesday


@pytest.fixture
def reps(personas):
    root = personas["root"]
    team = personas["teams"]["fs2"]
    people = [
        User.objects.create_user(username=f"rep{i}", role=Role.FIELD_SALES, team=team, display_name=f"Rep{i}")
        for i in range(3)
    ]
    for rep in people:
        set_capacity(rep, actor=root, values={"weekly_capacity": 2})
    return people


def lead(alice, **extra):
    values = {"name": "리드", "company": "회사"} | extra
    return create_lead(actor=alice, **values)


@pytest.mark.django_db
def test_round_robin_is_fair_and_never_exceeds_capacity(alice, root, reps):
    save_routing_rule(None, actor=root, values={"name": "All", "strategy": "round_robin"}, members=reps)
    got = [route_lead(lead(alice), actor=root, now=NOW + dt.timedelta(minutes=i)).assignee for i in range(7)]
    assert got[:6] == [reps[0], reps[1], reps[2], reps[0], reps[1], reps[2]]
    assert got[6] is None  # everyone is at 2 of 2 this week
    assert Assignment.objects.filter(assignee=reps[0]).count() == 2
    last = Assignment.objects.order_by("-id").first()
    assert "full this week (2 of 2)" in " ".join(explain(last.explanation))
    # Next week the capacity is free again.
    nxt = route_lead(lead(alice), actor=root, now=NOW + dt.timedelta(days=7))
    assert nxt.assignee == reps[0]


@pytest.mark.django_db
def test_territory_product_opt_out_and_absence(alice, root, reps):
    seoul, busan, away = reps
    set_capacity(busan, actor=root, values={"products": ["erp"]})
    save_routing_rule(
        None,
        actor=root,
        values={"name": "Seoul mfg", "sequence": 1, "regions": ["seoul"], "industries": ["manufacturing"]},
        members=[seoul],
    )
    save_routing_rule(
        None, actor=root, values={"name": "ERP", "sequence": 2, "product": "erp"}, members=[busan, away]
    )
    save_routing_rule(None, actor=root, values={"name": "Rest", "sequence": 3}, members=[away, seoul])
    a = route_lead(lead(alice, region="seoul", industry="manufacturing"), actor=root, now=NOW)
    assert (a.assignee, a.rule.name) == (seoul, "Seoul mfg")
    b = route_lead(lead(alice, region="busan", industry="manufacturing"), actor=root, product="erp", now=NOW)
    assert b.rule.name == "ERP" and b.assignee in (busan, away)
    text = " ".join(explain(b.explanation))
    assert "Rule “Seoul mfg” does not apply (regions differs)." in text
    set_capacity(away, actor=root, values={"away_until": timezone.localdate(NOW) + dt.timedelta(days=3)})
    set_capacity(seoul, actor=root, values={"opted_out": True})
    c = route_lead(lead(alice, region="jeju"), actor=root, now=NOW)
    assert c.assignee is None
    text = " ".join(explain(c.explanation))
    assert "Rep2 is away until" in text and "Rep0 opted out of routing." in text


@pytest.mark.django_db
def test_assignment_is_audited_owner_changed_and_notified(alice, root, reps):
    save_routing_rule(None, actor=root, values={"name": "All"}, members=reps[:1])
    item = lead(alice)
    a = route_lead(item, actor=root, now=NOW)
    item.refresh_from_db()
    assert item.owner == reps[0]
    log = audit_rows(item, "assign").get()
    assert log.after["owner_id"] == reps[0].pk and "Assigned to Rep0" in log.note
    note = Notification.objects.get(recipient=reps[0])
    assert note.kind == "assignment" and str(item) in note.text
    assert a.explanation[-1]["event"] == "chosen"


@pytest.mark.django_db
def test_only_admins_set_capacity_and_rules(alice, reps):
    with pytest.raises(PermissionDenied):
        set_capacity(reps[0], actor=alice, values={"weekly_capacity": 9})
    with pytest.raises(PermissionDenied):
        save_routing_rule(None, actor=alice, values={"name": "x"}, members=[])
    cap = RepCapacity.objects.get(user=reps[0])
    log = audit_rows(cap).filter(object_repr__contains="/wk").latest("id")
    assert log.after["weekly_capacity"] == 2 and log.actor.username == "root"


@pytest.mark.django_db
def test_supply_passes_best_leads_in_score_order_and_threshold_follows_capacity(alice, root, reps, personas):
    save_routing_rule(None, actor=root, values={"name": "All", "strategy": "capacity"}, members=reps)
    for rep in reps[1:]:
        set_capacity(rep, actor=root, values={"opted_out": True})
    set_capacity(reps[0], actor=root, values={"weekly_capacity": 2})
    made = {}
    for score in (10, 50, 30, 70, 20):
        item = lead(alice, name=f"s{score}")
        update_lead(item, actor=alice, changes={"status": "qualified"}, expected_version=None)
        LeadScore.objects.filter(lead=item).update(total=score)
        made[score] = item
    plan = plan_supply(NOW)
    assert (plan.capacity, plan.free, plan.waiting) == (2, 2, 5)
    assert [x.name for x in plan.passing] == ["s70", "s50"]
    assert plan.threshold == 50
    # Capacity frees (a bigger week): the threshold relaxes.
    set_capacity(reps[0], actor=root, values={"weekly_capacity": 4})
    plan = plan_supply(NOW)
    assert [x.name for x in plan.passing] == ["s70", "s50", "s30", "s20"] and plan.threshold == 20
    set_capacity(reps[0], actor=root, values={"weekly_capacity": 2})
    with pytest.raises(PermissionDenied):
        run_supply(actor=alice, now=NOW)
    run = run_supply(actor=root, now=NOW)
    assert (run.passed, run.threshold, run.free_capacity) == (2, 50, 2)
    assert set(Assignment.objects.filter(via="supply").values_list("lead__name", flat=True)) == {"s70", "s50"}
    assert [x.name for x in queue()] == ["s30", "s20", "s10"]  # the rest wait, best first
    # Field sales is full now: nothing passes, the threshold is closed.
    plan = plan_supply(NOW)
    assert (plan.free, plan.threshold, plan.passing) == (0, None, [])
    assert SupplyRun.objects.count() == 1
