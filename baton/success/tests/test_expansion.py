"""Expansion deals from the whitespace of the installed base: the account owns ERP (a contract from the
won deal's ERP core and seats), so 클라우드 is whitespace; its button opens a deal in the sales pipeline
with one 클라우드 표준 line at the list price 1,500,000 (amount 1,500,000 × 1), the installed base in the
description, marked as expansion; once, while it is open."""

import datetime as dt

import pytest

from baton.core.tests.test_api_support import ApiClient
from baton.deals.models import LineItem, Opportunity
from baton.deals.services import default_pipeline
from baton.success import services
from baton.success.expansion.models import ExpansionDeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(won_deal, alice):
    return services.create_contract_from_opportunity(
        won_deal,
        actor=alice,
        start_date=dt.date.today() - dt.timedelta(days=30),
        recurring_codes={"erp-seat"},
    )


def test_whitespace_button_opens_an_expansion_deal_once(client, contract, world, alice, charlie, cat):
    account = world["account"]
    client.force_login(alice)
    panel = client.get(f"/success/accounts/{account.pk}/installed-base/").content.decode()
    cloud = cat["families"]["cloud"]
    assert panel.count('data-testid="open-expansion"') == 1 and f'name="family" value="{cloud.pk}"' in panel
    before = Opportunity.objects.count()
    response = client.post(
        f"/success/accounts/{account.pk}/expansion/", {"family": cat["families"]["cloud"].pk}
    )
    assert response.status_code == 302
    deal = Opportunity.objects.order_by("-id").first()
    assert response["Location"] == f"/deals/{deal.pk}/"
    assert Opportunity.objects.count() == before + 1
    assert (deal.account, deal.owner, deal.pipeline, deal.amount) == (
        account,
        alice,
        default_pipeline(),
        1_500_000,
    )
    assert not deal.stage.is_closed
    assert [
        (li.product.code, li.quantity, li.list_price) for li in LineItem.objects.filter(opportunity=deal)
    ] == [("cloud-std", 1, 1_500_000)]
    assert "ERP 사용자 × 7" in deal.description and contract.number in deal.description
    mark = ExpansionDeal.objects.get(opportunity=deal)
    assert (mark.kind, mark.family, mark.account) == ("expansion", cat["families"]["cloud"], account)
    # Visible in the pipeline.
    assert deal.name in client.get("/deals/").content.decode()
    # Again while it is open: refused, nothing made.
    again = client.post(
        f"/success/accounts/{account.pk}/expansion/", {"family": cat["families"]["cloud"].pk}, follow=True
    )
    assert "이미" in again.content.decode() or "already open" in again.content.decode()
    assert Opportunity.objects.count() == before + 1
    # Someone who cannot see the account cannot open one; a bad family id is a 400.
    assert client.post(f"/success/accounts/{account.pk}/expansion/", {"family": "x"}).status_code == 400
    client.force_login(charlie)
    assert (
        client.post(
            f"/success/accounts/{account.pk}/expansion/", {"family": cat["families"]["cloud"].pk}
        ).status_code
        == 404
    )
    assert Opportunity.objects.count() == before + 1


def test_upsell_through_the_api(contract, world, alice, charlie, cat):
    account = world["account"]
    api = ApiClient(alice)
    made = api.post(
        f"/success/accounts/{account.pk}/expansion",
        {"family_id": cat["families"]["erp"].pk, "kind": "upsell", "quantity": "3"},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    # The ERP family's first priced product by code is erp-core (10,000,000): × 3 = 30,000,000.
    assert (body["kind"], body["family_id"], float(body["amount"])) == (
        "upsell",
        cat["families"]["erp"].pk,
        30_000_000,
    )
    assert ExpansionDeal.objects.get(opportunity_id=body["opportunity_id"]).kind == "upsell"
    assert (
        api.post(
            f"/success/accounts/{account.pk}/expansion", {"family_id": cat["families"]["erp"].pk}
        ).status_code
        == 422
    )
    assert api.post(f"/success/accounts/{account.pk}/expansion", {"family_id": 10**9}).status_code == 422
    assert (
        api.post(
            f"/success/accounts/{account.pk}/expansion",
            {"family_id": cat["families"]["cloud"].pk, "quantity": "0"},
        ).status_code
        == 422
    )
    assert (
        ApiClient(charlie)
        .post(f"/success/accounts/{account.pk}/expansion", {"family_id": cat["families"]["cloud"].pk})
        .status_code
        == 404
    )
