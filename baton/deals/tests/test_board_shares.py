"""The board shows every deal the reader may read -- shared with them, or readable through an
organisation-wide default -- not only their teams' deals, with the move control only where they may
edit (core.records.can_edit)."""

from __future__ import annotations

from django.urls import reverse

from baton.accounts.services import create_account
from baton.core.models import RecordShare, ShareAccess, SharingDefault, SharingMode
from baton.core.records import can_edit, editable_ids
from baton.deals.models import Opportunity, Stage
from baton.deals.services import create_opportunity


def _board(client, user, query: str = "scope=all") -> str:
    client.force_login(user)
    response = client.get(reverse("deals:board") + "?" + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_board_shows_shared_deals_read_only_or_movable_by_the_share(client, personas, world):
    alice, charlie = personas["alice"], personas["charlie"]
    account = create_account(actor=charlie, name="새봄물산")
    theirs = create_opportunity(actor=charlie, name="찰리의 딜", account=account, amount=5_000_000)
    card = f'data-testid="card-{theirs.pk}"'

    # Charlie's team is not Alice's: not on her board.
    assert card not in _board(client, alice)

    # Shared to read: on the board (all scope, and the marked board), without a move control.
    share = RecordShare.objects.create(
        record_type="deals.opportunity", record_id=theirs.pk, user=alice, access=ShareAccess.READ
    )
    body = _board(client, alice)
    assert card in body and f'data-testid="readonly-card-{theirs.pk}"' in body
    assert f'data-testid="move-card-{theirs.pk}"' not in body
    assert f'data-testid="move-card-{world["opportunity"].pk}"' in body  # her own deal stays movable
    assert card in _board(client, alice, "scope=all&mark=any")
    assert card not in _board(client, alice, "scope=mine")
    # ... and a move posted anyway changes nothing.
    target = Stage.objects.get(pipeline__is_default=True, key="evaluating")
    response = client.post(
        reverse("deals:move", args=[theirs.pk]), {"stage": target.pk, "version": theirs.version}
    )
    assert response.status_code in (403, 404)
    assert Opportunity.objects.get(pk=theirs.pk).stage_id == theirs.stage_id

    # Shared to edit: movable.
    share.access = ShareAccess.EDIT
    share.save()
    body = _board(client, alice)
    assert f'data-testid="move-card-{theirs.pk}"' in body
    assert editable_ids(alice, [theirs, world["opportunity"]]) == {theirs.pk, world["opportunity"].pk}
    assert can_edit(alice, theirs)

    # A read-all default without a share: on the board, read only.
    share.delete()
    SharingDefault.objects.create(record_type="deals.opportunity", mode=SharingMode.READ_ALL)
    body = _board(client, alice)
    assert card in body and f'data-testid="move-card-{theirs.pk}"' not in body
    assert not can_edit(alice, theirs) and editable_ids(alice, [theirs]) == set()

    # Private: Alice's teammate Bob's deal leaves her board (and the marked board) too.
    bob_deal = create_opportunity(actor=personas["bob"], name="밥의 딜", account=world["account"], amount=1)
    assert f'data-testid="card-{bob_deal.pk}"' in _board(client, alice)
    SharingDefault.objects.filter(record_type="deals.opportunity").update(mode=SharingMode.PRIVATE)
    assert f'data-testid="card-{bob_deal.pk}"' not in _board(client, alice)
    assert f'data-testid="card-{bob_deal.pk}"' not in _board(client, alice, "scope=team&mark=any")
    assert card not in _board(client, alice)


def test_a_protected_amount_does_not_rank_the_board_cards(client, personas, world):
    """Largest first would rank the hidden amounts: the reader who may not see them gets close date order."""
    import datetime as dt

    from baton.core import fieldaccess
    from baton.core.models import FieldProtection

    alice = personas["alice"]
    account = world["account"]
    big = create_opportunity(
        actor=alice,
        name="큰 딜",
        account=account,
        amount=900_000_000,
        expected_close_date=dt.date(2027, 3, 2),
    )
    small = create_opportunity(
        actor=alice, name="작은 딜", account=account, amount=1_000, expected_close_date=dt.date(2027, 1, 1)
    )
    body = _board(client, alice)
    assert body.index(f'data-testid="card-{big.pk}"') < body.index(f'data-testid="card-{small.pk}"')
    FieldProtection.objects.create(model_label="deals.opportunity", field_name="amount", roles=[])
    fieldaccess.rules_changed()
    body = _board(client, alice)
    assert body.index(f'data-testid="card-{small.pk}"') < body.index(f'data-testid="card-{big.pk}"')
    marked = _board(client, alice, "scope=all&mark=any")
    assert marked.index(f'data-testid="card-{small.pk}"') < marked.index(f'data-testid="card-{big.pk}"')
    admin = _board(client, personas["root"])
    assert admin.index(f'data-testid="card-{big.pk}"') < admin.index(f'data-testid="card-{small.pk}"')
