import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from baton.core.models import ChangeLog, User
from baton.core.testing import assert_audited
from baton.deals.models import LostReason, Stage
from baton.deals.services import create_opportunity, move_opportunity
from baton.process.models import Recycle
from baton.scoring.competitors import add_opportunity_competitor
from baton.scoring.facts import FACT_SAMPLES, scoring_facts
from baton.scoring.models import Disqualification, DisqualifyReason, OpportunityCompetitor
from baton.scoring.qualification.checklists import lead_qualification, opportunity_qualification
from baton.scoring.qualification.disqualification import disqualify_lead, draft_explanation
from baton.scoring.qualification.services import set_lead_qualification, set_meddpicc
from baton.scoring.winloss import win_loss


@pytest.mark.django_db
def test_bant_with_evidence_gives_score_gaps_and_facts(world, alice, charlie):
    lead = world["lead"]
    with pytest.raises(ValidationError):
        set_lead_qualification(lead, "budget", answer=True, evidence="", actor=alice)
    with pytest.raises(PermissionDenied):
        set_lead_qualification(lead, "budget", answer=True, evidence="x", actor=charlie)
    set_lead_qualification(lead, "budget", answer=True, evidence="CFO: 2억 편성 (3/2 통화)", actor=alice)
    set_lead_qualification(lead, "need", answer=True, evidence="ERP 노후화", actor=alice)
    q = lead_qualification(lead.pk)
    assert (q.confirmed, q.score) == (2, 25)
    assert q.gaps == [
        "authority",
        "timeframe",
        "business_issue",
        "recognised_problem",
        "solution_fit",
        "expected_effect",
    ]
    budget = q.group("BANT")[0]
    assert (budget.evidence, budget.answered_by) == ("CFO: 2억 편성 (3/2 통화)", alice)
    facts = scoring_facts("lead", lead.pk)
    assert facts["qualification_score"] == 25 and facts["qualification_gaps"] == 6
    assert set(facts) == set(FACT_SAMPLES["lead"])


@pytest.mark.django_db
def test_meddpicc_on_opportunities(world, alice, bob, charlie):
    opp = world["opportunity"]
    set_meddpicc(opp, "economic_buyer", answer=True, evidence="김 전무 (예산 승인권자) 면담", actor=alice)
    set_meddpicc(opp, "champion", answer=True, evidence="IT팀장", actor=bob)  # teammate may edit
    with pytest.raises(PermissionDenied):
        set_meddpicc(opp, "metrics", answer=True, evidence="x", actor=charlie)
    with pytest.raises(ValidationError):
        set_meddpicc(opp, "vibes", answer=True, evidence="x", actor=alice)
    q = opportunity_qualification(opp.pk)
    assert (q.confirmed, q.score) == (2, 25)
    assert "metrics" in q.gaps and "champion" not in q.gaps
    facts = scoring_facts("opportunity", opp.pk)
    assert facts["meddpicc_economic_buyer"] and facts["meddpicc_champion"] and not facts["meddpicc_metrics"]
    assert facts["meddpicc_count"] == 2 and not facts["meddpicc_complete"]
    assert set(facts) == set(FACT_SAMPLES["opportunity"])
    assert ChangeLog.objects.filter(
        actor=alice, action="create", object_repr__contains="economic_buyer"
    ).exists()


@pytest.mark.django_db
def test_disqualify_with_reason_note_and_recycle_date(world, alice):
    lead = world["lead"]
    reason = DisqualifyReason.objects.get(name_en="No timeframe")
    recycle_on = timezone.localdate() + dt.timedelta(days=45)
    row = disqualify_lead(
        lead, actor=alice, reason=reason, note="내년 예산 편성 후 재검토", recycle_on=recycle_on
    )
    lead.refresh_from_db()
    assert lead.status == "disqualified"
    assert "내년 예산" in lead.disqualify_reason
    assert (row.recycle_on, row.disqualified_by) == (recycle_on, alice)
    assert_audited(row, "create")
    # The process engine recycled it into nurture with our date (one follow-up, not a default one).
    recycle = Recycle.objects.get(record_kind="lead", record_id=lead.pk)
    assert recycle.follow_up_on == recycle_on and "내년 예산" in recycle.reason
    with pytest.raises(ValidationError):
        disqualify_lead(lead, actor=alice, reason=reason, recycle_on=timezone.localdate())
    archived = DisqualifyReason.objects.create(name="옛 사유", is_archived=True)
    with pytest.raises(ValidationError):
        disqualify_lead(lead, actor=alice, reason=archived)
    assert Disqualification.objects.count() == 1


def test_explanation_drafted_from_gaps_in_both_languages():
    day = dt.date(2027, 3, 1)
    en = draft_explanation(["budget", "timeframe"], language="en", recycle_on=day, name="Ms Lee")
    assert en.startswith("Dear Ms Lee,")
    assert "- There is no budget set aside for this yet." in en
    assert "2027-03-01" in en
    with translation.override("en"):
        ko = draft_explanation(["budget"], language="ko", recycle_on=day, name="이서연님")
    assert "예산" in ko and "2027-03-01" in ko


@pytest.mark.django_db
def test_competitors_incumbents_and_no_decision_apart_in_win_rates(world, alice, mina):
    account = world["account"]
    stages = {s.key: s for s in Stage.objects.all()}
    price = LostReason.objects.filter(is_no_decision=False).first()
    stay = LostReason.objects.filter(is_no_decision=True).first()

    def closed(name, key, reason=None, competitors=()):
        opp = create_opportunity(actor=alice, name=name, account=account)
        for comp, incumbent in competitors:
            add_opportunity_competitor(opp, actor=alice, name=comp, is_incumbent=incumbent)
        move_opportunity(opp, actor=alice, stage=stages[key], expected_version=None, lost_reason=reason)
        return opp

    closed("A", "won", competitors=[("더존", True)])
    closed("B", "lost", price, competitors=[("더존", True), ("SAP", False)])
    closed("C", "no_decision", stay, competitors=[("더존", True)])
    closed("D", "lost", stay)  # lost with a no-decision reason: still no decision
    closed("E", "won", competitors=[("SAP", False)])
    assert OpportunityCompetitor.objects.filter(competitor__name="더존", is_incumbent=True).count() == 3
    result = win_loss(mina)
    o = result.overall
    assert (o.won, o.lost, o.no_decision) == (2, 1, 2)
    assert o.win_rate == pytest.approx(2 / 5)
    assert o.competitive_win_rate == pytest.approx(2 / 3)  # no decision is not a loss to a competitor
    assert o.no_decision_rate == pytest.approx(2 / 5)
    inc = {t.key: (t.won, t.lost, t.no_decision) for t in result.groups["incumbent"]}
    assert inc["더존"] == (1, 1, 1)
    comp = {t.key: (t.won, t.lost, t.no_decision) for t in result.groups["competitor"]}
    assert comp["SAP"] == (1, 1, 0)
    # An outsider sees none of alice's deals.
    assert win_loss(User.objects.get(username="charlie")).overall.total == 0
