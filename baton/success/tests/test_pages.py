"""Contract pages: from the deal page's panel to a contract, who sees what, pinned query counts, bad
input answered with field errors and nothing saved, the account's installed base panel."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from baton.accounts.services import update_account
from baton.success import services
from baton.success.models import Contract, ContractChange

pytestmark = pytest.mark.django_db

VISIBLE = {"alice": 200, "bob": 200, "charlie": 404, "mina": 200, "dana": 200, "root": 200}


@pytest.fixture
def contract(won_deal, alice):
    return services.create_contract_from_opportunity(
        won_deal, actor=alice, start_date=dt.date(2026, 1, 1), recurring_codes={"erp-seat"}
    )


def test_create_from_the_won_deal_through_the_deal_panel(client, won_deal, alice):
    client.force_login(alice)
    panel = client.get(f"/success/deal/{won_deal.pk}/panel/").content.decode()
    assert f'href="/success/deal/{won_deal.pk}/"' in panel and 'data-testid="contract-create"' in panel
    assert 'data-testid="contract-panel-loader"' in client.get(f"/deals/{won_deal.pk}/").content.decode()
    page = client.get(f"/success/deal/{won_deal.pk}/")
    assert page.status_code == 200 and page.context["form"].initial["recurring"] == []  # no yearly units
    bad = client.post(
        f"/success/deal/{won_deal.pk}/",
        {
            "start_date": "2026-02-01",
            "end_date": "2026-01-01",
            "notice_days": 30,
            "billing_frequency": "annual",
        },
    )
    assert bad.status_code == 400 and "end_date" in bad.context["form"].errors
    assert not Contract.objects.exists()
    response = client.post(
        f"/success/deal/{won_deal.pk}/",
        {
            "start_date": "2026-02-01",
            "end_date": "",
            "notice_days": 60,
            "billing_frequency": "quarterly",
            "auto_renew": "on",
            "recurring": ["erp-seat"],
        },
    )
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/success/contracts/{contract.pk}/"
    assert (contract.end_date, contract.notice_days, contract.auto_renew) == (dt.date(2027, 1, 31), 60, True)
    assert contract.arr == Decimal("699993.00")
    panel = client.get(f"/success/deal/{won_deal.pk}/panel/").content.decode()
    assert f"/success/contracts/{contract.pk}/" in panel
    # A second visit to the create page goes to the contract.
    assert client.get(f"/success/deal/{won_deal.pk}/")["Location"] == f"/success/contracts/{contract.pk}/"


def test_an_open_deal_offers_no_contract(client, world, alice):
    client.force_login(alice)
    panel = client.get(f"/success/deal/{world['opportunity'].pk}/panel/").content.decode()
    assert 'data-testid="contract-create"' not in panel


@pytest.mark.parametrize(("who", "status"), VISIBLE.items())
def test_contract_page_by_persona(client, personas, contract, who, status):
    client.force_login(personas[who])
    assert client.get(f"/success/contracts/{contract.pk}/").status_code == status
    listed = client.get("/success/").context["contracts"]
    assert (contract in listed) == (status == 200)


def test_the_accounts_csm_reads_and_amends(client, contract, alice, cara):
    client.force_login(cara)
    seat = contract.lines.get(product_code="erp-seat")
    data = {"kind": "upsell", "line": seat.pk, "quantity": "9", "effective_date": "2026-04-01"}
    # Customer success reads the account the won deal handed to it (The Model's hand-off), not to amend.
    assert client.post(f"/success/contracts/{contract.pk}/amend/", data).status_code in (400, 404)
    assert not ContractChange.objects.filter(kind="upsell").exists()
    update_account(contract.account, actor=alice, changes={"csm": cara}, expected_version=None)
    assert client.get(f"/success/contracts/{contract.pk}/").status_code == 200
    response = client.post(f"/success/contracts/{contract.pk}/amend/", data)
    assert response.status_code == 302
    assert ContractChange.objects.filter(contract=contract, kind="upsell", created_by=cara).count() == 1


def test_bad_amendment_through_the_page_is_400_with_nothing_saved(client, contract, alice):
    client.force_login(alice)
    seat = contract.lines.get(product_code="erp-seat")
    before = ContractChange.objects.count()
    response = client.post(
        f"/success/contracts/{contract.pk}/amend/",
        {"kind": "downsell", "line": seat.pk, "quantity": "9", "effective_date": "2026-04-01"},
    )
    assert response.status_code == 400 and "quantity" in response.context["amend_form"].errors
    response = client.post(
        f"/success/contracts/{contract.pk}/terminate/", {"effective_date": "2030-01-01", "reason": "x"}
    )
    assert response.status_code == 400 and "effective_date" in response.context["terminate_form"].errors
    assert ContractChange.objects.count() == before


def test_query_counts(client, contract, alice, django_assert_num_queries):
    services.amend(
        contract,
        actor=alice,
        kind="upsell",
        effective_date=dt.date(2026, 3, 1),
        line=contract.lines.get(product_code="erp-seat"),
        quantity=9,
    )
    client.force_login(alice)
    # session, user, teams, contract, changes (with lines and authors), lines, ARR today, renewals, amend
    # form's lines and products, history, the people it names, edit check (owner: none), and the account's
    # contacts the billing contact is chosen from (dunning)
    with django_assert_num_queries(12):
        client.get(f"/success/contracts/{contract.pk}/")
    # session, user, teams, contracts
    with django_assert_num_queries(4):
        client.get("/success/")
    # session, user, teams (visibility), the cache stamp (newest change row), movements, whether the
    # customer that starts in the period had ARR before (new or reactivated), ARR today, cohorts (MRR
    # today is ARR / 12); a warm page reads the three results from the cache
    with django_assert_num_queries(8):
        client.get("/success/revenue/")
    with django_assert_num_queries(4):
        client.get("/success/revenue/")


def test_installed_base_on_the_account_page(client, contract, alice, cat):
    client.force_login(alice)
    assert (
        'data-testid="installed-base-loader"'
        in client.get(f"/accounts/{contract.account_id}/").content.decode()
    )
    page = client.get(f"/success/accounts/{contract.account_id}/installed-base/").content.decode()
    assert 'data-testid="panel-installed-base"' in page
    assert contract.number in page and "ERP 사용자" in page
    # They own ERP; the cloud family is whitespace.
    assert "Cloud" in page.split('data-testid="panel-installed-base"')[1]


def test_renewals_page_and_outcome(client, contract, alice):
    renewal = services.open_renewal(contract)
    client.force_login(alice)
    page = client.get("/success/renewals/")
    assert page.status_code == 200
    response = client.post(f"/success/renewals/{renewal.pk}/outcome/", {"outcome": "churned", "reason": ""})
    assert response.status_code == 400
    seat = contract.lines.get(product_code="erp-seat")
    response = client.post(
        f"/success/renewals/{renewal.pk}/outcome/",
        {"outcome": "changed", f"qty_{seat.pk}": "10", "reason": "3석 추가"},
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.end_date == dt.date(2027, 12, 31)
    # 7 → 10 seats × 99,999 from 2027-01-01: ARR 999,990
    assert contract.arr == Decimal("999990.00")


def test_the_csm_home_lists_their_customers_renewals(client, contract, alice, cara):
    update_account(contract.account, actor=alice, changes={"csm": cara}, expected_version=None)
    client.force_login(cara)
    assert 'data-testid="csm-home-loader"' in client.get("/").content.decode()
    today = timezone.localdate()
    contract.end_date = today + dt.timedelta(days=40)
    contract.save(update_fields=["end_date"])
    page = client.get("/success/home/")
    assert [c.pk for c, _days in page.context["upcoming"]] == [contract.pk]
    # A renewal whose term ended undecided is flagged as missed.
    renewal = services.open_renewal(contract)
    Contract.objects.filter(pk=contract.pk).update(end_date=today - dt.timedelta(days=3))
    renewal.__class__.objects.filter(pk=renewal.pk).update(term_end=today - dt.timedelta(days=3))
    page = client.get("/success/home/")
    assert [r.pk for r in page.context["missed"]] == [renewal.pk]
    assert 'data-testid="csm-missed"' in page.content.decode()
    client.force_login(alice)
    assert 'data-testid="csm-home-loader"' not in client.get("/").content.decode()
