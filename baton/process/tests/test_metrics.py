"""Flow metrics against a small fixed history computed by hand (skips, regressions, recycles)."""

import datetime as dt
import math

import pytest

from baton.leads.models import Lead
from baton.process.metrics import Filters, drilldown, flow_metrics, percentile
from baton.process.models import HandOff, ProcessStage, Recycle, StageHistory

T0 = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
START, END, NOW = T0, T0 + dt.timedelta(days=31), T0 + dt.timedelta(days=40)


def d(days, hours=0):
    return T0 + dt.timedelta(days=days, hours=hours)


def make_path(kind, record_id, owner, path):
    """path: [(stage_key, entered_day, left_day_or_None)], each stay following the previous one."""
    stages = {s.key: s for s in ProcessStage.objects.all()}
    previous = None
    for i, (key, entered, left) in enumerate(path):
        nxt = path[i + 1][0] if i + 1 < len(path) else None
        StageHistory.objects.create(
            record_kind=kind,
            record_id=record_id,
            stage=stages[key],
            from_stage=previous,
            to_stage=stages[nxt] if nxt and left is not None else None,
            entered_at=d(entered),
            left_at=d(left) if left is not None else None,
            dwell_seconds=int((d(left) - d(entered)).total_seconds()) if left is not None else None,
            owner=owner,
            team_id=owner.team_id,
            source="web_form",
        )
        previous = stages[key]


@pytest.fixture
def history(alice, bob):
    leads = [Lead.objects.create(name=f"L{i}", owner=alice, team=alice.team) for i in range(1, 6)]
    l1, l2, l3, l4, l5 = (lead.pk for lead in leads)
    make_path(
        "lead",
        l1,
        alice,
        [
            ("lead_acquired", 0, 2),
            ("nurturing", 2, 5),
            ("mql", 5, 6),
            ("accepted", 6, 8),
            ("working", 8, None),
        ],
    )
    # skips nurturing; the hand-off is later sent back to nurture (a recycle)
    make_path(
        "lead",
        l2,
        alice,
        [("lead_acquired", 1, 3), ("mql", 3, 4), ("accepted", 4, 10), ("nurturing", 10, None)],
    )
    # a regression: nurturing back to lead acquired, then forward again
    make_path(
        "lead",
        l3,
        alice,
        [("lead_acquired", 0, 4), ("nurturing", 4, 9), ("lead_acquired", 9, 12), ("nurturing", 12, None)],
    )
    make_path("lead", l4, alice, [("awareness", -5, 3), ("lead_acquired", 3, None)])
    # recycled at day 0, comes back, skips MQL and accepted, reaches SQL and converts
    make_path("lead", l5, bob, [("nurturing", 0, 2), ("working", 2, 20), ("sql", 20, 21)])
    StageHistory.objects.filter(record_id=l5, stage__key="sql").update(
        to_stage=ProcessStage.objects.get(key="considering")
    )
    make_path("opportunity", 9001, bob, [("considering", 21, 25), ("evaluating", 25, None)])
    StageHistory.objects.filter(record_kind="opportunity", stage__key="considering").update(
        from_stage=ProcessStage.objects.get(key="sql")
    )
    accepted, mql = ProcessStage.objects.get(key="accepted"), ProcessStage.objects.get(key="mql")
    common = {
        "from_stage": mql,
        "to_stage": accepted,
        "owner": alice,
        "team": alice.team,
        "record_kind": "lead",
    }
    HandOff.objects.create(
        record_id=l1, requested_at=d(5), due_at=d(6), decided_at=d(6), status="accepted", **common
    )
    HandOff.objects.create(
        record_id=l2, requested_at=d(3), due_at=d(4), decided_at=d(4, 12), status="accepted", **common
    )
    HandOff.objects.create(record_id=l3, requested_at=d(30), due_at=d(31), status="pending", **common)
    HandOff.objects.create(
        record_id=l3, requested_at=d(-3), due_at=d(-2), status="rejected", decided_at=d(-1), **common
    )  # before the period: not counted
    nurturing = ProcessStage.objects.get(key="nurturing")
    Recycle.objects.create(
        record_kind="lead",
        record_id=l2,
        from_stage=accepted,
        to_stage=nurturing,
        reason="x",
        follow_up_on=d(40).date(),
        recycled_at=d(10),
        owner=alice,
        team=alice.team,
    )
    Recycle.objects.create(
        record_kind="lead",
        record_id=l5,
        from_stage=None,
        to_stage=nurturing,
        reason="y",
        follow_up_on=d(1).date(),
        recycled_at=d(0),
        owner=bob,
        team=bob.team,
    )
    return leads


def test_percentile_matches_percentile_cont():
    assert percentile([2, 2, 4, 3], 0.5) == 2.5
    assert math.isclose(percentile([2, 2, 4, 3], 0.9), 3.7)
    assert percentile([7], 0.9) == 7
    assert percentile([], 0.5) is None


@pytest.mark.django_db
def test_flow_metrics_match_hand_computed_values(history):
    m = flow_metrics(START, END, now=NOW)
    arrivals = {s.stage.key: s.arrivals for s in m.stages if s.arrivals}
    assert arrivals == {
        "lead_acquired": 5,
        "nurturing": 5,
        "mql": 2,
        "accepted": 2,
        "working": 2,
        "sql": 1,
        "considering": 1,
        "evaluating": 1,
    }
    rates = {s.stage.key: s.conversion_rate for s in m.stages if s.arrivals}
    assert rates == {
        "lead_acquired": 0.8,
        "nurturing": 0.4,
        "mql": 1.0,
        "accepted": 0.5,
        "working": 0.5,
        "sql": 1.0,
        "considering": 1.0,
        "evaluating": 0.0,
    }
    assert {s.stage.key: s.wip for s in m.stages if s.wip} == {
        "lead_acquired": 1,
        "nurturing": 2,
        "working": 1,
        "evaluating": 1,
    }
    assert {s.stage.key: s.exits for s in m.stages if s.exits} == {
        "awareness": 1,
        "lead_acquired": 4,
        "nurturing": 3,
        "mql": 2,
        "accepted": 2,
        "working": 1,
        "sql": 1,
        "considering": 1,
    }
    assert {s.stage.key: s.throughput for s in m.stages if s.throughput} == {
        "awareness": 1,
        "lead_acquired": 4,
        "nurturing": 2,
        "mql": 2,
        "accepted": 1,
        "working": 1,
        "sql": 1,
        "considering": 1,
    }
    dwell = {
        s.stage.key: (round(s.dwell_median_days, 6), round(s.dwell_p90_days, 6))
        for s in m.stages
        if s.dwell_median_days is not None
    }
    assert dwell == {
        "awareness": (8, 8),
        "lead_acquired": (2.5, 3.7),
        "nurturing": (3, 4.6),
        "mql": (1, 1),
        "accepted": (4, 5.6),
        "working": (18, 18),
        "sql": (1, 1),
        "considering": (4, 4),
    }
    assert {s.stage.key: s.sla_breaches for s in m.stages if s.sla_breaches} == {"accepted": 1, "working": 2}
    acc = m.stage("accepted")
    assert (acc.handoffs_offered, acc.handoffs_accepted, acc.handoffs_pending, acc.handoff_sla_breaches) == (
        3,
        2,
        1,
        2,
    )
    assert acc.recycled_out == 1
    assert (m.recycled, m.recycle_yield, m.recycle_yield_rate) == (2, 1, 0.5)
    t = m.transition("lead_acquired", "nurturing")
    assert (t.conversions, t.flow, t.rate, t.forward) == (3, 3, 0.6, True)
    back = m.transition("nurturing", "lead_acquired")
    assert (back.conversions, back.flow, back.forward) == (1, 1, False)
    cross = m.transition("sql", "considering")
    assert (cross.conversions, cross.flow, cross.rate) == (1, 1, 1.0)
    assert math.isclose(m.stage("lead_acquired").throughput_per_week, 4 / (31 / 7))
    ranks = {s.stage.key: s.bottleneck_rank for s in m.stages if s.bottleneck_rank}
    assert m.bottleneck.stage.key == "evaluating"  # WIP and nothing leaving
    assert [k for k, _ in sorted(ranks.items(), key=lambda kv: kv[1])][:4] == [
        "evaluating",
        "nurturing",
        "working",
        "lead_acquired",
    ]
    assert math.isclose(m.stage("nurturing").bottleneck_score, 31.0)
    assert math.isclose(m.stage("lead_acquired").bottleneck_score, 31 / 4)


@pytest.mark.django_db
def test_filters_and_visibility(history, bob, charlie, mina):
    by_bob = flow_metrics(START, END, now=NOW, filters=Filters(owner=bob.pk))
    assert by_bob.stage("sql").arrivals == 1 and by_bob.stage("lead_acquired").arrivals == 0
    assert by_bob.recycled == 1 and by_bob.recycle_yield == 1
    other_team = flow_metrics(START, END, now=NOW, filters=Filters(team=charlie.team_id))
    assert sum(s.arrivals for s in other_team.stages) == 0
    assert sum(s.arrivals for s in flow_metrics(START, END, now=NOW, user=charlie).stages) == 0
    assert flow_metrics(START, END, now=NOW, user=mina).stage("nurturing").arrivals == 5
    assert flow_metrics(START, END, now=NOW, filters=Filters(source="event")).stage("nurturing").arrivals == 0


@pytest.mark.django_db
def test_drilldown_lists_the_stays_behind_each_number(history):
    stage = ProcessStage.objects.get
    assert drilldown(stage(key="lead_acquired"), "arrivals", START, END).count() == 5
    assert drilldown(stage(key="nurturing"), "wip", START, END).count() == 2
    assert drilldown(stage(key="working"), "breaches", START, END, now=NOW).count() == 2
    conv = drilldown(stage(key="lead_acquired"), "conversions", START, END, to_stage=stage(key="nurturing"))
    assert conv.count() == 3


@pytest.mark.django_db
def test_conversion_over_time_by_week_of_entry(history):
    m = flow_metrics(START, END, now=NOW)
    # 2025-03-01 is a Saturday: the weeks start on Mondays from 24 February.
    assert m.weeks[:3] == [dt.date(2025, 2, 24), dt.date(2025, 3, 3), dt.date(2025, 3, 10)]
    acquired = ProcessStage.objects.get(key="lead_acquired")
    # Entered lead_acquired: L1, L2 (day 1, a Sunday) and L3 in the first week, all moved forward;
    # L4 on day 3 (still there); L3 again on day 9 after its regression, then forward.
    assert m.weekly[acquired.pk][:3] == [(3, 3), (1, 0), (1, 1)]
    assert m.weekly_rates(acquired)[:3] == [1.0, 0.0, 1.0]
    assert sum(n for n, _ in m.weekly[acquired.pk]) == m.stage("lead_acquired").arrivals
    data = m.as_dict()["weekly_conversion"]
    assert data["weeks"][0] == "2025-02-24"
    assert data["stages"]["lead_acquired"][0] == {"arrivals": 3, "conversions": 3, "rate": 1.0}


@pytest.mark.django_db
def test_segment_and_source_filter_every_metric_including_handoffs_and_recycles(history):
    l1, l5 = history[0].pk, history[4].pk
    StageHistory.objects.filter(record_id=l5, record_kind="lead").update(size="10-49", industry="finance")
    Recycle.objects.filter(record_id=l5).update(size="10-49", industry="finance", source="referral")
    HandOff.objects.filter(record_id=l1).update(size="50-299", source="event")
    small = flow_metrics(START, END, now=NOW, filters=Filters(size="10-49"))
    assert {s.stage.key: s.arrivals for s in small.stages if s.arrivals} == {
        "nurturing": 1,
        "working": 1,
        "sql": 1,
    }
    assert small.recycled == 1 and small.recycle_yield == 1
    assert small.stage("accepted").handoffs_offered == 0
    finance = flow_metrics(START, END, now=NOW, filters=Filters(industry="finance", size="10-49"))
    assert finance.stage("working").arrivals == 1 and finance.recycled == 1
    # The source filter now applies to hand-offs and recycles too.
    event = flow_metrics(START, END, now=NOW, filters=Filters(source="event"))
    assert event.stage("accepted").handoffs_offered == 1 and event.recycled == 0
    referral = flow_metrics(START, END, now=NOW, filters=Filters(source="referral"))
    assert referral.recycled == 1 and referral.stage("accepted").handoffs_offered == 0


@pytest.mark.django_db
def test_the_segment_is_copied_onto_stays_handoffs_and_recycles(alice):
    from baton.leads.models import LeadInteraction
    from baton.leads.services import create_lead, log_interaction

    lead = create_lead(
        actor=alice, name="A", email="a@example.kr", size="50-299", industry="finance", source="event"
    )
    log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.SEMINAR)
    stay = StageHistory.objects.filter(record_kind="lead", record_id=lead.pk).latest("id")
    assert (stay.size, stay.industry, stay.source) == ("50-299", "finance", "event")
    handoff = HandOff.objects.get(record_kind="lead", record_id=lead.pk)
    assert (handoff.size, handoff.industry, handoff.source) == ("50-299", "finance", "event")
