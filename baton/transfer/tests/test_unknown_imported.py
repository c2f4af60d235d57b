"""Issue 11: "unknown (imported)" is a legitimate reason that reports tell apart. Lost deals and
disqualified leads imported without a reason get the reason marked ``unknown_imported`` (found by that
code, however an administrator renames it) and are counted in a bucket of their own — never with
"none recorded", a reason typed on the lead page, or a real reason. Counts computed by hand."""

from __future__ import annotations

import pytest
from django.utils import timezone

from baton.core.tests.test_api_support import ApiClient
from baton.deals.forms.opportunities import MoveForm
from baton.deals.models import UNKNOWN_IMPORTED, LostReason, Opportunity, Stage
from baton.insights.reports.engine import parse_definition, run_report
from baton.leads.models import Lead, LeadStatus
from baton.leads.services import create_lead, update_lead
from baton.scoring.models import Disqualification, DisqualifyReason
from baton.scoring.qualification.disqualification import disqualify_lead
from baton.scoring.winloss import disqualified_by_reason, win_loss
from baton.transfer.models import ImportRow
from baton.transfer.tests.conftest import make_job, run

pytestmark = pytest.mark.django_db

ACCOUNTS = [["Id", "Company", "Owner", "Created"], ["A1", "(주)가져옴상사", "alice", "2024-01-10"]]


def _deals(rows):
    return [["Id", "Name", "Account", "Amount", "Stage", "Owner", "Created", "Closed", "Lost reason"], *rows]


def _by_code(tallies):
    return {t.code: t for t in tallies}


def test_lost_deals_without_a_reason_are_counted_apart(root, alice):
    run(make_job(root, "account", ACCOUNTS), root)
    price = LostReason.objects.get(name_en="Price")
    rows = [
        ["O1", "이유 없음 1", "A1", "100", "lost", "alice", "2024-02-01", "2024-03-01", ""],
        ["O2", "이유 없음 2", "A1", "100", "lost", "alice", "2024-02-01", "2024-03-02", ""],
        ["O3", "보류 이유 없음", "A1", "100", "no_decision", "alice", "2024-02-01", "2024-03-03", ""],
        ["O4", "가격 패배", "A1", "100", "lost", "alice", "2024-02-01", "2024-03-04", "Price"],
        ["O5", "수주", "A1", "100", "won", "alice", "2024-02-01", "2024-03-05", ""],
    ]
    job = run(make_job(root, "opportunity", _deals(rows)), root)
    assert set(ImportRow.objects.filter(job=job).values_list("outcome", flat=True)) == {"created"}
    unknown = LostReason.objects.get(code=UNKNOWN_IMPORTED)
    assert set(Opportunity.objects.filter(lost_reason=unknown).values_list("name", flat=True)) == {
        "이유 없음 1",
        "이유 없음 2",
        "보류 이유 없음",
    }
    # A deal of older data lost with no reason at all: "none recorded", not the imported bucket.
    lost_stage = Stage.objects.get(pipeline__is_default=True, key="lost")
    bare = Opportunity.objects.get(name="수주")
    Opportunity.objects.filter(pk=bare.pk).update(stage=lost_stage, lost_reason=None)

    # An administrator renames the imported reason; a second import still finds it by its code.
    unknown.name, unknown.name_en = "미상", "Not known"
    unknown.save()
    more = [["O6", "이유 없음 3", "A1", "100", "lost", "alice", "2024-02-01", "2024-03-06", ""]]
    run(make_job(root, "opportunity", _deals(more)), root)
    assert LostReason.objects.filter(code=UNKNOWN_IMPORTED).count() == 1

    tallies = _by_code(win_loss(root).groups["reason"])
    # By hand: O1, O2, O6 lost and O3 no decision without a reason; O4 lost for Price; O5 set to lost
    # with none. A lost deal with a no-decision stage counts as no decision.
    assert (tallies[UNKNOWN_IMPORTED].lost, tallies[UNKNOWN_IMPORTED].no_decision) == (3, 1)
    assert tallies[UNKNOWN_IMPORTED].key == "Unknown (imported)"
    assert (tallies[f"reason:{price.pk}"].lost, tallies[f"reason:{price.pk}"].no_decision) == (1, 0)
    assert (tallies["none"].lost, tallies["none"].won) == (1, 0)
    assert "won" not in tallies
    # The API gives the same rows with their codes; Korean readers see the Korean label.
    rows_out = ApiClient(root).get("/scoring/win-loss").json()["groups"]["reason"]
    assert {r["code"]: r["lost"] for r in rows_out}[UNKNOWN_IMPORTED] == 3
    # People moving a deal choose a real reason: the imported one is not offered.
    offered = MoveForm(opportunity=bare).fields["lost_reason"].queryset
    assert price in offered and unknown not in offered
    # The report builder groups by the reason itself: the imported bucket is one row of its own.
    result = run_report(parse_definition({"object": "opportunities", "group_by": ["lost_reason"]}), root)
    assert result.row_totals[unknown.pk] == 4 and result.row_totals[price.pk] == 1


def test_disqualified_leads_without_a_reason_are_counted_apart(client, root, alice, charlie):
    no_budget = DisqualifyReason.objects.get(name_en="No budget")
    rows = [
        ["Id", "Name", "Owner", "Status", "Disqualification reason", "Created"],
        ["L1", "사유 없음 1", "alice", "disqualified", "", "2024-01-05"],
        ["L2", "사유 없음 2", "alice", "disqualified", "", "2024-01-06"],
        ["L3", "예산 부족 리드", "alice", "disqualified", "No budget", "2024-01-07"],  # a listed reason
        ["L4", "자유 기재", "alice", "disqualified", "담당자 퇴사", "2024-01-08"],  # text only
        ["L5", "육성 중", "alice", "nurturing", "", "2024-01-09"],
    ]
    job = run(make_job(root, "lead", rows), root)
    assert list(ImportRow.objects.filter(job=job).values_list("outcome", flat=True)) == ["created"] * 5
    unknown = DisqualifyReason.objects.get(code=UNKNOWN_IMPORTED)
    l1 = Lead.objects.get(name="사유 없음 1")
    kept = Disqualification.objects.get(lead=l1)
    assert (
        kept.reason == unknown and timezone.localtime(kept.disqualified_at).date().isoformat() == "2024-01-05"
    )
    assert Disqualification.objects.get(lead__name="예산 부족 리드").reason == no_budget
    assert not Disqualification.objects.filter(lead__name="자유 기재").exists()
    # Disqualified here: one with a listed reason, one with a reason typed on the lead page.
    lead = create_lead(actor=alice, name="여기서 제외", company="현장상사")
    disqualify_lead(lead, actor=alice, reason=no_budget)
    typed = create_lead(actor=alice, name="직접 입력", company="입력상사")
    update_lead(
        typed,
        actor=alice,
        changes={"status": LeadStatus.DISQUALIFIED, "disqualify_reason": "연락 안 됨"},
        expected_version=None,
    )

    buckets = {b.code: (b.label, b.count) for b in disqualified_by_reason(root)}
    # By hand: L1, L2 imported without a reason; L3 and the lead disqualified here for "No budget";
    # L4 and the lead page's text are typed reasons; L5 is not disqualified.
    assert buckets == {
        UNKNOWN_IMPORTED: ("Unknown (imported)", 2),
        f"reason:{no_budget.pk}": ("No budget", 2),
        "typed": ("typed on the lead", 2),
    }
    # Only leads the reader may see: charlie, on another team, sees none of alice's.
    assert disqualified_by_reason(charlie) == []
    assert ApiClient(root).get("/scoring/win-loss").json()["disqualified"][0]["code"] in buckets
    from conftest import login

    login(client, root)
    page = client.get("/scoring/win-loss/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert 'data-code="unknown_imported"' in page and "알 수 없음(가져옴)" in page
