"""Support case SLAs in business hours (09:00-18:00, Korean working days), computed by hand over the
2026 Chuseok week and the 2027 Seollal days; the clock stops while the case waits on the customer;
warnings and breaches are sent once, to the assignee and the CSMs."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from baton.activities.models import Notification
from baton.core.services import ServiceError
from baton.core.testing import assert_audited
from baton.success.cases import services
from baton.success.cases.models import Case, SlaPolicy
from baton.success.cases.sla import Hours, add_business_minutes, business_minutes_between

SEOUL = ZoneInfo("Asia/Seoul")


def at(y, m, d, hh, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SEOUL)


def test_business_minutes_skip_seollal_and_its_substitute_day():
    hours = Hours()
    # 2027-02-05 is a Friday; 6-8 Feb are 설날 (Sat-Mon) and 9 Feb its substitute holiday.
    # Fri 17:00-18:00 = 60 min, then Wed 10 Feb 09:00-10:00 = 60 min.
    assert business_minutes_between(at(2027, 2, 5, 17), at(2027, 2, 10, 10), hours) == 120
    # 60 min from Fri 17:30: 30 on Friday, 30 on Wednesday.
    assert add_business_minutes(at(2027, 2, 5, 17, 30), 60, hours) == at(2027, 2, 10, 9, 30)
    # 540 min: 30 on Friday, 510 from Wednesday 09:00 = 17:30.
    assert add_business_minutes(at(2027, 2, 5, 17, 30), 540, hours) == at(2027, 2, 10, 17, 30)
    # Round the clock counts every minute.
    assert add_business_minutes(at(2027, 2, 5, 17, 30), 60, Hours(always=True)) == at(2027, 2, 5, 18, 30)
    # A clock started before opening starts at opening; after closing, the next working morning.
    assert add_business_minutes(at(2027, 2, 10, 7), 30, hours) == at(2027, 2, 10, 9, 30)
    assert add_business_minutes(at(2027, 2, 10, 19), 30, hours) == at(2027, 2, 11, 9, 30)


@pytest.mark.django_db
def test_a_round_the_clock_policy_copies_onto_new_cases(world, alice, root):
    services.set_sla_policy(
        actor=root, priority="urgent", first_response_minutes=60, resolution_minutes=240, calendar="always"
    )
    case = services.open_case(
        actor=alice,
        account=world["account"],
        subject="전면 장애",
        priority="urgent",
        now=at(2027, 2, 5, 17, 30),
    )
    assert case.first_response_due == at(2027, 2, 5, 18, 30)
    assert case.resolution_due == at(2027, 2, 5, 21, 30)
    with pytest.raises(PermissionDenied):
        services.set_sla_policy(
            actor=alice, priority="urgent", first_response_minutes=1, resolution_minutes=2
        )


@pytest.mark.django_db
def test_chuseok_week_with_a_pause_while_waiting_on_the_customer(world, alice, cast, personas):
    cara = cast["cara"]
    account = world["account"]
    account.csm = cara
    account.save(update_fields=["csm"])
    # High: first response 240 business minutes, resolution 960 (the defaults), warning at 80 %.
    case = services.open_case(
        actor=alice,
        account=account,
        contact=world["contact"],
        subject="ERP 로그인 불가",
        priority="high",
        category="problem",
        now=at(2026, 9, 23, 16),  # Wednesday; 24-26 Sep are 추석 (Thu-Sat)
    )
    assert_audited(case, "create", actor=alice)
    # First response: Wed 16:00-18:00 = 120; Thu-Sun off; Mon 28 Sep 09:00 + 120 = 11:00.
    assert case.first_response_due == at(2026, 9, 28, 11)
    # Warning at 192 min: Wed 120, Mon 09:00 + 72 = 10:12.
    assert case.first_response_warn_at == at(2026, 9, 28, 10, 12)
    # Resolution: Wed 120, Mon 540, Tue 29 Sep 09:00 + 300 = 14:00.
    assert case.resolution_due == at(2026, 9, 29, 14)

    # Mon 10:00 a reply, then waiting on the customer: 120 + 60 = 180 minutes used.
    services.add_comment(case, actor=alice, body="로그를 보내 주세요.", now=at(2026, 9, 28, 10))
    services.add_comment(case, actor=alice, body="고객사 방화벽 의심", is_internal=True)
    case = services.change_status(case, actor=alice, status="waiting", now=at(2026, 9, 28, 10))
    assert case.first_response_at == at(2026, 9, 28, 10) and not case.first_response_breached
    assert case.resolution_used_minutes == 180
    assert case.resolution_due is None and case.clock_started_at is None
    # Paused: nothing breaches while the customer has the ball, however long.
    assert services.sweep_sla(at(2026, 10, 1, 17)) == {"warned": 0, "breached": 0}

    # Fri 2 Oct 15:00 work resumes with 780 left: Fri 180; Sat 3 (개천절), Sun, Mon 5 (substitute
    # holiday) off; Tue 6 Oct 540; Wed 7 Oct 09:00 + 60 = 10:00.
    case = services.change_status(case, actor=alice, status="in_progress", now=at(2026, 10, 2, 15))
    assert case.resolution_due == at(2026, 10, 7, 10)
    # Warning at 768 used: 588 left after 180 → Fri 180, Tue 09:00 + 408 = 15:48.
    assert case.resolution_warn_at == at(2026, 10, 6, 15, 48)

    assert services.sweep_sla(at(2026, 10, 6, 15, 47)) == {"warned": 0, "breached": 0}
    assert services.sweep_sla(at(2026, 10, 6, 15, 48)) == {"warned": 1, "breached": 0}
    assert services.sweep_sla(at(2026, 10, 7, 9, 59)) == {"warned": 0, "breached": 0}
    assert services.sweep_sla(at(2026, 10, 7, 10)) == {"warned": 0, "breached": 1}
    assert services.sweep_sla(at(2026, 10, 7, 11)) == {"warned": 0, "breached": 0}  # once
    case.refresh_from_db()
    assert case.resolution_breached and case.breached
    # The assignee and the account's CSM both hear of the warning and the breach.
    for user in (alice, cara):
        kinds = sorted(
            Notification.objects.filter(recipient=user, url__contains=f"/{case.pk}/").values_list(
                "kind", flat=True
            )
        )
        assert kinds == ["overdue", "reminder"]

    case = services.change_status(case, actor=cara, status="resolved", now=at(2026, 10, 7, 11))
    assert case.resolution_breached and case.resolved_at == at(2026, 10, 7, 11)
    with pytest.raises(ServiceError):
        services.change_status(case, actor=cara, status="waiting")
    case = services.change_status(case, actor=cara, status="closed", now=at(2026, 10, 8, 9))
    assert case.status == Case.Status.CLOSED
    assert_audited(case, "status", actor=cara, status="closed")


@pytest.mark.django_db
def test_resolved_in_time_is_not_breached_and_late_first_response_is(world, alice):
    case = services.open_case(
        actor=alice, account=world["account"], subject="문의", priority="normal", now=at(2026, 9, 23, 16)
    )
    # Normal: first response 480 = Wed 120 + Mon 09:00 + 360 = 15:00.
    assert case.first_response_due == at(2026, 9, 28, 15)
    case = services.change_status(case, actor=alice, status="in_progress", now=at(2026, 9, 28, 16))
    services.add_comment(case, actor=alice, body="확인 중입니다.", now=at(2026, 9, 28, 16))
    case = services.change_status(case, actor=alice, status="resolved", now=at(2026, 9, 29, 9))
    assert case.first_response_breached and not case.resolution_breached


@pytest.mark.django_db
def test_who_sees_and_works_a_case(world, alice, charlie, cast):
    cara = cast["cara"]
    account = world["account"]
    case = services.open_case(actor=alice, account=account, subject="문의")
    assert not Case.objects.visible_to(charlie).filter(pk=case.pk).exists()
    with pytest.raises(PermissionDenied):
        services.open_case(actor=charlie, account=account, subject="x")
    with pytest.raises(PermissionDenied):
        services.change_status(case, actor=cara, status="in_progress")
    account.csm = cara
    account.save(update_fields=["csm"])
    assert Case.objects.visible_to(cara).filter(pk=case.pk).exists()
    assert services.change_status(case, actor=cara, status="in_progress").status == "in_progress"
    assert SlaPolicy.objects.count() == 0  # the defaults were used, nothing was written
