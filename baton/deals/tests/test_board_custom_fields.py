"""Custom fields an administrator marks "shown on board cards" appear on the deal cards, labelled, to
those who may read them; other fields and empty values do not."""

from baton.core.customfields import services as cf
from baton.core.models import Role
from baton.deals.services import update_opportunity


def test_board_cards_show_the_chosen_fields(client, personas, world):
    alice, dana, root = personas["alice"], personas["dana"], personas["root"]
    cf.create_field(
        actor=root, object="opportunity", key="budget", label_ko="예산", label_en="Budget", type="money",
        show_on_card=True,
    )  # fmt: skip
    cf.create_field(
        actor=root, object="opportunity", key="floor", label_ko="최저가", label_en="Floor price",
        type="number", show_on_card=True, read_roles=[Role.SALES_MANAGER],
    )  # fmt: skip
    cf.create_field(
        actor=root, object="opportunity", key="memo", label_ko="메모", label_en="Memo", type="text"
    )
    cf.create_field(
        actor=root, object="opportunity", key="pilot", label_ko="파일럿", label_en="Pilot", type="boolean",
        show_on_card=True,
    )  # fmt: skip
    opp = world["opportunity"]
    update_opportunity(
        opp,
        actor=dana,
        changes={
            "custom_field_data": {
                "budget": {"amount": 150_000_000, "currency": "KRW"},
                "floor": 99_000_000,
                "memo": "카드에 없음",
            }
        },
        expected_version=None,
    )
    client.force_login(alice)
    body = client.get("/deals/board/?scope=all").content.decode()
    assert f'data-testid="card-fields-{opp.pk}"' in body
    assert "Budget</dt> <dd" in body and "₩150,000,000" in body
    assert "Floor price" not in body and "99000000" not in body  # manager-only
    assert "카드에 없음" not in body  # not chosen for cards
    assert "Pilot" not in body  # empty
    client.force_login(dana)
    body = client.get("/deals/board/?scope=all").content.decode()
    assert "Floor price</dt> <dd" in body and "99000000" in body
