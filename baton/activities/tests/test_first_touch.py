"""Speed to lead's first touch is kept on the lead by every write of a touch (issue 12: the inside-sales
numbers read it instead of two subqueries per lead). Each step's expected value is worked out by hand."""

import datetime as dt

import pytest
from django.core.management import call_command

from baton.activities import touches
from baton.activities.models import Activity
from baton.activities.services import complete_activity, create_activity, update_activity
from baton.leads.models import Lead
from baton.leads.services import create_lead, log_interaction

H = dt.timedelta(hours=1)


def kept(lead):
    return Lead.objects.values_list("first_touch_at", flat=True).get(pk=lead.pk)


@pytest.mark.django_db
def test_every_touch_write_keeps_the_first_touch(alice):
    t0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    lead = create_lead(actor=alice, name="김첫터치", company="(주)첫터치")
    assert kept(lead) is None

    call = create_activity(
        actor=alice, record=lead, kind=Activity.Kind.CALL, subject="전화", completed_at=t0 + 5 * H
    )
    assert kept(lead) == t0 + 5 * H  # a done call is a touch

    log_interaction(lead, actor=alice, kind="meeting", occurred_at=t0 + 2 * H)
    assert kept(lead) == t0 + 2 * H  # an earlier logged meeting moves it back

    log_interaction(lead, actor=None, kind="call", occurred_at=t0 + 1 * H)  # nobody of ours: not a touch
    log_interaction(lead, actor=alice, kind="web_visit", occurred_at=t0)  # the lead's own doing
    create_activity(
        actor=alice, record=lead, kind=Activity.Kind.TASK, subject="할 일", status="done", completed_at=t0
    )
    create_activity(actor=alice, record=lead, kind=Activity.Kind.NOTE, subject="메모", completed_at=t0)
    assert kept(lead) == t0 + 2 * H

    mail = create_activity(actor=alice, record=lead, kind=Activity.Kind.EMAIL, subject="메일", status="open")
    assert kept(lead) == t0 + 2 * H  # planned, not done
    complete_activity(mail, actor=alice)
    assert kept(lead) == t0 + 2 * H  # done now: later than the meeting

    other = create_lead(actor=alice, name="이취소", company="(주)취소")
    call2 = create_activity(
        actor=alice, record=other, kind=Activity.Kind.CALL, subject="전화", completed_at=t0 + 3 * H
    )
    assert kept(other) == t0 + 3 * H
    update_activity(call2, actor=alice, changes={"status": Activity.Status.CANCELLED})
    assert kept(other) is None  # the only touch was taken back: recomputed from what is left

    event = create_activity(
        actor=alice, record=other, kind=Activity.Kind.EVENT, subject="미팅", status="open", start_at=t0
    )
    before = dt.datetime.now(dt.UTC)
    complete_activity(event, actor=alice)
    assert kept(other) >= before  # completing it makes it the first touch

    update_activity(call, actor=alice, changes={"subject": "전화 (수정)"})  # an edit that changes nothing
    assert kept(lead) == t0 + 2 * H
    assert touches.mismatched() == []


@pytest.mark.django_db
def test_rebuild_repairs_rows_written_around_the_services(alice):
    t0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    lead = create_lead(actor=alice, name="박대량", company="(주)대량")
    Activity.objects.create(
        kind=Activity.Kind.CALL, subject="bulk", status="done", lead=lead, owner=alice, completed_at=t0
    )
    assert touches.mismatched() == [lead.pk]
    with pytest.raises(SystemExit):
        call_command("rebuild_first_touches", "--check", verbosity=0)
    call_command("rebuild_first_touches", verbosity=0)
    assert kept(lead) == t0
    call_command("rebuild_first_touches", "--check", verbosity=0)
    # A removed touch: refresh recomputes from the rest (the import rollback and erasure paths call it).
    Activity.objects.filter(lead=lead).delete()
    touches.refresh_first_touch([lead.pk])
    assert kept(lead) is None
