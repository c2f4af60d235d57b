import pytest
from django.core.exceptions import ValidationError

from baton.accounts.models import Account, Contact
from baton.core.models import ChangeLog
from baton.core.services import ConflictError, ServiceError
from baton.core.testing import assert_audited
from baton.deals.models import Opportunity, Stage
from baton.leads.models import Lead, LeadStatus
from baton.leads.services import convert_lead, create_lead, log_interaction, update_lead


def test_convert_creates_account_contact_and_opportunity_in_one_step(world, alice):
    lead = world["lead"]
    account, contact, opp = convert_lead(lead, actor=alice, amount=50_000_000, expected_version=lead.version)
    assert account.name == "새봄물산 주식회사" and account.name_key == "새봄물산"
    assert contact.account == account and contact.email == "seoyeon@saebom.kr"
    assert contact.phone == "+821012345678"
    assert opp.account == account and opp.primary_contact == contact
    assert opp.stage.key == "considering" and opp.amount == 50_000_000 and opp.currency == "KRW"
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.is_converted
    assert (lead.converted_account, lead.converted_contact, lead.converted_opportunity) == (
        account,
        contact,
        opp,
    )
    actions = set(ChangeLog.objects.values_list("action", "object_repr"))
    assert ("convert", str(lead)) in actions
    assert ("create", account.name) in actions and ("create", opp.name) in actions


def test_convert_attaches_to_existing_account_and_contact(world, alice):
    lead = create_lead(actor=alice, name="김민준", company="한빛소프트 주식회사", email="minjun@hanbit.co.kr")
    account, contact, opp = convert_lead(
        lead, actor=alice, account=world["account"], contact=world["contact"], create_opportunity_too=False
    )
    assert account == world["account"] and contact == world["contact"] and opp is None
    assert Account.objects.count() == 1 and Contact.objects.count() == 1


def test_convert_twice_is_refused(world, alice):
    lead = world["lead"]
    convert_lead(lead, actor=alice)
    with pytest.raises(ServiceError):
        convert_lead(lead, actor=alice)
    assert Account.objects.filter(name="새봄물산 주식회사").count() == 1


def test_failed_conversion_leaves_nothing_behind(world, alice):
    lead = world["lead"]
    before = (
        Account.objects.count(),
        Contact.objects.count(),
        Opportunity.objects.count(),
        ChangeLog.objects.count(),
    )
    with pytest.raises(ValidationError):
        convert_lead(lead, actor=alice, amount="12.5")  # KRW has no decimals: the opportunity fails last
    after = (
        Account.objects.count(),
        Contact.objects.count(),
        Opportunity.objects.count(),
        ChangeLog.objects.count(),
    )
    assert before == after
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW and lead.converted_account is None


def test_contact_from_another_account_is_refused(world, alice):
    from baton.accounts.services import create_account

    other = create_account(actor=alice, name="다른회사")
    with pytest.raises(ValidationError):
        convert_lead(world["lead"], actor=alice, account=other, contact=world["contact"])


def test_stale_lead_version_conflicts(world, alice):
    lead = world["lead"]
    update_lead(lead, actor=alice, changes={"status": LeadStatus.WORKING}, expected_version=1)
    with pytest.raises(ConflictError):
        convert_lead(lead, actor=alice, expected_version=1)


def test_disqualified_lead_needs_reason_and_cannot_convert(world, alice):
    lead = world["lead"]
    with pytest.raises(ValidationError):
        update_lead(
            lead, actor=alice, changes={"status": LeadStatus.DISQUALIFIED}, expected_version=lead.version
        )
    update_lead(
        lead,
        actor=alice,
        changes={"status": LeadStatus.DISQUALIFIED, "disqualify_reason": "예산 없음"},
        expected_version=lead.version,
    )
    with pytest.raises(ServiceError):
        convert_lead(lead, actor=alice)


def test_converted_lead_is_read_only(world, alice):
    lead = world["lead"]
    convert_lead(lead, actor=alice)
    with pytest.raises(ServiceError):
        update_lead(lead, actor=alice, changes={"name": "x"}, expected_version=lead.version)


def test_status_converted_only_through_conversion(alice):
    with pytest.raises(ValidationError):
        create_lead(actor=alice, name="x", status=LeadStatus.CONVERTED)


def test_convert_into_a_chosen_stage_and_owner(world, alice, bob):
    stage = Stage.objects.get(key="evaluating")
    _, _, opp = convert_lead(
        world["lead"], actor=alice, stage=stage, owner=bob, opportunity_name="새봄 그룹웨어"
    )
    assert opp.stage == stage and opp.probability == stage.probability and opp.owner == bob
    assert opp.name == "새봄 그룹웨어"


def test_interactions_are_logged_and_audited(world, alice):
    lead = world["lead"]
    log_interaction(lead, actor=alice, kind="seminar", note="AI 세미나 참석")
    assert lead.interactions.get().kind == "seminar"
    assert_audited(lead.interactions.get(), "create", kind="seminar", actor=alice)
    with pytest.raises(ValidationError):
        log_interaction(lead, actor=alice, kind="telepathy")


def test_lead_without_company_cannot_create_an_account(alice):
    lead = create_lead(actor=alice, name="박지호")
    with pytest.raises(ValidationError):
        convert_lead(lead, actor=alice)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW
