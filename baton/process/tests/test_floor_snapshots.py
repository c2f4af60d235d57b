"""The factory floor from its daily snapshots equals the live computation, number by number.

A generated history (several stages, regressions, back-dated moves over four months, several owners
and teams, a record given to another owner, stays of a record that no longer exists) is summed into
snapshots; then many windows are read by an administrator, two reps of one team, a rep of another team
and their manager, with and without the team and owner filters, and compared with the live numbers.
"""

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from baton.leads.models import Lead
from baton.process import floor_build, floor_read
from baton.process.metrics import Filters, flow_metrics
from baton.process.models import FloorDay, FloorDirtyDay, FloorState, ProcessStage, StageHistory
from baton.process.services.stays import leave_stay, refresh_owner
from baton.process.tasks import refresh_floor_snapshots

PATH = ["awareness", "lead_acquired", "nurturing", "mql", "accepted", "working", "sql"]


def _stay(kind, record_id, stage, previous, entered, owner, team):
    return StageHistory.objects.create(
        record_kind=kind,
        record_id=record_id,
        stage=stage,
        from_stage=previous,
        entered_at=entered,
        owner_id=owner.pk if owner else None,
        team_id=team,
        source="web_form",
    )


def _close(stay, to_stage, left):
    stay.left_at = left
    stay.to_stage = to_stage
    stay.dwell_seconds = int((left - stay.entered_at).total_seconds())
    stay.save()


def generate(rng, records, now):
    """records: [(kind, id, stay owner)]. Random walks along the lead stages, some backwards, over the
    last 130 days; each record's last stay stays open unless it would end in the future."""
    stages = {s.key: s for s in ProcessStage.objects.filter(key__in=PATH)}
    for kind, record_id, owner in records:
        t = now - dt.timedelta(days=rng.uniform(1, 130), seconds=rng.randrange(86400))
        pos = rng.randrange(0, 3)
        previous = None
        for i in range(rng.randint(1, 7)):
            stay = _stay(
                kind, record_id, stages[PATH[pos]], previous, t, owner, owner.team_id if owner else None
            )
            previous = stages[PATH[pos]]
            # Whole days sometimes (ties in the dwell buckets), seconds otherwise.
            dwell = (
                dt.timedelta(days=rng.randint(0, 12))
                if rng.random() < 0.3
                else dt.timedelta(seconds=rng.randrange(60, 15 * 86400))
            )
            left = t + dwell
            if i == 6 or left >= now - dt.timedelta(minutes=10):
                break
            pos = max(0, pos - 1) if rng.random() < 0.15 else min(len(PATH) - 1, pos + rng.choice((1, 1, 2)))
            _close(stay, stages[PATH[pos]], left)
            t = left


@pytest.fixture
def history(personas, alice, bob, charlie, mina):
    ProcessStage.objects.filter(key="nurturing").update(sla_max_days=5)
    ProcessStage.objects.filter(key="mql").update(sla_max_days=2)
    ProcessStage.objects.filter(key="working").update(sla_max_days=7)
    rng = random.Random(17)
    now = timezone.now()
    owners = [alice, alice, bob, charlie]
    records = []
    for i in range(80):
        owner = owners[i % len(owners)]
        lead = Lead.objects.create(name=f"흐름 {i}", owner=owner, team=owner.team)
        records.append(("lead", lead.pk, owner))
    # Stays of records that no longer exist (only an administrator counts them), and stays with no owner.
    records += [("opportunity", 900_000 + i, None if i % 2 else bob) for i in range(10)]
    generate(rng, records, now)
    # A lead given to charlie (another team) after its history: its closed stays keep alice as owner,
    # but it is charlie's record now, so alice no longer sees any of it.
    moved = Lead.objects.filter(owner=alice).order_by("pk").first()
    Lead.objects.filter(pk=moved.pk).update(owner=charlie, team=charlie.team)
    StageHistory.objects.filter(record_kind="lead", record_id=moved.pk, left_at__isnull=True).update(
        owner=charlie, team=charlie.team
    )
    return {"now": now, "moved": moved}


def windows(today):
    """(start, end) local midnights: ending today (the floor's default), in the past, and one day."""
    out = []
    for days in (1, 2, 7, 30, 45, 90, 140):
        out.append((today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1)))
    out += [
        (today - dt.timedelta(days=60), today - dt.timedelta(days=20)),
        (today - dt.timedelta(days=9), today - dt.timedelta(days=8)),
        (today - dt.timedelta(days=200), today - dt.timedelta(days=100)),
        (today - dt.timedelta(days=10), today + dt.timedelta(days=30)),  # runs into the future
    ]
    return [(floor_build.midnight(a), floor_build.midnight(b)) for a, b in out]


def numbers(result):
    """Every number of the floor, unrounded where it is a float (dwell percentiles, rates)."""
    data = result.as_dict()
    data["raw"] = [
        (
            m.stage.key,
            m.arrivals,
            m.exits,
            m.throughput,
            m.wip,
            m.sla_breaches,
            sorted(m.conversions.items()),
            m.dwell_median_days,
            m.dwell_p90_days,
            m.bottleneck_score,
        )
        for m in result.stages
    ]
    return data


def assert_same(user, filters, start, end, *, expect_snapshot=True):
    plan = floor_read.plan(start, end, filters, user)
    if expect_snapshot and start < floor_build.midnight(timezone.localdate()):
        assert plan is not None, (user, filters, start, end)
    now = timezone.now()
    fast = flow_metrics(start, end, filters=filters, user=user, now=now)
    live = flow_metrics(start, end, filters=filters, user=user, now=now, snapshots=False)
    assert numbers(fast) == numbers(live), (user, filters, start, end)
    return fast


@pytest.mark.django_db
def test_snapshots_equal_live_for_every_window_and_reader(history, root, alice, bob, charlie, mina):
    result = floor_build.refresh()
    assert result["full"] and result["days"] > 100
    assert FloorDay.objects.filter(grain=0).exists() and FloorDay.objects.filter(grain=1).exists()
    today = timezone.localdate()
    # Moves after the cut: the days those stays entered on still count them as open.
    open_stays = list(
        StageHistory.objects.filter(left_at__isnull=True, entered_at__lt=floor_build.midnight(today))
    )
    working = ProcessStage.objects.get(key="working")
    for stay in open_stays[:8]:
        _close(stay, working, timezone.now())
    nonzero = 0
    every = windows(today)
    cases = [
        (root, f, w) for w in every for f in (Filters(), Filters(team=alice.team_id), Filters(owner=bob.pk))
    ]
    # Readers: every window unfiltered, and a few filtered ones (a rep filtering by another team sees 0).
    for user in (alice, bob, charlie, mina):
        cases += [(user, Filters(), w) for w in every]
        cases += [(user, f, every[4]) for f in (Filters(team=alice.team_id), Filters(owner=bob.pk))]
    for user, filters, (start, end) in cases:
        fast = assert_same(user, filters, start, end)
        nonzero += sum(m.arrivals + m.exits for m in fast.stages)
    assert nonzero > 1000  # the windows really hold history

    # The next run (ten minutes on) rebuilds the days those moved stays entered on and moves the cut.
    again = floor_build.refresh(now=timezone.now() + dt.timedelta(minutes=10))
    assert not again["full"] and again["days"] >= 1
    for user in (root, alice):
        for start, end in every[3:6]:
            assert_same(user, Filters(), start, end)

    # alice does not see the lead given to charlie, though its closed stays name her.
    moved = history["moved"]
    assert StageHistory.objects.filter(record_id=moved.pk, owner=alice, left_at__isnull=False).exists()


@pytest.mark.django_db
def test_backdated_writes_are_read_live_until_rebuilt(history, root, alice):
    floor_build.refresh()
    today = timezone.localdate()
    start, end = (
        floor_build.midnight(today - dt.timedelta(days=89)),
        floor_build.midnight(today + dt.timedelta(days=1)),
    )
    before = flow_metrics(start, end, user=root)
    stage = ProcessStage.objects.get(key="mql")
    lead = Lead.objects.create(name="과거 이력", owner=alice, team=alice.team)
    # An import with historic dates, written outside the services: found by id.
    old = timezone.now() - dt.timedelta(days=40)
    stay = _stay("lead", lead.pk, stage, None, old, alice, alice.team_id)
    assert floor_read.plan(start, end, Filters(), root) is None  # read live until the next run
    assert_same(root, Filters(), start, end, expect_snapshot=False)
    after = flow_metrics(start, end, user=root)
    assert after.stage("mql").arrivals == before.stage("mql").arrivals + 1
    floor_build.refresh()
    assert_same(root, Filters(), start, end)
    # A back-dated close through the service marks the days dirty: those days are read live.
    leave_stay(stay, ProcessStage.objects.get(key="accepted"), old + dt.timedelta(days=3, hours=2))
    dirty = set(FloorDirtyDay.objects.values_list("day", flat=True))
    assert (
        floor_build.local_day(old) in dirty
        and floor_build.local_day(old + dt.timedelta(days=3, hours=2)) in dirty
    )
    assert_same(root, Filters(), start, end)
    assert_same(alice, Filters(), start, end)
    refresh_floor_snapshots.call()  # the worker's job
    assert not FloorDirtyDay.objects.exists()
    assert_same(root, Filters(), start, end)
    assert_same(alice, Filters(), start, end)


@pytest.mark.django_db
def test_a_record_given_to_another_team_marks_its_days(history, alice, bob, charlie):
    floor_build.refresh()
    today = timezone.localdate()
    start, end = (
        floor_build.midnight(today - dt.timedelta(days=139)),
        floor_build.midnight(today + dt.timedelta(days=1)),
    )
    lead = Lead.objects.filter(owner=bob, team=bob.team).order_by("pk").first()
    stay = StageHistory.objects.get(record_kind="lead", record_id=lead.pk, left_at__isnull=True)
    lead.owner, lead.team = charlie, charlie.team
    Lead.objects.filter(pk=lead.pk).update(owner=charlie, team=charlie.team)
    refresh_owner(lead, stay)  # what the process does after the lead's write
    assert FloorDirtyDay.objects.filter(day=floor_build.local_day(stay.entered_at)).exists()
    for user in (alice, bob, charlie):
        assert_same(user, Filters(), start, end)


@pytest.mark.django_db
def test_readers_the_cells_cannot_describe_are_computed_live(history, alice, root):
    from baton.core.models import RecordShare

    floor_build.refresh()
    today = timezone.localdate()
    start, end = (
        floor_build.midnight(today - dt.timedelta(days=29)),
        floor_build.midnight(today + dt.timedelta(days=1)),
    )
    assert floor_read.plan(start, end, Filters(), alice) is not None
    assert floor_read.plan(start, end, Filters(source="web_form"), root) is None  # not kept in the cells
    other = Lead.objects.exclude(team=alice.team).first()
    RecordShare.objects.create(record_type="leads.lead", record_id=other.pk, user=alice)
    assert floor_read.plan(start, end, Filters(), alice) is None
    assert_same(alice, Filters(), start, end, expect_snapshot=False)


@pytest.mark.django_db
def test_a_changed_sla_rebuilds_everything_and_the_command_rebuilds(history, root):
    floor_build.refresh()
    assert not floor_build.refresh()["full"]
    ProcessStage.objects.filter(key="mql").update(sla_max_days=1)
    assert floor_read.plan(*_last_days(30), Filters(), root) is None  # read live meanwhile
    assert_same(root, Filters(), *_last_days(30), expect_snapshot=False)
    state = FloorState.objects.get()
    assert state.sla != floor_build.sla_map()  # the breaches in the cells are stale: rebuilt next run
    assert floor_build.refresh()["full"]
    assert_same(root, Filters(), *_last_days(30))
    out = io.StringIO()
    call_command("rebuild_floor_snapshots", stdout=out)
    assert "full" in out.getvalue()
    assert_same(root, Filters(), *_last_days(30))


def _last_days(days):
    today = timezone.localdate()
    return floor_build.midnight(today - dt.timedelta(days=days - 1)), floor_build.midnight(
        today + dt.timedelta(days=1)
    )
