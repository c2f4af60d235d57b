"""The merge page (side by side, a radio per field), its summary with undo, and the API operations."""

from __future__ import annotations

import pytest

from baton.accounts.models import Account, Contact, Merge
from baton.accounts.services import create_account, create_contact
from baton.core.tests.test_api_support import make_api


@pytest.fixture
def dup(world, alice):
    account = create_account(actor=alice, name="한빛소프트", phone="02-555-1234")
    create_contact(actor=alice, account=account, name="박지훈")
    return account


def test_merge_page_compares_side_by_side_and_merges_the_chosen_fields(client, world, dup, bob):
    kept = world["account"]
    client.force_login(bob)
    picker = client.get(f"/accounts/{kept.pk}/merge/")
    assert picker.status_code == 200 and 'data-testid="merge-pick"' in picker.content.decode()
    page = client.get(f"/accounts/{kept.pk}/merge/", {"other": dup.pk})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="merge-table"' in html
    # The kept record has no phone: the other's is preselected; its name stays the kept one's.
    assert 'name="field_phone" value="source" checked' in html
    assert 'name="field_name" value="target" checked' in html
    response = client.post(
        f"/accounts/{kept.pk}/merge/",
        {
            "other": dup.pk,
            "field_phone": "source",
            "field_name": "target",
            "target_version": kept.version,
            "source_version": dup.version,
        },
    )
    merge = Merge.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/accounts/merges/{merge.pk}/"
    kept.refresh_from_db()
    assert kept.phone == "+8225551234" and kept.contacts.count() == 2
    summary = client.get(response["Location"]).content.decode()
    assert 'data-testid="merge-undo"' in summary and "Contacts: 1" in summary
    undone = client.post(f"/accounts/merges/{merge.pk}/undo/")
    assert undone.status_code == 302
    assert not Account.objects.get(pk=dup.pk).is_archived
    assert 'data-testid="merge-undone"' in client.get(f"/accounts/merges/{merge.pk}/").content.decode()


def test_merge_pages_404_for_records_the_user_cannot_see(client, world, dup, charlie, alice):
    client.force_login(charlie)
    assert client.get(f"/accounts/{world['account'].pk}/merge/").status_code == 404
    mine = create_account(actor=charlie, name="찰리상사")
    # Someone else's account as the "other": not offered, a field error, nothing merged.
    refused = client.post(f"/accounts/{mine.pk}/merge/", {"other": dup.pk})
    assert refused.status_code == 400 and not Merge.objects.exists()
    client.force_login(alice)
    client.post(f"/accounts/{world['account'].pk}/merge/", {"other": dup.pk})
    merge = Merge.objects.get()
    client.force_login(charlie)
    assert client.get(f"/accounts/merges/{merge.pk}/").status_code == 404
    assert client.post(f"/accounts/merges/{merge.pk}/undo/").status_code == 404
    assert Merge.objects.get().undone_at is None


def test_contact_merge_page(client, world, alice):
    other = create_contact(actor=alice, name="Minjun Kim", email="mj@example.com")
    client.force_login(alice)
    page = client.get(f"/contacts/{world['contact'].pk}/merge/", {"other": other.pk})
    assert page.status_code == 200
    response = client.post(
        f"/contacts/{world['contact'].pk}/merge/", {"other": other.pk, "field_email": "source"}
    )
    assert response.status_code == 302
    assert Contact.objects.get(pk=world["contact"].pk).email == "mj@example.com"
    assert 'data-testid="merge-button"' in client.get(f"/contacts/{world['contact'].pk}/").content.decode()


def test_api_merge_and_undo(personas, world, dup):
    client = make_api(personas)("bob")
    kept = world["account"]
    response = client.post(
        f"/accounts/{kept.pk}/merge",
        {"source_id": dup.pk, "take_from_source": ["phone"], "version": kept.version},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["target_id"] == kept.pk and body["source_id"] == dup.pk
    assert body["moved"]["accounts.Contact.account_id"] == 1
    assert client.get(f"/accounts/{kept.pk}").json()["phone"] == "+8225551234"
    assert client.get(f"/merges/{body['id']}").json()["undone_at"] is None
    undo = client.post(f"/merges/{body['id']}/undo")
    assert undo.status_code == 200 and undo.json()["undone_at"] is not None
    assert client.post(f"/merges/{body['id']}/undo").status_code == 409
    assert client.get(f"/accounts/{dup.pk}").json()["is_archived"] is False


def test_api_merge_refusals(personas, world, dup, charlie):
    api = make_api(personas)
    kept = world["account"]
    assert api("charlie").post(f"/accounts/{kept.pk}/merge", {"source_id": dup.pk}).status_code == 404
    theirs = create_account(actor=charlie, name="찰리상사")
    hidden = api("alice").post(f"/accounts/{kept.pk}/merge", {"source_id": theirs.pk})
    assert hidden.status_code == 422 and "source_id" in hidden.json()["errors"]
    unknown = api("alice").post(
        f"/accounts/{kept.pk}/merge", {"source_id": dup.pk, "take_from_source": ["x"]}
    )
    assert unknown.status_code == 422
    stale = api("alice").post(
        f"/accounts/{kept.pk}/merge", {"source_id": dup.pk, "version": kept.version + 5}
    )
    assert stale.status_code == 409
    itself = api("alice").post(f"/accounts/{kept.pk}/merge", {"source_id": kept.pk})
    assert itself.status_code == 422
    assert not Merge.objects.exists()
