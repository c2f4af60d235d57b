"""History import: dry run = real run, all-or-nothing rows, idempotent re-import, dates kept, rollback,
duplicate matching, and bad files reported in words."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from baton.accounts.models import Account, Contact
from baton.activities.models import Activity
from baton.core.models import ChangeLog
from baton.deals.models import Opportunity
from baton.leads.models import Lead, LeadInteraction
from baton.process.metrics import flow_metrics
from baton.process.models import StageHistory
from baton.transfer import engine, reading, services
from baton.transfer.models import ExternalId, ImportJob, ImportRow, Outcome
from baton.transfer.tests.conftest import csv_bytes, dry, make_job, run

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db

ACCOUNTS = [
    ["Id", "Company", "BRN", "Industry", "Owner", "Created"],
    ["A1", "(주)한빛소프트", "220-81-62517", "Manufacturing", "alice", "2024-01-10 09:00"],
    ["A2", "새봄물산", "", "", "alice", "2024-02-01"],
]


def outcomes(job):
    return [(r.number, r.outcome, r.message) for r in ImportRow.objects.filter(job=job).order_by("number")]


def test_accounts_dry_run_equals_real_run_and_keeps_dates(root, alice):
    job = make_job(root, "account", ACCOUNTS)
    assert job.columns == {
        "Id": "external_id",
        "Company": "name",
        "BRN": "brn",
        "Industry": "industry",
        "Owner": "owner",
        "Created": "created_at",
    }
    report = dry(job, root)
    assert Account.objects.count() == 0  # the dry run left nothing behind
    assert [r.as_tuple() for r in report.rows] == [
        (2, "created", "", None),
        (3, "created", "", None),
    ]
    job = run(job, root)
    assert job.status == ImportJob.Status.DONE
    assert [(n, o, m) for n, o, m in outcomes(job)] == [
        (n, o, m) for n, o, m, _ in (r.as_tuple() for r in job.dry_report.rows)
    ]
    hanbit = Account.objects.get(name="(주)한빛소프트")
    assert hanbit.owner == alice
    assert hanbit.industry == "manufacturing"
    assert hanbit.created_at == dt.datetime(2024, 1, 10, 9, 0, tzinfo=SEOUL)
    # The audit: one creation row per record, marked with the job and as an import.
    created = ChangeLog.objects.filter(job_id=job.job_id, action="create", content_type__model="account")
    assert created.count() == 2
    assert set(created.values_list("source", flat=True)) == {"import"}
    assert ExternalId.objects.filter(source="oldcrm").count() == 2
    assert list(ImportRow.objects.filter(job=job).values_list("external_id", "object_id")) == [
        ("A1", hanbit.pk),
        ("A2", Account.objects.get(name="새봄물산").pk),
    ]


def test_reimport_is_idempotent_and_updates(root, alice):
    run(make_job(root, "account", ACCOUNTS), root)
    again = run(make_job(root, "account", ACCOUNTS), root)
    assert [o for _n, o, _m in outcomes(again)] == ["matched", "matched"]
    assert Account.objects.count() == 2
    changed = [ACCOUNTS[0], ["A1", "(주)한빛소프트", "220-81-62517", "Retail", "alice", "2024-01-10 09:00"]]
    third = run(make_job(root, "account", changed), root)
    assert [o for _n, o, _m in outcomes(third)] == ["updated"]
    assert Account.objects.get(name="(주)한빛소프트").industry == "retail"
    assert Account.objects.count() == 2


def test_failing_row_leaves_nothing_behind(root, alice):
    rows = [
        ["Id", "Name", "Email", "Owner", "Created"],
        ["L1", "이서연", "seoyeon@saebom.kr", "alice", "2024-03-01"],
        ["L2", "박하늘", "haneul@nuri.kr", "nobody", "2024-03-01"],  # unknown owner
        ["L3", "김도윤", "doyun@x.kr", "alice", "2024-13-45"],  # impossible date
        ["L4", "", "empty@x.kr", "alice", "2024-03-01"],  # no name
    ]
    job = run(make_job(root, "lead", rows), root)
    result = outcomes(job)
    assert [o for _n, o, _m in result] == ["created", "refused", "refused", "refused"]
    assert "nobody" in result[1][2]
    assert ImportRow.objects.get(job=job, number=3).external_id == "L2"
    assert "2024-13-45" in result[2][2]
    assert "required" in result[3][2]
    assert list(Lead.objects.values_list("name", flat=True)) == ["이서연"]
    assert ExternalId.objects.count() == 1
    # The error file lists the refused rows with their reasons.
    body = services.error_file_text(job)
    assert body.splitlines()[0] == "row,error,Id,Name,Email,Owner,Created"
    assert "nobody" in body and "L2" in body and "L1" not in body


def test_row_refused_by_the_database_rolls_back_its_own_writes(root, alice):
    """The deal is created and then its stage history is refused: neither remains."""
    run(make_job(root, "account", ACCOUNTS), root)
    rows = [
        ["Id", "Name", "Account", "Stage", "Created", "Closed"],
        ["O1", "한빛 ERP", "A1", "won", "2024-02-01", "2024-01-01"],  # closed before created
    ]
    job = run(make_job(root, "opportunity", rows), root)
    assert outcomes(job)[0][1] == "refused"
    assert Opportunity.objects.count() == 0
    assert not StageHistory.objects.filter(record_kind="opportunity").exists()


def test_unknown_choice_values_are_listed_then_mapped(root, alice):
    rows = [ACCOUNTS[0], ["A9", "누리소프트", "", "professional services", "alice", "2024-01-01"]]
    job = make_job(root, "account", rows)
    report = dry(job, root)
    assert report.rows[0].outcome == "refused"
    job.refresh_from_db()
    assert job.unknown_values == {"industry": ["professional services"]}
    services.set_mapping(
        job,
        actor=root,
        columns=job.columns,
        values={"industry": {"professional services": "it"}},
        save_as="old crm accounts",
    )
    with pytest.raises(ValidationError):
        services.set_mapping(job, actor=root, columns=job.columns, values={"industry": {"x": "no such"}})
    job = run(job, root)
    assert Account.objects.get(name="누리소프트").industry == "it"
    # The saved mapping is offered for the next file of the kind.
    nxt = make_job(root, "account", rows, mapping=services.SavedMapping.objects.get(name="old crm accounts"))
    assert nxt.values == {"industry": {"professional services": "it"}}


def test_korean_excel_csv_in_cp949_and_xlsx(root, alice):
    job = make_job(root, "account", ACCOUNTS, encoding="cp949")
    assert job.encoding == "cp949"
    run(job, root)
    assert Account.objects.filter(name="(주)한빛소프트").exists()

    book = Workbook()
    sheet = book.active
    sheet.append(["Id", "Company", "Created"])
    sheet.append(["X1", "엑셀상사", dt.datetime(2023, 5, 4, 10, 30)])
    buf = io.BytesIO()
    book.save(buf)
    job = run(make_job(root, "account", [], name="accounts.xlsx", content=buf.getvalue()), root)
    assert job.encoding == "xlsx"
    made = Account.objects.get(name="엑셀상사")
    assert made.created_at == dt.datetime(2023, 5, 4, 10, 30, tzinfo=SEOUL)


def test_bad_files_are_refused_in_words(root):
    with pytest.raises(ValidationError) as err:
        make_job(root, "account", [], content=b"\xff\xfe\x00\x00garbage\x81\x00\xff")
    assert "UTF-8" in str(err.value)
    with pytest.raises(ValidationError) as err:
        make_job(root, "account", [], content=b"")
    assert "empty" in str(err.value)
    with pytest.raises(ValidationError) as err:
        make_job(root, "account", [], name="x.xlsx", content=b"PK\x03\x04not a zip")
    assert "XLSX" in str(err.value)
    # A file without the required columns: the dry run says which are missing; nothing runs.
    job = make_job(root, "account", [["Company"], ["한빛"]])
    report = dry(job, root)
    assert "external id" in report.error
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED
    with pytest.raises(ValidationError):
        services.start_run(job, actor=root)


def test_only_admins_import(alice):
    with pytest.raises(services.PermissionDenied):
        make_job(alice, "account", ACCOUNTS)


def test_duplicate_policy_match_merge_create(root, alice, world):
    """The conversion rules find (주)한빛소프트 as 한빛소프트 주식회사 with the same 사업자등록번호."""
    rows = [["Id", "Company", "BRN", "Phone"], ["B1", "한빛소프트 주식회사", "2208162517", "02-555-1234"]]
    matched = run(make_job(root, "account", rows, duplicates="match"), root)
    result = outcomes(matched)[0]
    assert result[1] == "matched" and f"#{world['account'].pk}" in result[2]
    assert Account.objects.count() == 1
    world["account"].refresh_from_db()
    assert world["account"].phone == ""

    merged = run(make_job(root, "account", [rows[0], ["B2", *rows[1][1:]]], duplicates="merge"), root)
    assert outcomes(merged)[0][1] == "merged"
    world["account"].refresh_from_db()
    assert world["account"].phone == "+8225551234"
    assert world["account"].name == "(주)한빛소프트"  # a filled field is kept

    created = run(make_job(root, "account", [rows[0], ["B3", *rows[1][1:]]], duplicates="create"), root)
    assert outcomes(created)[0][1] == "created"
    assert Account.objects.count() == 2


def test_contacts_link_to_their_account_by_external_id(root, alice):
    run(make_job(root, "account", ACCOUNTS), root)
    rows = [
        ["Id", "Name", "Account", "Email"],
        ["C1", "김민준", "A1", "minjun@hanbit.co.kr"],
        ["C2", "유령", "A404", ""],
    ]
    job = run(make_job(root, "contact", rows), root)
    assert [o for _n, o, _m in outcomes(job)] == ["created", "refused"]
    assert Contact.objects.get(name="김민준").account.name == "(주)한빛소프트"
    assert "A404" in outcomes(job)[1][2]


def test_rollback_deletes_what_it_created_and_restores_what_it_updated(root, alice):
    first = run(make_job(root, "account", ACCOUNTS), root)
    changed = [
        ACCOUNTS[0],
        ["A1", "(주)한빛소프트", "220-81-62517", "Retail", "alice", "2024-01-10 09:00"],
        ["A3", "새 회사", "", "", "alice", "2024-01-01"],
    ]
    second = run(make_job(root, "account", changed), root)
    assert Account.objects.count() == 3
    result = services.rollback(second, actor=root)
    assert result == {"undone": 2, "kept": 0}
    assert Account.objects.count() == 2
    assert Account.objects.get(name="(주)한빛소프트").industry == "manufacturing"
    assert not ExternalId.objects.filter(external_id="A3").exists()
    second.refresh_from_db()
    assert second.status == ImportJob.Status.ROLLED_BACK
    services.rollback(first, actor=root)
    assert Account.objects.count() == 0
    assert ExternalId.objects.count() == 0


def test_lead_two_years_old_shows_its_real_dwell_times(root, alice):
    """A lead created two years ago with dated stage rows: the factory floor computes its dwell from the
    file's dates (by hand: 3 days in lead_acquired, 10 in nurturing, 2.5 in mql)."""
    t0 = dt.datetime.now(tz=SEOUL).replace(microsecond=0, second=0) - dt.timedelta(days=730)
    t1, t2, t3 = t0 + dt.timedelta(days=3), t0 + dt.timedelta(days=13), t0 + dt.timedelta(days=15, hours=12)

    def s(value):
        return value.strftime("%Y-%m-%d %H:%M")

    leads = [
        ["Id", "Name", "Email", "Owner", "Created"],
        ["L1", "이서연", "seoyeon@saebom.kr", "alice", s(t0)],
    ]
    run(make_job(root, "lead", leads), root)
    lead = Lead.objects.get()
    assert lead.created_at == t0
    placed = StageHistory.objects.get(record_kind="lead", record_id=lead.pk)
    assert placed.entered_at == t0  # even before the stage rows, the process starts at the file's date

    stays = [
        ["Type", "Record", "Stage", "Entered", "Left"],
        ["lead", "L1", "lead_acquired", s(t0), s(t1)],
        ["lead", "L1", "nurturing", s(t1), s(t2)],
        ["lead", "L1", "mql", s(t2), s(t3)],
        ["lead", "L1", "accepted", s(t3), ""],
    ]
    job = make_job(root, "stage_history", stays)
    assert job.columns == {
        "Type": "record_type",
        "Record": "record",
        "Stage": "stage",
        "Entered": "entered_at",
        "Left": "left_at",
    }
    job = run(job, root)
    assert [o for _n, o, _m in outcomes(job)] == ["created"] * 4
    history = list(StageHistory.objects.filter(record_kind="lead", record_id=lead.pk).order_by("entered_at"))
    assert [h.stage.key for h in history] == ["lead_acquired", "nurturing", "mql", "accepted"]
    assert [h.dwell_seconds for h in history] == [3 * 86400, 10 * 86400, int(2.5 * 86400), None]
    assert history[1].from_stage.key == "lead_acquired" and history[0].to_stage.key == "nurturing"

    metrics = flow_metrics(
        t0 - dt.timedelta(days=1), t0 + dt.timedelta(days=30), now=t0 + dt.timedelta(days=30)
    )
    by_key = {m.stage.key: m for m in metrics.stages}
    assert by_key["lead_acquired"].dwell_median_days == pytest.approx(3.0)
    assert by_key["nurturing"].dwell_median_days == pytest.approx(10.0)
    assert by_key["mql"].dwell_median_days == pytest.approx(2.5)
    assert by_key["accepted"].wip == 1
    # Re-importing the same stage rows changes nothing.
    again = run(make_job(root, "stage_history", stays), root)
    assert [o for _n, o, _m in outcomes(again)] == ["matched"] * 4
    assert StageHistory.objects.filter(record_kind="lead", record_id=lead.pk).count() == 4


def test_opportunities_keep_created_and_closed_dates(root, alice):
    run(make_job(root, "account", ACCOUNTS), root)
    rows = [
        ["Id", "Name", "Account", "Amount", "Stage", "Owner", "Created", "Closed", "Lost reason"],
        ["O1", "한빛 ERP", "A1", "120,000,000", "won", "alice", "2024-02-01", "2024-05-31 18:00", ""],
        ["O2", "새봄 CRM", "A2", "5000000", "실주", "alice", "2024-03-01", "2024-04-01", ""],
        ["O3", "새봄 2차", "A2", "1", "evaluating", "alice", "2024-06-01", "", ""],
    ]
    job = run(make_job(root, "opportunity", rows), root)
    assert [o for _n, o, _m in outcomes(job)] == ["created"] * 3
    won = Opportunity.objects.get(name="한빛 ERP")
    assert won.stage.key == "won" and won.amount == 120_000_000
    assert won.created_at == dt.datetime(2024, 2, 1, tzinfo=SEOUL)
    assert won.closed_at == dt.datetime(2024, 5, 31, 18, 0, tzinfo=SEOUL)
    lost = Opportunity.objects.get(name="새봄 CRM")
    assert lost.stage.key == "lost" and lost.lost_reason.code == "unknown_imported"
    open_one = Opportunity.objects.get(name="새봄 2차")
    assert open_one.closed_at is None
    stay = StageHistory.objects.get(record_kind="opportunity", record_id=open_one.pk)
    assert stay.entered_at == dt.datetime(2024, 6, 1, tzinfo=SEOUL)


def test_leads_with_interactions_and_activities_keep_times_and_owners(root, alice, bob):
    leads = [
        ["Id", "Name", "Email", "Owner", "Created"],
        ["L1", "이서연", "seoyeon@saebom.kr", "alice", "2024-03-01"],
    ]
    run(make_job(root, "lead", leads), root)
    touches = [
        ["Id", "Lead", "Type", "When", "Note", "By"],
        ["T1", "L1", "web_visit", "2024-03-02 10:00", "pricing page", "bob"],
        ["T2", "L1", "Seminar attended", "2024-03-05 14:00", "", ""],
    ]
    job = run(make_job(root, "interaction", touches), root)
    assert [o for _n, o, _m in outcomes(job)] == ["created", "created"]
    # A touch older than the stage the lead is in now is history too (the stage is not rewritten).
    older = [touches[0], ["T0", "L1", "download", "2024-02-01 10:00", "before the lead", ""]]
    assert [o for _n, o, _m in outcomes(run(make_job(root, "interaction", older), root))] == ["created"]
    first = LeadInteraction.objects.get(note="pricing page")
    assert first.occurred_at == dt.datetime(2024, 3, 2, 10, tzinfo=SEOUL) and first.actor == bob
    again = run(make_job(root, "interaction", touches), root)
    assert [o for _n, o, _m in outcomes(again)] == ["matched", "matched"]
    assert LeadInteraction.objects.count() == 3

    acts = [
        ["Id", "Type", "Subject", "Owner", "Record type", "Record", "Completed", "Outcome"],
        ["ACT1", "call", "첫 통화", "bob", "lead", "L1", "2024-03-03 11:00", "관심 있음"],
    ]
    run(make_job(root, "activity", acts), root)
    call = Activity.objects.get(subject="첫 통화")
    assert call.owner == bob and call.lead_id == Lead.objects.get().pk
    assert call.completed_at == dt.datetime(2024, 3, 3, 11, tzinfo=SEOUL)
    assert call.created_at == call.completed_at
    assert call.outcome == "관심 있음"


def test_converted_lead_keeps_its_conversion_time(root, alice):
    run(make_job(root, "account", ACCOUNTS), root)
    leads = [
        ["Id", "Name", "Company", "Owner", "Created", "Converted", "Converted account"],
        ["L1", "이서연", "한빛", "alice", "2024-01-01", "2024-01-20 10:00", "A1"],
    ]
    job = run(make_job(root, "lead", leads), root)
    assert outcomes(job)[0][1] == "created", outcomes(job)
    lead = Lead.objects.get()
    assert lead.status == "converted"
    assert lead.converted_at == dt.datetime(2024, 1, 20, 10, tzinfo=SEOUL)
    assert lead.converted_account.name == "(주)한빛소프트"
    stay = StageHistory.objects.get(record_kind="lead", record_id=lead.pk)
    assert stay.entered_at == dt.datetime(2024, 1, 1, tzinfo=SEOUL)
    assert stay.left_at == dt.datetime(2024, 1, 20, 10, tzinfo=SEOUL)


def test_pause_and_resume_continue_where_they_stopped(root, alice, monkeypatch):
    monkeypatch.setattr(engine.run, "BATCH", 2)  # real_run reads the batch size of its own module
    rows = [["Id", "Company"]] + [[f"P{i}", f"회사{i}"] for i in range(5)]
    job = make_job(root, "account", rows)
    dry(job, root)
    job.refresh_from_db()
    services.start_run(job, actor=root)
    services.pause(job, actor=root)  # asked before the worker starts: it stops before the first batch
    engine.real_run(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PAUSED and job.next_row == 0
    services.resume(job, actor=root)
    # Paused while the first batch runs: the batch finishes, the next one does not start.
    handle = engine.Importer.handle

    def pausing_handle(self, number, raw):
        if number == 3:
            services.pause(job, actor=root)
        return handle(self, number, raw)

    monkeypatch.setattr(engine.Importer, "handle", pausing_handle)
    engine.real_run(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PAUSED and job.next_row == 2
    assert Account.objects.count() == 2
    monkeypatch.setattr(engine.Importer, "handle", handle)
    services.resume(job, actor=root)
    engine.real_run(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.next_row == 5
    assert Account.objects.count() == 5
    assert job.counts == {"created": 5}
    assert ImportRow.objects.filter(job=job).count() == 5


def test_encoding_fallback_reports_a_broken_line(root, alice, monkeypatch):
    """Bad bytes past the part the encoding is decided on: the rows before them are reported, then
    the line that cannot be read; the whole file was refused when they show at the start."""
    monkeypatch.setattr(reading, "SNIFF_BYTES", 64)
    good = csv_bytes(ACCOUNTS)
    job = make_job(root, "account", [], content=good + b"A3,\xff\xfe,,,alice,2024-01-01\n")
    report = dry(job, root)
    assert report.error and "line" in report.error.lower()
    assert Outcome.CREATED in {r.outcome for r in report.rows}


def test_touch_older_than_the_leads_stage_is_imported(root, alice):
    """A web visit dated before the lead was created meets the nurturing criterion: the move is written
    as of the lead's last stage entry, never before it (the database refuses a stay that ends before
    it began, which failed the whole run)."""
    leads = [
        ["Id", "Name", "Email", "Owner", "Created"],
        ["L2", "박하늘", "haneul@nuri.kr", "alice", "2024-03-01"],
    ]
    run(make_job(root, "lead", leads), root)
    touches = [["Id", "Lead", "Type", "When"], ["T9", "L2", "web_visit", "2024-02-15 10:00"]]
    job = run(make_job(root, "interaction", touches), root)
    assert [o for _n, o, _m in outcomes(job)] == ["created"], outcomes(job)
    stays = StageHistory.objects.filter(record_kind="lead").order_by("entered_at", "id")
    assert all(s.left_at is None or s.left_at >= s.entered_at for s in stays)


def test_demo_mappings_are_valid_and_seeded_once(root):
    from baton.transfer import demo
    from baton.transfer.fields import ChoiceIndex, fields_of

    assert demo.seed() == 3
    assert demo.seed() == 0
    for _name, kind, columns, values in demo.MAPPINGS:
        known = fields_of(kind)
        assert set(columns.values()) <= set(known)
        for field, pairs in values.items():
            index = ChoiceIndex(known[field], {})
            assert all(index.resolve(target) == target for target in pairs.values()), field


def test_opportunity_stage_rows_replace_the_placed_stay_and_roll_back(root, alice):
    run(make_job(root, "account", ACCOUNTS), root)
    deals = [
        ["Id", "Name", "Account", "Stage", "Created"],
        ["O1", "한빛 ERP", "A1", "evaluating", "2024-02-01"],
    ]
    run(make_job(root, "opportunity", deals), root)
    opp = Opportunity.objects.get()
    placed = StageHistory.objects.get(record_kind="opportunity", record_id=opp.pk)
    assert placed.entered_at == dt.datetime(2024, 2, 1, tzinfo=SEOUL)
    stays = [
        ["Record type", "Record", "Stage", "Entered", "Left"],
        ["opportunity", "O1", "considering", "2024-02-01", "2024-02-11 12:00"],
        ["opportunity", "O1", "evaluating", "2024-02-11 12:00", ""],
        ["opportunity", "O1", "mql", "2024-01-01", "2024-01-02"],  # a lead stage: refused
    ]
    job = run(make_job(root, "stage_history", stays), root)
    assert [o for _n, o, _m in outcomes(job)] == ["created", "created", "refused"]
    history = list(
        StageHistory.objects.filter(record_kind="opportunity", record_id=opp.pk).order_by("entered_at")
    )
    assert [(h.stage.key, h.dwell_seconds) for h in history] == [
        ("considering", 10 * 86400 + 12 * 3600),
        ("evaluating", None),
    ]
    # Rolling the stage rows back brings the placed stay back.
    services.rollback(job, actor=root)
    back = StageHistory.objects.get(record_kind="opportunity", record_id=opp.pk)
    assert (back.stage_id, back.entered_at, back.left_at) == (placed.stage_id, placed.entered_at, None)
