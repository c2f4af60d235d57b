"""Deal registration: the conflict check, approval rules, the protection period and expiry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from baton.core.services import ServiceError
from baton.core.testing import assert_audited
from baton.partners import services, tasks
from baton.partners.models import OpportunityPartner, Registration

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def register(user, **extra):
    values = {
        "customer": "새한물산",
        "contact_name": "박지훈",
        "contact_email": "jihoon@saehan.co.kr",
        "product_interest": "ERP",
        "amount": "80000000",
        "close_date": TODAY + dt.timedelta(days=60),
        "evidence": "Two workshops with the IT team.",
    }
    values.update(extra)
    return services.submit_registration(actor=user, today=TODAY, **values)


def kinds(reg):
    return sorted((c["kind"], tuple(c["reasons"])) for c in reg.conflicts)


def test_the_same_customer_written_differently_is_a_conflict(channel, world):
    # world's account is "(주)한빛소프트" with BRN 220-81-62517; the partner writes it another way.
    reg = register(channel["paul"], customer="한빛소프트 주식회사")
    assert_audited(reg, "create", actor=channel["paul"])
    found = {c["kind"]: c for c in reg.conflicts}
    assert found["account"]["id"] == world["account"].pk
    assert "name" in found["account"]["reasons"]
    # the account's open opportunity is a conflict too
    assert found["opportunity"]["id"] == world["opportunity"].pk


def test_the_same_brn_is_a_conflict_whatever_the_name(channel, world):
    reg = register(channel["paul"], customer="HB Soft", brn="2208162517")
    account = next(c for c in reg.conflicts if c["kind"] == "account")
    assert account["reasons"] == ["brn"]
    assert reg.brn == "220-81-62517"


def test_an_open_lead_at_the_same_company_is_a_conflict(channel, world):
    reg = register(channel["paul"], customer="(주)새봄물산", contact_name="최유나", contact_email="")
    assert ("lead", ("same_company",)) in kinds(reg)


def test_another_partners_active_registration_is_a_conflict(channel):
    first = register(channel["paul"], customer="(주)새한물산")
    second = register(channel["dora"], customer="새한물산 주식회사")
    assert next(c for c in second.conflicts if c["kind"] == "registration")["id"] == first.pk
    # the same partner registering again is not another partner's claim
    third = register(channel["paul"], customer="새한물산")
    assert not [c for c in third.conflicts if c["kind"] == "registration" and c["id"] == first.pk]


def test_nothing_matches_a_new_customer(channel, world):
    assert register(channel["paul"], customer="가온바이오").conflicts == []


def test_bad_input_is_refused_and_nothing_saved(channel):
    with pytest.raises(ValidationError) as exc:
        register(channel["paul"], amount="-5")
    assert "amount" in exc.value.message_dict
    with pytest.raises(ValidationError):
        register(channel["paul"], brn="123-45-67890")
    with pytest.raises(ValidationError):
        register(channel["paul"], close_date=TODAY - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        register(channel["alice"])
    assert not Registration.objects.exists()


def test_approval_makes_a_protected_opportunity_stamped_with_the_partner(channel):
    reg = register(channel["paul"])
    approved = services.approve_registration(reg, actor=channel["pat"], owner=channel["alice"], today=TODAY)
    assert approved.status == Registration.Status.APPROVED
    assert approved.expires_on == TODAY + dt.timedelta(days=90)  # silver: 90 days
    assert_audited(approved, "update", actor=channel["pat"])
    deal = approved.opportunity
    assert deal.owner == channel["alice"]
    assert deal.amount == Decimal("80000000")
    link = OpportunityPartner.objects.get(opportunity=deal)
    assert (link.partner, link.sourced, link.registration) == (channel["nuri"], True, approved)
    # another partner's registration of the same customer cannot be approved while protected
    rival = register(channel["dora"], customer="새한물산 (주)")
    assert any(c["kind"] == "registration" and c.get("approved") for c in rival.conflicts)
    with pytest.raises(ServiceError):
        services.approve_registration(rival, actor=channel["pat"], today=TODAY + dt.timedelta(days=90))
    # after the protection period it can
    later = services.approve_registration(rival, actor=channel["pat"], today=TODAY + dt.timedelta(days=91))
    assert later.status == Registration.Status.APPROVED


def test_approval_rules_by_amount_and_tier(channel):
    # silver: a partner manager approves up to 100,000,000; above, a sales manager must.
    big = register(channel["paul"], amount="150000000")
    with pytest.raises(PermissionDenied):
        services.approve_registration(big, actor=channel["pat"], today=TODAY)
    with pytest.raises(PermissionDenied):
        services.approve_registration(big, actor=channel["alice"], today=TODAY)
    assert Registration.objects.get(pk=big.pk).status == Registration.Status.SUBMITTED
    # gold: the same amount is within the partner manager's limit (300,000,000)
    gold = register(channel["dora"], customer="가온바이오", contact_email="yuna@gaon.bio", amount="150000000")
    assert services.approve_registration(gold, actor=channel["pat"], today=TODAY).status == "approved"
    assert services.approve_registration(big, actor=channel["mina"], today=TODAY).status == "approved"
    with pytest.raises(ServiceError):
        services.approve_registration(big, actor=channel["mina"], today=TODAY)


def test_rejection_needs_a_reason_the_partner_sees(channel):
    reg = register(channel["paul"])
    with pytest.raises(ValidationError):
        services.reject_registration(reg, actor=channel["pat"], reason=" ")
    with pytest.raises(PermissionDenied):
        services.reject_registration(reg, actor=channel["alice"], reason="no")
    done = services.reject_registration(reg, actor=channel["pat"], reason="Our own team works this customer.")
    assert (done.status, done.reason) == ("rejected", "Our own team works this customer.")
    assert_audited(done, "update", actor=channel["pat"])


def test_expiry_ends_the_protection(channel):
    reg = services.approve_registration(register(channel["paul"]), actor=channel["pat"], today=TODAY)
    assert services.expire_registrations(today=reg.expires_on) == 0
    assert services.expire_registrations(today=reg.expires_on + dt.timedelta(days=1)) == 1
    reg.refresh_from_db()
    assert reg.status == Registration.Status.EXPIRED
    assert_audited(reg, "update")


def test_the_worker_task_expires_what_is_past_its_period(channel):
    # Approved a year ago: the longest protection (180 days, platinum) is over by now.
    a_year_ago = timezone.localdate() - dt.timedelta(days=365)
    reg = services.approve_registration(register(channel["paul"]), actor=channel["pat"], today=a_year_ago)
    assert reg.expires_on < timezone.localdate()
    assert tasks.expire_partner_registrations.call() == {"expired": 1}
    assert tasks.expire_partner_registrations.call() == {"expired": 0}
    reg.refresh_from_db()
    assert reg.status == Registration.Status.EXPIRED


def test_approval_into_a_lead_the_approver_chooses(channel):
    from baton.leads.models import Lead, LeadSource

    reg = register(channel["paul"], brn="")
    with pytest.raises(ValidationError):
        services.approve_registration(reg, actor=channel["pat"], into="account", today=TODAY)
    done = services.approve_registration(
        reg, actor=channel["pat"], owner=channel["alice"], into="lead", today=TODAY
    )
    assert (done.status, done.opportunity, done.expires_on) == (
        "approved",
        None,
        TODAY + dt.timedelta(days=90),
    )
    lead = Lead.objects.get()
    assert done.lead == lead
    assert (lead.owner, lead.source, lead.company, lead.name, lead.email) == (
        channel["alice"],
        LeadSource.PARTNER,
        "새한물산",
        "박지훈",
        "jihoon@saehan.co.kr",
    )
    assert "누리시스템" in lead.description and "Two workshops" in lead.description
    assert not OpportunityPartner.objects.exists()
    assert_audited(done, "update", actor=channel["pat"])
    # the protection holds the same for a lead: another partner cannot be approved meanwhile
    rival = register(channel["dora"], customer="(주)새한물산")
    with pytest.raises(ServiceError):
        services.approve_registration(rival, actor=channel["pat"], into="lead", today=TODAY)
    assert Lead.objects.count() == 1


def test_approval_into_a_lead_on_the_page_and_the_api(client, channel):
    from baton.core.tests.test_api_support import ApiClient
    from baton.leads.models import Lead

    pat = channel["pat"]
    first = register(channel["paul"])
    client.force_login(pat)
    page = client.get(f"/partners/registrations/{first.pk}/").content.decode()
    assert 'name="into"' in page
    bad = client.post(f"/partners/registrations/{first.pk}/approve/", {"owner": pat.pk, "into": "x"})
    assert bad.status_code == 200 and not Lead.objects.exists()
    done = client.post(f"/partners/registrations/{first.pk}/approve/", {"owner": pat.pk, "into": "lead"})
    assert done.status_code == 302
    first.refresh_from_db()
    assert first.lead is not None and first.opportunity is None
    assert first.lead.name in client.get(f"/partners/registrations/{first.pk}/").content.decode()

    second = register(channel["dora"], customer="가온바이오", contact_email="yuna@gaon.bio")
    api = ApiClient(pat)
    assert api.post(f"/partners/registrations/{second.pk}/approve", {"into": "deal"}).status_code == 422
    answer = api.post(f"/partners/registrations/{second.pk}/approve", {"into": "lead"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["lead_id"] == Lead.objects.get(company="가온바이오").pk
    assert answer.json()["opportunity_id"] is None


def test_a_registration_made_lead_stamps_its_partner_on_the_opportunity_it_converts_into(client, channel):
    """Converting the lead of a registration approved into a lead: the opportunity is partner-sourced
    (the same link an approval into an opportunity makes), the registration points at it, its
    protection period covers it, and the partner sees the deal in the portal."""
    from baton.core.tests.test_api_support import ApiClient
    from baton.leads.services import convert_lead

    alice, paul = channel["alice"], channel["paul"]
    reg = services.approve_registration(
        register(paul), actor=channel["pat"], owner=alice, into="lead", today=TODAY
    )
    _account, _contact, deal = convert_lead(reg.lead, actor=alice, amount=80_000_000)
    link = OpportunityPartner.objects.get(opportunity=deal)
    assert (link.partner, link.role, link.sourced, link.registration) == (
        channel["nuri"],
        "reseller",
        True,
        reg,
    )
    assert_audited(link, "create", actor=alice)
    reg.refresh_from_db()
    assert (reg.opportunity, reg.status, reg.expires_on) == (deal, "approved", TODAY + dt.timedelta(days=90))
    assert_audited(reg, "update", actor=alice, opportunity=deal.pk)
    # the rep sees the partner and the protection on the deal; the partner sees the deal in the portal
    client.force_login(alice)
    panel = client.get(f"/partners/deal/{deal.pk}/panel/").content.decode()
    assert "누리시스템" in panel and (TODAY + dt.timedelta(days=90)).isoformat() in panel
    assert [d["id"] for d in ApiClient(paul).get("/partners/portal/opportunities").json()] == [deal.pk]
    # another partner is still refused for the customer during the period
    rival = register(channel["dora"], customer="(주)새한물산")
    with pytest.raises(ServiceError):
        services.approve_registration(rival, actor=channel["pat"], today=TODAY)


def test_converting_an_ordinary_lead_stamps_no_partner(channel):
    from baton.leads.services import convert_lead, create_lead

    lead = create_lead(actor=channel["alice"], name="김하나", company="하나상사", email="hana@hana.kr")
    _account, _contact, deal = convert_lead(lead, actor=channel["alice"])
    assert not OpportunityPartner.objects.filter(opportunity=deal).exists()
