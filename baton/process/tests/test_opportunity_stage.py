"""One function owns an opportunity's stage: it writes the pipeline stage and the process stay together,
as of an explicit time, without calling back into itself."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from baton.core.models import ChangeLog
from baton.deals.models import Stage
from baton.deals.services import move_opportunity
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
