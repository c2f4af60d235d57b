"""One function owns an opportunity's stage: it writes the pipeline stage and the process stay together,
as of an explicit time, without calling back into itself."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from baton.core.models import ChangeLog
from baton.deals.models import Stage
from baton.deals.services import create_opportunity, move_opportunity, update_opportunity
from baton.process import services
from baton.process.models import Method, ProcessStage, StageHistory

SEOUL = ZoneInfo("Asia/Seoul")


def stays(opp):
    return list(
        StageHistory.objects.filter(record_kind="opportunity", record_id=opp.pk).order_by("entered_at", "id")
    )


def moves(opp):
    return ChangeLog.objects.filter(
        action=ChangeLog.Action.MOVE, content_type__model="opportunity", object_id=opp.pk
    )


@pytest.mark.django_db
def test_pipeline_move_writes_both_sides_as_of_the_given_time(world, alice):
    opp = world["opportunity"]
    at = dt.datetime(2027, 3, 2, 9, 0, tzinfo=SEOUL)
    move_opportunity(opp, actor=alice, stage=Stage.objects.get(key="deciding"), expected_version=None, at=at)
    opp.refresh_from_db()
    assert opp.stage.key == "deciding" and opp.stage_changed_at == at
    first, second = stays(opp)
    assert first.left_at == at and second.entered_at == at and second.stage.key == "deciding"
    assert second.method == Method.SYNC
    assert moves(opp).count() == 1


@pytest.mark.django_db
def test_process_move_writes_the_pipeline_stage_once_and_no_sync_stay(world, alice):
    opp = world["opportunity"]
    at = dt.datetime(2027, 3, 3, 15, 30, tzinfo=SEOUL)
    target = ProcessStage.objects.get(key="deciding")
    services.move_record(opp, target, actor=alice, override=True, reason="CFO call", at=at)
    opp.refresh_from_db()
    assert opp.stage.key == target.deal_stage_key == "deciding" and opp.stage_changed_at == at
    history = stays(opp)
    # Exactly one new stay, the manual one: the pipeline write did not come back as a second, synced stay.
    assert [s.method for s in history] == [Method.INITIAL, Method.MANUAL]
    assert history[-1].entered_at == at and history[-1].reason == "CFO call"
    move = moves(opp).get()
    assert move.note == "CFO call" and move.actor == alice


@pytest.mark.django_db
def test_there_is_no_reentrancy_flag_or_hidden_clock_for_stage_moves():
    assert not hasattr(services, "_syncing")
    assert not hasattr(services, "_sync_pipeline_stage")


def _sources(*roots):
    base = Path(__file__).resolve().parents[3]
    for root in roots:
        for path in sorted((base / root).rglob("*.py")):
            if "tests" not in path.parts and "migrations" not in path.parts:
                yield path.relative_to(base).as_posix(), path.read_text()


def test_deals_never_imports_the_apps_above_it():
    # The process (and activities) learn of a deal's writes through baton.core.events.
    offenders = [
        name
        for name, text in _sources("baton/deals")
        if "baton.process" in text or "baton.activities.hooks" in text
    ]
    assert offenders == []


def test_there_is_no_clock_to_set_from_outside():
    """Every process writer takes ``at=``; nothing (not even the demo or the import) sets a hidden clock."""
    assert not hasattr(services, "process_clock")
    users = [
        name
        for name, text in _sources("baton", "bench")
        if "process_clock" in text or ("ContextVar" in text and "process" in name)
    ]
    assert users == []


@pytest.mark.django_db
def test_create_and_edit_place_and_follow_the_deal_as_of_the_given_time(world, alice):
    created_at = dt.datetime(2027, 4, 1, 10, 0, tzinfo=SEOUL)
    opp = create_opportunity(actor=alice, name="Timed", account=world["account"], at=created_at)
    (first,) = stays(opp)
    assert first.entered_at == created_at and first.method == Method.INITIAL
    assert opp.stage_changed_at == created_at
    edited_at = dt.datetime(2027, 4, 2, 10, 0, tzinfo=SEOUL)
    update_opportunity(
        opp,
        actor=alice,
        changes={"stage": Stage.objects.get(key="deciding")},
        expected_version=opp.version,
        at=edited_at,
    )
    first, second = stays(opp)
    assert first.left_at == edited_at and second.entered_at == edited_at
    assert second.stage.key == "deciding" and second.method == Method.SYNC
