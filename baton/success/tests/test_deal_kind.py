"""The kind badge of a deal opened from an existing customer: an expansion deal from the whitespace
panel says "Expansion" and a renewal deal says "Renewal", on the board's card and on the deal page; a
new-business deal says nothing. The badges of a whole board cost the same two queries."""

import datetime as dt

import pytest

from baton.deals import board_marks
from baton.deals.services import create_opportunity
from baton.success import services
from baton.success.expansion import services as expansion

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(won_deal, alice):
    return services.create_contract_from_opportunity(
        won_deal,
        actor=alice,
        start_date=dt.date.today() - dt.timedelta(days=30),
        recurring_codes={"erp-seat"},
    )


def test_expansion_and_renewal_deals_carry_their_badge(
    client, contract, world, alice, cat, django_assert_max_num_queries
):
    deal = expansion.open_expansion(
        actor=alice, account=world["account"], family=cat["families"]["cloud"], today=dt.date.today()
    )
    renewal = services.open_renewal(contract)
    plain = create_opportunity(actor=alice, name="신규 영업", account=world["account"], amount=1_000_000)
    assert plain.pipeline_id == deal.pipeline_id
    with django_assert_max_num_queries(2):
        badges = board_marks.kind_badges([deal.pk, renewal.opportunity_id, plain.pk])
    assert badges == {deal.pk: [("expansion", "Expansion")], renewal.opportunity_id: [("renewal", "Renewal")]}
    client.force_login(alice)
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert 'data-testid="deal-kind" data-kind="expansion">Expansion</span>' in page
    assert 'data-testid="deal-kind"' not in client.get(f"/deals/{plain.pk}/").content.decode()
    board = client.get(f"/deals/board/?pipeline={deal.pipeline_id}").content.decode()
    assert f'data-testid="card-kind-{deal.pk}" data-kind="expansion">Expansion</span>' in board
    assert f'data-testid="card-kind-{plain.pk}"' not in board
    renewals = client.get(f"/deals/board/?pipeline={renewal.opportunity.pipeline_id}").content.decode()
    assert f'data-testid="card-kind-{renewal.opportunity_id}" data-kind="renewal">Renewal</span>' in renewals
