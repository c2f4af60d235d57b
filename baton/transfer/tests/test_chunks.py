"""Import chunks (issue 11, throughput): the process placement, the touches' advances and the audit rows
are done per chunk of rows, with the same result as row by row; a refused row still leaves nothing."""

import datetime as dt
import zoneinfo

import pytest

from baton.core.models import ChangeLog
from baton.leads.models import Lead
from baton.process.models import StageHistory
from baton.transfer import engine
from baton.transfer.engine import chunks
from baton.transfer.models import ImportRow
from baton.transfer.tests.conftest import make_job, run

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db

LEADS = [
    ["Id", "Name", "Company", "Email", "Owner", "Created"],
    ["L1", "이서연", "새봄물산", "seoyeon@saebom.kr", "alice", "2024-03-01 09:00"],
    ["L2", "박하늘", "누리상사", "haneul@nuri.kr", "nobody", "2024-03-02 09:00"],  # refused: no such owner
    ["L3", "김도윤", "한빛", "doyun@hanbit.kr", "alice", "2024-03-03 10:30"],
]
TOUCHES = [
    ["Id", "Lead", "Type", "When"],
    ["T1", "L1", "web_visit", "2024-03-05 11:00"],
    ["T2", "L1", "download", "2024-03-06 11:00"],
    ["T3", "L3", "web_visit", "2024-03-07 11:00"],
    ["T4", "L9", "web_visit", "2024-03-07 11:00"],  # refused: no such lead
]


def _history():
    out: dict[str, list] = {}
    for stay in StageHistory.objects.filter(record_kind="lead").select_related("stage").order_by("id"):
        email = Lead.objects.get(pk=stay.record_id).email
        out.setdefault(email, []).append((stay.stage.key, stay.entered_at, stay.left_at, stay.rule))
    return out


def _import(root, source):
    leads = run(make_job(root, "lead", LEADS, source=source, duplicates="create"), root)
    touches = run(make_job(root, "interaction", TOUCHES, source=source), root)
    return leads, touches


def _outcomes(job):
    return list(ImportRow.objects.filter(job=job).order_by("number").values_list("number", "outcome"))


def test_chunked_import_equals_row_by_row(root, alice, monkeypatch):
    monkeypatch.setattr(engine.run, "CHUNKED", False)
    slow_leads, slow_touches = _import(root, "slow")
    slow = _history()
    slow_audit = ChangeLog.objects.filter(job_id__in=[slow_leads.job_id, slow_touches.job_id]).count()
    StageHistory.objects.all().delete()
    Lead.objects.all().delete()
    monkeypatch.setattr(engine.run, "CHUNKED", True)
    fast_leads, fast_touches = _import(root, "fast")
    fast = _history()
    assert _outcomes(fast_leads) == _outcomes(slow_leads) == [(2, "created"), (3, "refused"), (4, "created")]
    assert _outcomes(fast_touches) == _outcomes(slow_touches)
    assert fast == slow
    # The placement keeps the file's created time and is marked as a placed stay (file rows replace it).
    first = fast["seoyeon@saebom.kr"][0]
    assert first[1] == dt.datetime(2024, 3, 1, 9, 0, tzinfo=SEOUL)
    assert first[3] == engine.PLACED
    # Every audit row is written, with the job id, and nothing for the refused rows.
    fast_audit = ChangeLog.objects.filter(job_id__in=[fast_leads.job_id, fast_touches.job_id])
    assert fast_audit.count() == slow_audit
    assert not ChangeLog.objects.filter(object_repr__contains="박하늘").exists()
    assert set(fast_audit.values_list("source", flat=True)) == {"import"}


def test_a_failing_chunk_end_runs_the_chunk_row_by_row(root, alice, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("placement broke")

    monkeypatch.setattr(chunks, "place_new_leads", broken)
    job = run(make_job(root, "lead", LEADS, duplicates="create"), root)
    assert _outcomes(job) == [(2, "created"), (3, "refused"), (4, "created")]
    assert Lead.objects.count() == 2
    for lead in Lead.objects.all():
        stay = StageHistory.objects.get(record_kind="lead", record_id=lead.pk)
        assert stay.entered_at == lead.created_at
        assert stay.rule == engine.PLACED
    assert ChangeLog.objects.filter(job_id=job.job_id, content_type__model="stagehistory").count() == 2
