"""``seed_demo``: a complete, valid, audited demo world; idempotent; demo mode only."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import override_settings

from baton.accounts.models import Account, Contact
from baton.core.korean import is_valid_brn, normalize_company
from baton.core.models import ChangeLog, Role, User
from baton.deals.models import Opportunity, Stage
from baton.demo.base import make_brn
from baton.demo.people import DEMO_PASSWORD
from baton.leads.models import Lead, LeadInteraction, LeadStatus


def seed(*args):
    out = StringIO()
    call_command("seed_demo", "--scale", "0.3", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db):
    with override_settings(DEMO_MODE=True):
        yield seed()


def test_every_role_has_a_user_with_the_demo_password(demo):
    for role in Role.values:
        user = User.objects.filter(role=role).first()
        assert user is not None, role
        assert user.check_password(DEMO_PASSWORD)
        assert user.display_name and all("\uac00" <= ch <= "\ud7a3" for ch in user.display_name)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert "admin" in demo and DEMO_PASSWORD in demo
    # Teams have managers, and field sales teams sit under Sales so the sales manager sees them.
    ae1 = User.objects.get(username="ae1")
    assert ae1.team.manager == ae1 and ae1.team.parent.manager.username == "manager"


def test_business_registration_numbers_pass_the_checksum(demo):
    brns = list(Account.objects.values_list("brn", flat=True)) + list(
        Lead.objects.exclude(brn="").values_list("brn", flat=True)
    )
    assert len(brns) > 20
    assert all(is_valid_brn(brn) for brn in brns)
    names = list(Account.objects.values_list("name_key", flat=True))
    assert len(names) == len(set(names)), "account names are distinct companies"
    assert Contact.objects.exclude(email="").filter(email__contains="@").count() == Contact.objects.count()


def test_leads_in_every_status_and_conversions_link_to_accounts(demo):
    statuses = set(Lead.objects.values_list("status", flat=True))
    assert statuses == set(LeadStatus.values)
    assert not Lead.objects.filter(status=LeadStatus.DISQUALIFIED, disqualify_reason="").exists()
    converted = Lead.objects.filter(status=LeadStatus.CONVERTED)
    assert converted.exists()
    assert not converted.filter(converted_account__isnull=True).exists()
    assert not converted.filter(converted_contact__isnull=True).exists()
    assert not converted.filter(converted_at__lt=F("created_at")).exists()
    for lead in converted.select_related("converted_account"):
        assert normalize_company(lead.company) == lead.converted_account.name_key
    assert LeadInteraction.objects.count() >= Lead.objects.count() // 2


def test_opportunities_won_lost_no_decision_and_open_with_history(demo):
    outcomes = set(Opportunity.objects.values_list("stage__outcome", flat=True))
    assert outcomes == set(Stage.Outcome.values)
    sales = Opportunity.objects.filter(pipeline__is_default=True)  # renewals have a pipeline of their own
    open_keys = set(sales.filter(stage__outcome="open").values_list("stage__key", flat=True))
    assert open_keys == {"considering", "evaluating", "deciding", "purchasing"}
    lost = Opportunity.objects.filter(stage__outcome__in=["lost", "no_decision"])
    assert not lost.filter(lost_reason__isnull=True).exists()
    assert not Opportunity.objects.filter(stage__outcome="open", closed_at__isnull=False).exists()
    assert not Opportunity.objects.exclude(stage__outcome="open").filter(closed_at__isnull=True).exists()
    assert not Opportunity.objects.filter(closed_at__lt=F("created_at")).exists()
    # A seller's deal is a round figure; a renewal carries its contract's ARR (quoted discounts and
    # amendments leave that at any amount).
    for amount, currency in sales.values_list("amount", "currency"):
        if currency == "KRW":
            assert 5_000_000 <= amount <= 900_000_000 and amount % 10_000 == 0
    renewals = Opportunity.objects.filter(pipeline__is_default=False)
    assert renewals.exists() and not renewals.filter(amount__lte=0).exists()
    # A year of history, written through the services: every record has its audit rows.
    assert (
        ChangeLog.objects.filter(action=ChangeLog.Action.CONVERT).count()
        == Lead.objects.filter(status=LeadStatus.CONVERTED).count()
    )
    assert ChangeLog.objects.filter(action=ChangeLog.Action.MOVE).exists()
    span = (
        Lead.objects.order_by("created_at").first().created_at,
        Lead.objects.latest("created_at").created_at,
    )
    assert (span[1] - span[0]).days > 250


def test_second_run_is_a_no_op_and_reset_reseeds(demo):
    counts = (Account.objects.count(), Lead.objects.count(), ChangeLog.objects.count())
    with override_settings(DEMO_MODE=True):
        out = seed()
        assert "already exists" in out
        assert (Account.objects.count(), Lead.objects.count(), ChangeLog.objects.count()) == counts
        seed("--reset")
    assert (Account.objects.count(), Lead.objects.count()) == counts[:2]
    assert User.objects.filter(username="admin").count() == 1
    # --reset cleared The Model's rows too: every stay points at a record of the new world.
    from baton.process.models import StageHistory

    lead_ids = set(Lead.objects.values_list("id", flat=True))
    stay_leads = set(StageHistory.objects.filter(record_kind="lead").values_list("record_id", flat=True))
    assert stay_leads and stay_leads <= lead_ids
    assert StageHistory.objects.filter(record_kind="lead").count() <= 12 * len(lead_ids)


def test_a_year_of_process_history_dated_with_the_records(demo):
    import datetime as dt

    from django.db.models import Max, Min
    from django.utils import timezone

    from baton.process.metrics import flow_metrics
    from baton.process.models import HandOff, Method, Recycle, StageHistory

    now = timezone.now()
    stays = StageHistory.objects.all()
    assert not stays.filter(entered_at__gt=now).exists()
    assert not stays.filter(left_at__lt=F("entered_at")).exists()
    assert not stays.filter(dwell_seconds__lt=0).exists()
    span = stays.aggregate(first=Min("entered_at"), last=Max("entered_at"))
    assert span["last"] - span["first"] > dt.timedelta(days=300), "a year of history, not one afternoon"
    # A lead enters the process when it was created; a converted lead leaves it when it was converted.
    second = dt.timedelta(seconds=1)
    for lead in Lead.objects.all()[:80]:
        first = stays.filter(record_kind="lead", record_id=lead.pk).order_by("entered_at", "id").first()
        assert abs(first.entered_at - lead.created_at) <= second, lead
        if lead.converted_at:
            last = stays.filter(record_kind="lead", record_id=lead.pk).order_by("-entered_at", "-id").first()
            assert last.left_at is not None and abs(last.left_at - lead.converted_at) <= second
    # A closed deal's last stay starts when it closed.
    for opp in Opportunity.objects.filter(closed_at__isnull=False)[:40]:
        mine = stays.filter(record_kind="opportunity", record_id=opp.pk)
        last = mine.order_by("-entered_at", "-id").first()
        assert abs(last.entered_at - opp.closed_at) <= second, opp
    # Skips (override), regressions, recycles, rejected and accepted hand-offs, waiting ones.
    assert stays.filter(is_override=True).exists()
    assert stays.filter(method=Method.REJECTED).exists() and stays.filter(method=Method.HANDOFF).exists()
    assert Recycle.objects.exists()
    assert HandOff.objects.filter(status="rejected").exclude(reason_code="").exists()
    assert HandOff.objects.filter(status="pending").exists()
    order = {k: i for i, k in enumerate(["considering", "evaluating", "deciding", "purchasing"])}
    regressions = [
        (a, b)
        for a, b in stays.filter(record_kind="opportunity", to_stage__isnull=False).values_list(
            "stage__key", "to_stage__key"
        )
        if a in order and b in order and order[b] < order[a]
    ]
    assert regressions
    assert stays.filter(record_kind="account", stage__key="adoption").exists()
    # The factory floor over the last year shows meaningful numbers.
    metrics = flow_metrics(now - dt.timedelta(days=365), now)
    assert metrics.stage("mql").arrivals > 5 and metrics.stage("sql").arrivals > 0
    assert metrics.stage("accepted").handoffs_accepted > 0 and metrics.stage("accepted").handoffs_rejected > 0
    assert sum(m.sla_breaches for m in metrics.stages) > 0
    assert metrics.recycled > 0 and metrics.recycle_yield > 0
    assert metrics.stage("evaluating").dwell_median_days and metrics.stage("evaluating").dwell_median_days > 1


@pytest.mark.django_db
def test_refuses_outside_demo_mode():
    with override_settings(DEMO_MODE=False), pytest.raises(CommandError, match="demo mode"):
        seed()
    assert not User.objects.exists()


def test_refuses_to_mix_with_real_data(world):
    with override_settings(DEMO_MODE=True), pytest.raises(CommandError, match="not demo data"):
        seed()


def test_generated_brns_are_valid():
    import random

    rng = random.Random(1)
    assert all(
        is_valid_brn(make_brn(rng, kind))
        for kind in ("corp", "public", "nonprofit", "sole")
        for _ in range(200)
    )


def test_demo_channel_partners_registrations_and_the_partner_login(demo, client):
    from baton.partners.models import OpportunityPartner, Partner, Registration

    assert sorted(Partner.objects.values_list("tier", flat=True)) == ["gold", "registered", "silver"]
    statuses = set(Registration.objects.values_list("status", flat=True))
    assert {"approved", "submitted", "rejected"} <= statuses
    # the other partner's claim on the customer of an approved registration is shown as a conflict
    waiting = Registration.objects.get(customer="세움정밀 주식회사")
    assert any(c["kind"] == "registration" and c.get("approved") for c in waiting.conflicts)
    assert OpportunityPartner.objects.filter(sourced=True).exists()
    assert OpportunityPartner.objects.filter(role="si", opportunity__stage__outcome="won").exists()
    # the partner login lands on the portal and sees its organisation's deals only
    assert client.post("/login/", {"username": "partner", "password": DEMO_PASSWORD}).status_code == 302
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == "/portal/"
    assert "누리시스템" in home.content.decode()
    assert client.get("/deals/").status_code == 403
    # leads passed to the gold partner: one accepted, one offered; one in the shared pool
    from baton.partners.models import LeadPass

    gold = Partner.objects.get(tier="gold")
    assert sorted(LeadPass.objects.filter(partner=gold).values_list("status", flat=True)) == [
        "accepted",
        "offered",
    ]
    assert LeadPass.objects.filter(status="pool", partner=None).count() == 1
    leads = client.get("/portal/leads/").content.decode()
    assert "한강정밀" in leads and "청솔제약" in leads and "제주바이오텍" in leads
    # the gold partner's price list and file
    resources = client.get("/portal/resources/").content.decode()
    assert "골드 파트너 가격표" in resources and "파트너 제안 가이드" in resources
