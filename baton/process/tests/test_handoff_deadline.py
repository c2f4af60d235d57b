"""A hand-off's acceptance deadline counts Korean working days (weekends and public holidays excluded)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from baton.leads.services import create_lead
from baton.process import services
from baton.process.models import HandOff, ProcessStage

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.django_db
def test_handoff_deadline_counts_korean_working_days(alice):
    lead = create_lead(actor=alice, name="설 연휴", email="seol@example.kr")
    accepted = ProcessStage.objects.get(key="accepted")
    accepted.sla_accept_days = 2
    accepted.save(update_fields=["sla_accept_days"])
    HandOff.objects.filter(record_kind="lead", record_id=lead.pk).delete()
    friday = dt.datetime(2026, 2, 13, 10, 0, tzinfo=SEOUL)
    handoff = services.request_handoff(
        lead, accepted, actor=alice, from_stage=ProcessStage.objects.get(key="mql"), at=friday
    )
    assert handoff.due_at == dt.datetime(2026, 2, 20, 10, 0, tzinfo=SEOUL)
