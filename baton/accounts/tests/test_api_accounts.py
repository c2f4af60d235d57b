"""Accounts and contacts through the API."""

from __future__ import annotations

import pytest

from baton.accounts.models import Account, Contact
from baton.accounts.services import create_account, create_contact
from baton.core.models import ChangeLog
from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import errors_of, make_api


@pytest.fixture
def api(personas):
    return make_api(personas)


def test_create_account_normalises_and_audits(api, alice):
    response = api("alice").post(
        "/accounts",
        {
            "name": "(주)다온솔루션",
            "brn": "2208162517",
            "website": "https://www.daon.co.kr/about",
            "industry": "it",
            "region": "seoul",
            "size": "50-299",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["brn"] == "220-81-62517"
    assert body["domain"] == "daon.co.kr"
    assert body["owner"] == {"id": alice.pk, "name": "Alice"}
    assert body["parent"] is None
    assert body["is_archived"] is False
    assert ChangeLog.objects.filter(action="create", object_id=body["id"], actor=alice).exists()


def test_account_input_is_validated(api):
    client = api("alice")
    assert "brn" in errors_of(client.post("/accounts", {"name": "x", "brn": "220-81-62518"}))
    assert "industry" in errors_of(client.post("/accounts", {"name": "x", "industry": "mining"}))
    assert "website" in errors_of(client.post("/accounts", {"name": "x", "website": "http://" + "a" * 150}))
    assert "name" in errors_of(client.post("/accounts", {"name": "x" * 201}))
    assert "parent_id" in errors_of(client.post("/accounts", {"name": "x", "parent_id": "1"}))
    assert Account.objects.count() == 0


def test_patch_account_and_parent_cycles(api, world):
    account = world["account"]
    client = api("bob")
    child = client.post("/accounts", {"name": "한빛소프트 부산지사", "parent_id": account.pk}).json()
    assert child["parent"] == {"id": account.pk, "name": "(주)한빛소프트"}
    response = client.patch(f"/accounts/{account.pk}", {"version": account.version, "parent_id": child["id"]})
    assert "parent_id" in errors_of(response)
    response = client.patch(
        f"/accounts/{account.pk}", {"version": account.version, "address": "서울시 마포구"}
    )
    assert response.status_code == 200
    assert response.json()["address"] == "서울시 마포구"
    stale = client.patch(f"/accounts/{account.pk}", {"version": account.version, "address": "부산"})
    assert stale.status_code == 409


def test_delete_archives_the_account(api, world, bob):
    account = world["account"]
    client = api("bob")
    assert client.delete(f"/accounts/{account.pk}", f"?version={account.version + 3}").status_code == 409
    response = client.delete(f"/accounts/{account.pk}")
    assert response.status_code == 204
    account.refresh_from_db()
    assert account.is_archived
    assert_audited(account, "archive", actor=bob)
    # Still readable, but gone from the default list; archived=true finds it.
    assert client.get(f"/accounts/{account.pk}").json()["is_archived"] is True
    assert account.pk not in {a["id"] for a in client.walk("/accounts")}
    assert account.pk in {a["id"] for a in client.walk("/accounts", {"archived": "true"})}
    # New work cannot point at an archived account.
    response = client.post("/opportunities", {"name": "x", "account_id": account.pk})
    assert "account_id" in errors_of(response)


def test_create_and_patch_contacts(api, world, alice):
    client = api("alice")
    response = client.post(
        "/contacts",
        {
            "name": "정하은",
            "account_id": world["account"].pk,
            "email": "HAEUN@hanbit.co.kr",
            "buyer_role": "champion",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["account"] == {"id": world["account"].pk, "name": "(주)한빛소프트"}
    assert body["email"] == "haeun@hanbit.co.kr"
    assert body["buyer_role"] == "champion"
    response = client.patch(
        f"/contacts/{body['id']}", {"version": 1, "account_id": None, "mobile": "01011112222"}
    )
    assert response.status_code == 200
    assert response.json()["account"] is None
    assert response.json()["mobile"] == "+821011112222"  # stored as E.164
    assert "buyer_role" in errors_of(
        client.patch(f"/contacts/{body['id']}", {"version": 2, "buyer_role": "boss"})
    )
    assert "email" in errors_of(client.post("/contacts", {"name": "x", "email": "x@"}))
    assert "version" in errors_of(client.patch(f"/contacts/{body['id']}", {"version": "2"}))


def test_delete_archives_the_contact(api, world, alice):
    contact = world["contact"]
    assert api("alice").delete(f"/contacts/{contact.pk}").status_code == 204
    contact.refresh_from_db()
    assert contact.is_archived
    assert_audited(contact, "archive")
    assert contact.pk not in {c["id"] for c in api("alice").walk("/contacts")}


@pytest.fixture
def many(alice, bob):
    accounts = [create_account(actor=alice if i % 2 else bob, name=f"회사{i % 3}") for i in range(9)]
    contacts = [create_contact(actor=alice, name=f"사람{i % 2}", account=accounts[i % 9]) for i in range(8)]
    return accounts, contacts


@pytest.mark.parametrize("ordering", ["name", "-name", "created", "-created", "updated", "-updated"])
def test_account_and_contact_pagination_walks_every_row_once(api, many, ordering):
    accounts, contacts = many
    client = api("bob")
    ids = [a["id"] for a in client.walk("/accounts", {"ordering": ordering, "limit": 2})]
    assert sorted(ids) == sorted(a.pk for a in accounts)
    assert len(ids) == len(set(ids))
    ids = [c["id"] for c in client.walk("/contacts", {"ordering": ordering, "limit": 3})]
    assert sorted(ids) == sorted(c.pk for c in contacts)
    assert len(ids) == len(set(ids))


def test_contact_filters(api, many):
    accounts, contacts = many
    client = api("alice")
    found = client.walk("/contacts", {"account": accounts[0].pk})
    assert {c["id"] for c in found} == {c.pk for c in contacts if c.account_id == accounts[0].pk}
    assert "account" in errors_of(client.get("/contacts", {"account": "abc"}))
    assert "archived" in errors_of(client.get("/contacts", {"archived": "maybe"}))


def test_account_list_query_count_is_constant(api, many, django_assert_max_num_queries):
    client = api("alice")
    client.get("/me")
    with django_assert_max_num_queries(3):
        assert len(client.get("/accounts").json()["items"]) == 9
    with django_assert_max_num_queries(3):
        assert len(client.get("/contacts").json()["items"]) == 8


def test_contacts_output_every_field(api, world):
    body = api("alice").get(f"/contacts/{world['contact'].pk}").json()
    expected = {
        "id", "account", "name", "title", "department", "buyer_role", "email", "phone", "mobile", "notes",
        "is_archived", "owner", "team_id", "version", "created_at", "updated_at", "custom_fields",
    }  # fmt: skip
    assert set(body) == expected
    assert Contact.objects.get(pk=body["id"]).version == body["version"]
