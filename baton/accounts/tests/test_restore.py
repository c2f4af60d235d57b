"""Archived accounts and contacts are listed (the "archived" filter) and restored by those who may edit
them, through the service (audited), on the pages and in the API; others get 404 (cannot see it) or 403
(may read but not edit)."""

from __future__ import annotations

import pytest
from django.test import Client

from baton.accounts.models import Account, Contact
from baton.accounts.services import archive_account, archive_contact, create_account, create_contact
from baton.core.models import ChangeLog, Role, User
from baton.core.tests.test_api_support import make_api
from conftest import PASSWORD


@pytest.fixture
def archived(personas):
    alice = personas["alice"]
    cara = User.objects.create_user(
        "cara", password=PASSWORD, role=Role.CUSTOMER_SUCCESS, team=personas["teams"]["fs2"]
    )
    account = create_account(actor=alice, name="보관상사", csm=cara)
    contact = create_contact(actor=alice, name="정보관", account=account)
    archive_contact(contact, actor=alice)
    archive_account(account, actor=alice)
    account.refresh_from_db()
    contact.refresh_from_db()
    return {"account": account, "contact": contact, "cara": cara}


@pytest.fixture
def api(personas, archived):
    return make_api({**personas, "cara": archived["cara"]})


@pytest.mark.parametrize("kind", ["account", "contact"])
def test_api_lists_archived_and_the_owner_restores_with_an_audit_row(api, archived, kind):
    record = archived[kind]
    plural = f"/{kind}s"
    assert record.pk not in [r["id"] for r in api("alice").get(plural).json()["items"]]
    listed = api("alice").get(plural, {"archived": "true"}).json()["items"]
    assert [r["id"] for r in listed] == [record.pk]

    response = api("alice").post(f"{plural}/{record.pk}/restore")
    assert response.status_code == 200, response.content
    assert response.json()["is_archived"] is False
    record.refresh_from_db()
    assert not record.is_archived
    row = ChangeLog.objects.filter(object_id=record.pk, note="restore").get()
    assert row.actor.username == "alice"
    assert row.before == {"is_archived": True} and row.after == {"is_archived": False}
    assert record.pk in [r["id"] for r in api("alice").get(plural).json()["items"]]

    # Restoring what is not archived is refused without a write.
    again = api("alice").post(f"{plural}/{record.pk}/restore")
    assert again.status_code == 409 and "not archived" in again.json()["detail"]


@pytest.mark.parametrize("kind", ["account", "contact"])
def test_api_outsider_gets_404_and_reader_only_403(api, archived, kind):
    record = archived[kind]
    path = f"/{kind}s/{record.pk}/restore"
    assert api("charlie").post(path).status_code == 404
    assert api("cara").get(f"/{kind}s/{record.pk}").status_code == 200  # the CSM reads it …
    forbidden = api("cara").post(path)
    assert forbidden.status_code == 403  # … but may not change it
    assert api("alice").post(f"{path}?version=999").status_code == 409  # a stale version
    record.refresh_from_db()
    assert record.is_archived
    assert not ChangeLog.objects.filter(object_id=record.pk, note="restore").exists()
    # A manager of alice's team may edit her records, so may restore them.
    assert api("dana").post(path).status_code == 200


def test_pages_list_archived_and_restore_per_persona(personas, archived):
    account, contact, cara = archived["account"], archived["contact"], archived["cara"]

    def browser(user):
        client = Client()
        client.force_login(user)
        return client

    alice = browser(personas["alice"])
    assert "보관상사" not in alice.get("/accounts/?archived=false").content.decode()
    assert "보관상사" in alice.get("/accounts/?archived=true").content.decode()
    detail = alice.get(f"/accounts/{account.pk}/").content.decode()
    assert 'data-testid="restore-button"' in detail

    assert browser(personas["charlie"]).post(f"/accounts/{account.pk}/restore/").status_code == 404
    assert browser(cara).post(f"/accounts/{account.pk}/restore/").status_code == 403
    assert browser(cara).post(f"/contacts/{contact.pk}/restore/").status_code == 403
    account.refresh_from_db()
    assert account.is_archived

    response = alice.post(f"/accounts/{account.pk}/restore/", {"version": account.version})
    assert response.status_code == 302 and response["Location"] == f"/accounts/{account.pk}/"
    assert not Account.objects.get(pk=account.pk).is_archived
    assert 'data-testid="restore-button"' not in alice.get(f"/accounts/{account.pk}/").content.decode()
    response = alice.post(f"/contacts/{contact.pk}/restore/", {"version": contact.version})
    assert response.status_code == 302
    assert not Contact.objects.get(pk=contact.pk).is_archived
    assert ChangeLog.objects.filter(note="restore", actor=personas["alice"]).count() == 2
