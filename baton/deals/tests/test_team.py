"""Deal team, buyer roles, and requests against the lead-time rule (Korean working days)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baton.activities.models import Activity
from baton.core.models import ChangeLog
from baton.deals import team, workdays
from baton.deals.models import TeamRequest

D = dt.date


def test_weekends_and_korean_holidays_are_not_working_days():
    assert workdays.is_working_day(D(2025, 9, 30))  # Tuesday
    assert not workdays.is_working_day(D(2025, 10, 4))  # Saturday
    assert not workdays.is_working_day(D(2025, 10, 6))  # 추석 (lunar)
    assert not workdays.is_working_day(D(2025, 10, 8))  # 추석 대체공휴일
    assert not workdays.is_working_day(D(2025, 10, 9))  # 한글날
    assert not workdays.is_working_day(D(2026, 2, 17))  # 설날 (lunar)


def test_lead_time_skips_chuseok_week():
    # Deadline Friday 2025-10-10: 10/3 and 10/5–10/9 are holidays, 10/4–5 a weekend, so three working
    # days before it are Thu 10/2, Wed 10/1 and Tue 9/30.
    assert workdays.latest_on_time(D(2025, 10, 10), 3) == D(2025, 9, 30)
    assert workdays.working_days_between(D(2025, 9, 30), D(2025, 10, 10)) == 3
    # An ordinary week: deadline Thursday → on time until Monday.
    assert workdays.latest_on_time(D(2025, 11, 20), 3) == D(2025, 11, 17)
    assert workdays.latest_on_time(D(2025, 11, 17), 3) == D(2025, 11, 12)  # over a weekend


def test_lead_days_configurable(settings):
    settings.BATON_REQUEST_LEAD_WORKING_DAYS = 5
    assert workdays.lead_days() == 5
    assert workdays.latest_on_time(D(2025, 11, 21)) == D(2025, 11, 14)


CHUSEOK_DEADLINE = D(2025, 10, 10)


def _ask(world, alice, bob, asked_on, deadline=CHUSEOK_DEADLINE):
    return team.create_team_request(
        world["opportunity"],
        actor=alice,
        assignee=bob,
        subject="RFP 기술 질의 응답",
        pain_point="월말 결산이 3일 걸림",
        meeting_goal="기술 검증 범위 합의",
        due_date=deadline - dt.timedelta(days=1),
        customer_deadline=deadline,
        asked_on=asked_on,
    )


def test_request_on_time_and_late_with_task_and_counts(world, alice, bob, mina):
    on_time = _ask(world, alice, bob, D(2025, 9, 30))
    late = _ask(world, alice, bob, D(2025, 10, 1))
    assert not on_time.is_late and late.is_late
    assert late.latest_on_time == D(2025, 9, 30) and late.lead_days == 3
    task = Activity.objects.get(pk=late.activity_id)
    assert task.kind == "task" and list(task.assignees.all()) == [bob] and task.requested_by == alice
    assert "월말 결산이 3일 걸림" in task.body and task.opportunity_id == world["opportunity"].pk
    assert ChangeLog.objects.filter(
        object_id=late.pk, action="create", object_repr="RFP 기술 질의 응답"
    ).exists()
    team.create_team_request(
        world["opportunity"],
        actor=mina,
        assignee=bob,
        subject="계약 검토",
        due_date=D(2025, 11, 10),
        customer_deadline=D(2025, 11, 14),
        asked_on=D(2025, 11, 3),
    )
    counts = {
        row["requester__username"]: (row["total"], row["late"])
        for row in team.late_request_counts(TeamRequest.objects.all())
    }
    assert counts == {"alice": (2, 1), "mina": (1, 0)}


def test_request_validation_saves_nothing(world, alice, bob):
    with pytest.raises(ValidationError) as exc:
        team.create_team_request(
            world["opportunity"],
            actor=alice,
            assignee=bob,
            subject="",
            due_date=D(2025, 10, 11),
            customer_deadline=D(2025, 10, 10),
            asked_on=D(2025, 9, 1),
        )
    assert set(exc.value.message_dict) == {"subject", "due_date"}
    assert not TeamRequest.objects.exists() and not Activity.objects.exists()


def test_team_and_buyers(world, alice, bob, charlie):
    opp = world["opportunity"]
    member = team.add_team_member(opp, actor=alice, user=bob, role="solution_architect")
    assert str(member) == "Bob (Solution architect)"
    with pytest.raises(ValidationError):
        team.add_team_member(opp, actor=alice, user=bob, role="solution_architect")
    with pytest.raises(PermissionDenied):
        team.add_team_member(opp, actor=charlie, user=charlie, role="legal")
    buyer = team.add_buyer(
        opp, actor=alice, contact=world["contact"], buying_role="champion", buying_step="evaluating"
    )
    assert buyer.buying_role_label == "Champion"
    with pytest.raises(ValidationError):
        team.add_buyer(
            opp, actor=alice, contact=world["contact"], buying_role="king", buying_step="evaluating"
        )
