import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from baton.core.models import ChangeLog, Role
from baton.core.testing import assert_audited, audit_rows
from baton.core.workdays import add_working_days
from baton.leads.models import LeadInteraction
from baton.leads.services import convert_lead, create_lead, log_interaction, update_lead
from baton.process import services
from baton.process.models import HandOff, Method, ProcessStage, Recycle, StageHistory


def stage(key):
    return ProcessStage.objects.get(key=key)


def current(record, kind="lead"):
    stay = services.current_stay(kind, record.pk)
    return stay.stage.key if stay else None


def stays(record, kind="lead"):
    return list(
        StageHistory.objects.filter(record_kind=kind, record_id=record.pk)
        .order_by("entered_at", "id")
        .values_list("stage__key", flat=True)
    )


@pytest.mark.django_db
def test_new_lead_enters_furthest_stage_its_facts_meet(alice):
    anonymous = create_lead(actor=alice, name="No Contact")
    assert current(anonymous) == "awareness"
    known = create_lead(actor=alice, name="Known", email="k@example.kr")
    assert current(known) == "lead_acquired"
    first = StageHistory.objects.get(record_kind="lead", record_id=known.pk)
    assert first.method == Method.INITIAL and first.from_stage is None and first.owner_id == alice.pk
    assert first.evidence["criteria"][0]["evidence"] == {"has_email": True, "has_phone": False}


@pytest.mark.django_db
def test_interactions_advance_to_mql_and_offer_handoff(alice):
    lead = create_lead(actor=alice, name="A", email="a@example.kr")
    log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.WEB_VISIT)
    assert current(lead) == "nurturing"
    log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.SEMINAR)
    assert current(lead) == "mql"
    stay = services.current_stay("lead", lead.pk)
    assert stay.method == Method.AUTO and stay.from_stage.key == "nurturing"
    assert "seminar_90d" in str(stay.evidence)
    handoff = HandOff.objects.get(record_kind="lead", record_id=lead.pk)
    assert handoff.status == HandOff.Status.PENDING and handoff.to_stage.key == "accepted"
    # The deadline is the stage's acceptance SLA in working days (see core/tests/test_workdays.py).
    assert handoff.to_stage.sla_accept_days > 0
    assert handoff.due_at == add_working_days(handoff.requested_at, handoff.to_stage.sla_accept_days)
    assert_audited(handoff, "create")


@pytest.mark.django_db
def test_handoff_accept_and_reject(alice, personas):
    from baton.core.models import User

    isr = User.objects.create_user(username="ines", role=Role.INSIDE_SALES, team=personas["teams"]["fs1"])
    lead = create_lead(actor=alice, name="A", email="a@example.kr")
    log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.INBOUND_QUESTION)
    assert current(lead) == "mql"
    handoff = HandOff.objects.get(record_kind="lead", record_id=lead.pk, status="pending")
    with pytest.raises(PermissionDenied):
        services.accept_handoff(handoff, actor=alice)  # field sales is not the receiver
    services.accept_handoff(handoff, actor=isr, note="Calling today")
    assert current(lead) == "accepted"
    stay = services.current_stay("lead", lead.pk)
    assert stay.method == Method.HANDOFF and stay.actor == isr

    other = create_lead(actor=alice, name="B", email="b@example.kr")
    log_interaction(other, actor=alice, kind=LeadInteraction.Kind.SEMINAR)
    handoff = HandOff.objects.get(record_kind="lead", record_id=other.pk, status="pending")
    with pytest.raises(ValidationError):
        services.reject_handoff(handoff, actor=isr, reason_code="bogus")
    services.reject_handoff(handoff, actor=isr, reason_code="no_budget", note="FY26")
    handoff.refresh_from_db()
    assert handoff.status == "rejected" and handoff.return_to == "nurture"
    assert current(other) == "nurturing"
    assert StageHistory.objects.filter(
        record_kind="lead", record_id=other.pk, method=Method.REJECTED
    ).exists()
    recycle = Recycle.objects.get(record_kind="lead", record_id=other.pk)
    assert recycle.follow_up_on == timezone.localdate() + dt.timedelta(days=30)
    # Paused until the follow-up date: the same facts do not push it straight back to MQL.
    update_lead(other, actor=alice, changes={"title": "CIO"}, expected_version=None)
    assert current(other) == "nurturing"


@pytest.mark.django_db
def test_manual_move_needs_override_and_reason_when_criteria_unmet(alice, bob, charlie):
    lead = create_lead(actor=alice, name="A", email="a@example.kr")
    with pytest.raises(ValidationError) as err:
        services.move_record(lead, stage("working"), actor=alice)
    assert "Criteria not met" in str(err.value)
    with pytest.raises(ValidationError) as err:
        services.move_record(lead, stage("working"), actor=alice, override=True)
    assert "reason" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        services.move_record(lead, stage("working"), actor=charlie, override=True, reason="x")
    stay = services.move_record(lead, stage("working"), actor=bob, override=True, reason="Called by phone")
    assert stay.is_override and stay.reason == "Called by phone" and stay.from_stage.key == "lead_acquired"
    assert stays(lead) == ["lead_acquired", "working"]  # skipped nurturing, MQL, accepted
    log = ChangeLog.objects.get(object_id=stay.pk, content_type__model="stagehistory")
    assert log.after["stage"] == "working" and log.after["override"] is True and log.actor == bob
    assert log.before == {"stage": "lead_acquired"} and log.note == "Called by phone"
    # Going back is allowed (a regression) and criteria of nurturing are unmet -> override again.
    services.move_record(lead, stage("awareness"), actor=alice)
    assert current(lead) == "awareness"


@pytest.mark.django_db
def test_qualification_drives_sql_and_conversion_links_the_flow(alice):
    lead = create_lead(actor=alice, name="A", email="a@example.kr", company="한빛")
    services.move_record(lead, stage("working"), actor=alice, override=True, reason="phone")
    for item in ("budget", "authority", "need"):
        services.set_qualification(lead, item, answer=True, evidence="call notes", actor=alice)
    assert current(lead) == "working"
    services.set_qualification(lead, "timeframe", answer=True, evidence="Q3", actor=alice)
    assert current(lead) == "sql"
    _, _, opp = convert_lead(lead, actor=alice)
    assert current(lead) is None
    lead_sql = StageHistory.objects.get(record_kind="lead", record_id=lead.pk, stage__key="sql")
    assert lead_sql.to_stage.key == "considering" and lead_sql.left_at is not None
    opp_stay = services.current_stay("opportunity", opp.pk)
    assert opp_stay.stage.key == "considering" and opp_stay.from_stage.key == "sql"
    assert opp_stay.method == Method.CONVERSION
    # Answers travel with the deal: BANT complete, Model four not yet.
    from baton.process.facts import build_facts

    facts = build_facts(opp)
    assert facts["bant_count"] == 4 and facts["model_count"] == 0


@pytest.mark.django_db
def test_pipeline_and_process_stay_in_step(world, alice):
    from baton.deals.models import LostReason, Stage
    from baton.deals.services import move_opportunity

    opp = world["opportunity"]
    assert current(opp, "opportunity") == "considering"
    move_opportunity(opp, actor=alice, stage=Stage.objects.get(key="deciding"), expected_version=None)
    stay = services.current_stay("opportunity", opp.pk)
    assert stay.stage.key == "deciding" and stay.method == Method.SYNC and stay.is_override
    # A process move updates the pipeline stage too.
    services.set_qualification(opp, "business_issue", answer=True, evidence="RFP", actor=alice, advance=False)
    with pytest.raises(ValidationError):
        services.move_record(opp, stage("lost"), actor=alice)  # lost needs a lost reason
    reason = LostReason.objects.filter(is_no_decision=True).first()
    services.move_record(opp, stage("no_decision"), actor=alice, lost_reason=reason)
    opp.refresh_from_db()
    assert opp.stage.key == "no_decision" and current(opp, "opportunity") == "no_decision"
    recycle = services.recycle_record(
        opp, actor=alice, reason="Budget frozen", follow_up_on=timezone.localdate() + dt.timedelta(days=60)
    )
    assert current(opp, "opportunity") == "nurturing" and recycle.from_stage.key == "no_decision"


@pytest.mark.django_db
def test_won_deal_hands_account_to_customer_success(world, alice, personas):
    from baton.core.models import User
    from baton.deals.models import Stage
    from baton.deals.services import move_opportunity

    csm = User.objects.create_user(username="cara", role=Role.CUSTOMER_SUCCESS)
    opp = world["opportunity"]
    move_opportunity(opp, actor=alice, stage=Stage.objects.get(key="won"), expected_version=None)
    handoff = HandOff.objects.get(record_kind="account", record_id=world["account"].pk)
    assert handoff.from_stage.key == "won" and handoff.source_id == opp.pk
    services.accept_handoff(handoff, actor=csm)
    assert current(world["account"], "account") == "onboarding"
    won = StageHistory.objects.get(record_kind="opportunity", record_id=opp.pk, stage__key="won")
    assert won.to_stage.key == "onboarding" and won.left_at is not None


@pytest.mark.django_db
def test_disqualified_lead_is_recycled_and_returns_to_queue(alice, bob, charlie):
    from baton.process.queries import follow_up_queue

    lead = create_lead(actor=alice, name="A", email="a@example.kr")
    services.move_record(lead, stage("working"), actor=alice, override=True, reason="phone")
    update_lead(
        lead,
        actor=alice,
        changes={"status": "disqualified", "disqualify_reason": "No budget"},
        expected_version=None,
    )
    assert current(lead) == "nurturing"
    recycle = Recycle.objects.get(record_kind="lead", record_id=lead.pk)
    assert recycle.reason == "No budget" and recycle.from_stage.key == "working"
    assert list(follow_up_queue(alice)) == []
    later = timezone.localdate() + dt.timedelta(days=services.DEFAULT_FOLLOW_UP_DAYS)
    assert [r.pk for r in follow_up_queue(alice, today=later)] == [recycle.pk]
    assert [r.pk for r in follow_up_queue(bob, today=later)] == [recycle.pk]
    assert list(follow_up_queue(charlie, today=later)) == []
    services.complete_follow_up(recycle, actor=bob, note="Re-engaged")
    assert list(follow_up_queue(alice, today=later)) == []


@pytest.mark.django_db
def test_sweep_applies_time_based_criteria(world, alice):
    from django.core.management import call_command

    account = world["account"]
    services.place_record(account, actor=alice)  # an existing customer entered by hand
    assert current(account, "account") == "onboarding"
    StageHistory.objects.filter(record_kind="account", record_id=account.pk).update(
        entered_at=timezone.now() - dt.timedelta(days=31)
    )
    call_command("process_sweep")
    assert current(account, "account") == "renewal_expansion"  # 30 days passed and a deal is open
    stay = services.current_stay("account", account.pk)
    assert stay.method == Method.AUTO and stay.rule.startswith("sweep")


@pytest.mark.django_db
def test_accepting_a_handoff_gives_the_record_to_the_acceptor_unless_kept(alice, personas):
    from baton.core.models import User

    isr = User.objects.create_user(username="ines", role=Role.INSIDE_SALES, team=personas["teams"]["fs1"])
    lead = create_lead(actor=alice, name="A", email="a@example.kr")
    log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.INBOUND_QUESTION)
    handoff = HandOff.objects.get(record_kind="lead", record_id=lead.pk, status="pending")
    services.accept_handoff(handoff, actor=isr)
    lead.refresh_from_db()
    assert lead.owner == isr
    assert services.current_stay("lead", lead.pk).owner_id == isr.pk  # the stay follows the owner
    change = audit_rows(lead, "update").latest("id")
    assert change.actor == isr and "owner" in str(change.after)

    other = create_lead(actor=alice, name="B", email="b@example.kr")
    log_interaction(other, actor=alice, kind=LeadInteraction.Kind.SEMINAR)
    handoff = HandOff.objects.get(record_kind="lead", record_id=other.pk, status="pending")
    services.accept_handoff(handoff, actor=isr, take_ownership=False)
    other.refresh_from_db()
    assert other.owner == alice and current(other) == "accepted"
