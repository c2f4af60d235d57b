"""Custom fields through the account and contact API: read (only what the caller may read), written
strictly (unknown, archived, ill-typed and not-yours keys are a 422 and nothing is saved), PATCH
changes only the keys sent, and the bulk API takes them the same way."""

from __future__ import annotations

from baton.accounts.models import Account, Contact
from baton.core.customfields import services as cf
from baton.core.models import Role
from baton.core.tests.test_api_support import ApiClient


def _define(root):
    tier = cf.create_field(
        actor=root,
        object="account",
        key="tier",
        label_ko="등급",
        label_en="Tier",
        type="choice",
        choices=[{"value": "gold", "label_ko": "골드"}, {"value": "silver", "label_ko": "실버"}],
    )
    seats = cf.create_field(
        actor=root, object="account", key="seats", label_ko="좌석 수", label_en="Seats", type="number",
        min_value=1,
    )  # fmt: skip
    margin = cf.create_field(
        actor=root,
        object="account",
        key="margin",
        label_ko="마진",
        label_en="Margin",
        type="percent",
        read_roles=[Role.SALES_MANAGER],
    )
    hobby = cf.create_field(
        actor=root, object="contact", key="hobby", label_ko="취미", label_en="Hobby", type="text"
    )
    birthday = cf.create_field(
        actor=root, object="contact", key="birthday", label_ko="생일", label_en="Birthday", type="date"
    )
    return tier, seats, margin, hobby, birthday


def test_account_custom_fields_read_and_write(personas, world):
    alice, dana, root = personas["alice"], personas["dana"], personas["root"]
    _define(root)
    api = ApiClient(alice)
    response = api.post(
        "/accounts", {"name": "(주)가온테크", "custom_fields": {"tier": "gold", "seats": "1,200"}}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["custom_fields"] == {"tier": "gold", "seats": 1200}
    account = Account.objects.get(pk=body["id"])
    assert account.custom_field_data == {"tier": "gold", "seats": 1200}

    # Strict: unknown keys, bad values, a field the rep may not edit; nothing saved.
    count = Account.objects.count()
    response = api.post(
        "/accounts",
        {"name": "(주)나쁜값", "custom_fields": {"tier": "bronze", "seats": 0, "nope": 1, "margin": 10}},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"cf_tier", "cf_seats", "cf_nope", "cf_margin"}
    assert errors["cf_nope"] == ["Unknown custom field."]
    assert Account.objects.count() == count
    response = api.post("/accounts", {"name": "(주)목록", "custom_fields": ["tier"]})
    assert response.status_code == 422

    # PATCH changes only the keys sent; null clears one.
    response = api.patch(
        f"/accounts/{account.pk}", {"version": account.version, "custom_fields": {"seats": None}}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["custom_fields"] == {"tier": "gold"}
    account.refresh_from_db()
    assert account.custom_field_data == {"tier": "gold"}
    response = api.patch(
        f"/accounts/{account.pk}", {"version": account.version, "custom_fields": {"seats": "many"}}
    )
    assert response.status_code == 422 and set(response.json()["errors"]) == {"cf_seats"}
    account.refresh_from_db()
    assert account.custom_field_data == {"tier": "gold"}

    # A manager sets the manager-only field; the rep never reads it, in the record or the list.
    manager = ApiClient(dana)
    response = manager.patch(
        f"/accounts/{account.pk}", {"version": account.version, "custom_fields": {"margin": 31.5}}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["custom_fields"] == {"tier": "gold", "margin": 31.5}
    assert api.get(f"/accounts/{account.pk}").json()["custom_fields"] == {"tier": "gold"}
    listed = {item["id"]: item["custom_fields"] for item in api.get("/accounts").json()["items"]}
    assert listed[account.pk] == {"tier": "gold"}
    # The rep's own PATCH of another key keeps the hidden value.
    account.refresh_from_db()
    response = api.patch(
        f"/accounts/{account.pk}", {"version": account.version, "custom_fields": {"tier": "silver"}}
    )
    assert response.status_code == 200, response.json()
    account.refresh_from_db()
    assert account.custom_field_data == {"tier": "silver", "margin": 31.5}


def test_contact_custom_fields_read_and_write(personas, world):
    alice, root = personas["alice"], personas["root"]
    _, _, _, hobby, _ = _define(root)
    api = ApiClient(alice)
    response = api.post(
        "/contacts",
        {
            "name": "박지훈",
            "account_id": world["account"].pk,
            "custom_fields": {"hobby": " 등산 ", "birthday": "1990-05-17"},
        },
    )
    assert response.status_code == 201, response.json()
    contact = Contact.objects.get(pk=response.json()["id"])
    assert contact.custom_field_data == {"hobby": "등산", "birthday": "1990-05-17"}
    assert response.json()["custom_fields"] == {"hobby": "등산", "birthday": "1990-05-17"}

    response = api.patch(
        f"/contacts/{contact.pk}", {"version": contact.version, "custom_fields": {"birthday": "1990-02-30"}}
    )
    assert response.status_code == 422 and set(response.json()["errors"]) == {"cf_birthday"}
    # An account's field is not a contact's.
    version = contact.version
    response = api.patch(f"/contacts/{contact.pk}", {"version": version, "custom_fields": {"tier": "gold"}})
    assert response.status_code == 422
    assert response.json()["errors"]["cf_tier"] == ["Unknown custom field."]
    # An archived field is refused by name and hidden on read; its value is kept.
    cf.archive_field(hobby, actor=root)
    response = api.patch(f"/contacts/{contact.pk}", {"version": version, "custom_fields": {"hobby": "x"}})
    assert response.status_code == 422
    assert response.json()["errors"]["cf_hobby"] == ["This field is archived."]
    assert api.get(f"/contacts/{contact.pk}").json()["custom_fields"] == {"birthday": "1990-05-17"}
    contact.refresh_from_db()
    assert contact.custom_field_data["hobby"] == "등산"


def test_bulk_api_takes_custom_fields(personas, world):
    alice, root = personas["alice"], personas["root"]
    _define(root)
    response = ApiClient(alice).post(
        "/integrations/bulk/accounts",
        {
            "source": "erp",
            "items": [
                {"external_id": "A-1", "name": "(주)벌크하나", "custom_fields": {"tier": "silver"}},
                {"external_id": "A-2", "name": "(주)벌크둘", "custom_fields": {"seats": -5}},
            ],
        },
    )
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert results[0]["status"] == "created"
    assert Account.objects.get(pk=results[0]["id"]).custom_field_data == {"tier": "silver"}
    assert results[1]["status"] == "error" and "cf_seats" in results[1]["errors"]
    assert not Account.objects.filter(name="(주)벌크둘").exists()
