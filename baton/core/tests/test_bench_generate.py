"""The benchmark generator at a tiny scale: row counts, valid BRNs, derived fields as services set them."""

import pytest
from django.db.models import F

from baton.accounts.models import Account, Contact
from baton.core.korean import is_valid_brn, normalize_company, normalize_domain
from baton.core.models import Role, User
from bench.generate import Sizes, generate

SIZES = Sizes(leads=200, accounts=40, contacts=60, opportunities=40, users=20, teams=10, campaigns=5)


@pytest.fixture
def bench_world(db):
    lines = []
    report = generate(SIZES, seed=7, out=lines.append)
    return report, lines


def test_row_counts(bench_world):
    from baton.deals.models import Opportunity
    from baton.leads.models import Campaign, Lead

    report, lines = bench_world
    assert Lead.objects.count() == 200
    assert Account.objects.count() == 40
    assert Contact.objects.count() == 60
    assert Opportunity.objects.count() == 40
    assert Campaign.objects.count() == 5
    assert User.objects.filter(username__startswith="bench_").count() >= 20
    assert report.rows == 200 + 40 + 60 + 40 + 5
    assert any("rows/s" in line for line in lines)


def test_brns_valid_and_derived_fields_match_the_services(bench_world):
    from baton.deals.models import Opportunity
    from baton.leads.models import Lead

    assert all(is_valid_brn(b) for b in Account.objects.values_list("brn", flat=True))
    assert all(is_valid_brn(b) for b in Lead.objects.exclude(brn="").values_list("brn", flat=True))
    for account in Account.objects.all():
        assert account.name_key == normalize_company(account.name)
        assert account.domain == normalize_domain(account.website)
    for lead in Lead.objects.all():
        assert lead.company_key == normalize_company(lead.company)
    for model in (Account, Contact, Lead, Opportunity):
        assert not model.objects.exclude(team=F("owner__team")).exists(), model
    assert not Opportunity.objects.exclude(primary_contact__account=F("account")).exists()
    converted = Lead.objects.filter(status="converted")
    assert converted.exists()
    assert not converted.exclude(converted_contact__account=F("converted_account")).exists()
    assert not Opportunity.objects.exclude(stage__outcome="open").filter(closed_at__isnull=True).exists()
    assert {"open", "won", "lost", "no_decision"} <= set(
        Opportunity.objects.values_list("stage__outcome", flat=True)
    )


def test_org_and_ids_keep_working_after_the_load(bench_world):
    from baton.leads.services import create_lead

    rep = User.objects.filter(role=Role.FIELD_SALES, team__isnull=False).order_by("username").first()
    assert rep.team.manager is not None
    assert User.objects.get(username="bench_admin").is_admin
    # Sequences were moved past the explicit ids: a normal create does not collide.
    lead = create_lead(actor=rep, name="김민준", company="(주)한빛소프트")
    assert lead.pk > 200


def test_refuses_to_load_twice(bench_world):
    with pytest.raises(SystemExit):
        generate(SIZES, seed=7, out=lambda line: None)
