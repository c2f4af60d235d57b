"""Account and contact pages: personas, query counts, the 360° page, forms, conflicts, lookups."""

from __future__ import annotations

import pytest

from baton.accounts.models import Account, Contact
from baton.accounts.services import create_account, create_contact
from baton.core.testing import audit_rows

pytestmark = pytest.mark.django_db

VISIBLE = {"alice": 200, "bob": 200, "charlie": 404, "mina": 200, "dana": 200, "root": 200}


@pytest.mark.parametrize(("who", "status"), VISIBLE.items())
def test_account_detail_by_persona(client, personas, world, who, status):
    client.force_login(personas[who])
    assert client.get(f"/accounts/{world['account'].pk}/").status_code == status
    assert client.get(f"/accounts/{world['account'].pk}/edit/").status_code == status


@pytest.mark.parametrize(("who", "status"), VISIBLE.items())
def test_contact_detail_by_persona(client, personas, world, who, status):
    client.force_login(personas[who])
    assert client.get(f"/contacts/{world['contact'].pk}/").status_code == status
    assert client.get(f"/contacts/{world['contact'].pk}/edit/").status_code == status


@pytest.mark.parametrize(("who", "status"), VISIBLE.items())
def test_account_and_contact_lists_by_persona(client, personas, world, who, status):
    client.force_login(personas[who])
    accounts = client.get("/accounts/")
    contacts = client.get("/contacts/")
    assert accounts.status_code == contacts.status_code == 200
    assert (world["account"].pk in [a.pk for a in accounts.context["page"].items]) == (status == 200)
    assert (world["contact"].pk in [c.pk for c in contacts.context["page"].items]) == (status == 200)


def test_account_list_query_count(client, alice, world, django_assert_num_queries):
    for i in range(20):
        create_account(actor=alice, name=f"회사 {i}", industry="it")
    client.force_login(alice)
    # session, user, teams, count, page (owner joined), owner filter choices
    with django_assert_num_queries(6):
        response = client.get("/accounts/?industry=it")
    assert len(response.context["page"].items) == 20
    # A search also reads the custom field schema's revision once (searchable custom fields the
    # reader may read are searched too: core.customfields.search).
    with django_assert_num_queries(6):
        client.get("/accounts/?search=회사", headers={"HX-Request": "true"})


def test_contact_list_query_count(client, alice, world, django_assert_num_queries):
    for i in range(20):
        create_contact(actor=alice, account=world["account"], name=f"사람 {i}")
    client.force_login(alice)
    with django_assert_num_queries(6):
        response = client.get("/contacts/")
    assert len(response.context["page"].items) == 21
    assert "(주)한빛소프트" in response.content.decode()


def test_account_360_page(client, alice, bob, charlie, world, django_assert_num_queries):
    from baton.deals.models import LostReason, Stage
    from baton.deals.services import create_opportunity, move_opportunity
    from baton.leads.services import convert_lead

    account = world["account"]
    subsidiary = create_account(actor=alice, name="한빛클라우드", parent=account)
    create_account(actor=charlie, name="남의 자회사", parent=account)  # invisible to alice
    lost = create_opportunity(actor=alice, name="한빛 보안", account=account, amount=5_000_000)
    move_opportunity(
        lost,
        actor=alice,
        stage=Stage.objects.get(key="lost"),
        expected_version=lost.version,
        lost_reason=LostReason.objects.first(),
    )
    won = create_opportunity(
        actor=alice, name="한빛 유지보수", account=account, amount=7_000_000, currency="USD"
    )
    move_opportunity(won, actor=alice, stage=Stage.objects.get(key="won"), expected_version=won.version)
    convert_lead(world["lead"], actor=alice, account=account, create_opportunity_too=False)
    client.force_login(alice)
    # session, user, teams, account, opportunities, contacts, leads, subsidiaries, history,
    # delivery projects (the panel baton.delivery adds), automation runs (baton.automation's panel)
    with django_assert_num_queries(11):
        response = client.get(f"/accounts/{account.pk}/")
    body = response.content.decode()
    assert "220-81-62517" in body
    for testid in (
        "panel-contacts",
        "panel-opportunities",
        "panel-leads",
        "panel-hierarchy",
        "panel-delivery-projects",
        "history",
    ):
        assert f'data-testid="{testid}"' in body
    assert "김민준" in body and "이서연" in body  # contact twice: existing + converted
    assert "한빛 ERP 교체" in body and "한빛 보안" in body and "한빛 유지보수" in body
    assert "₩120,000,000" in body and "$7,000,000.00" in body
    assert subsidiary.name in body and "남의 자회사" not in body
    assert [o.name for o in response.context["closed_opportunities"]] == ["한빛 유지보수", "한빛 보안"]


def test_create_account_and_field_errors(client, alice):
    client.force_login(alice)
    bad = client.post("/accounts/new/", {"name": "", "brn": "123-45-67890", "owner": alice.pk})
    assert bad.status_code == 400
    assert "name" in bad.context["form"].errors
    bad_brn = client.post("/accounts/new/", {"name": "테스트", "brn": "123-45-67890", "owner": alice.pk})
    assert bad_brn.status_code == 400
    assert "brn" in bad_brn.context["form"].errors
    assert not Account.objects.filter(name="테스트").exists()
    ok = client.post(
        "/accounts/new/",
        {"name": "테스트", "brn": "2208162517", "website": "https://t.kr", "owner": alice.pk},
    )
    assert ok.status_code == 302
    account = Account.objects.get(name="테스트")
    assert account.brn == "220-81-62517" and account.domain == "t.kr"


def test_account_parent_choices_are_limited_to_visible_accounts(client, alice, charlie, world):
    foreign = create_account(actor=charlie, name="남의 회사")
    client.force_login(alice)
    response = client.post(
        f"/accounts/{world['account'].pk}/edit/",
        {
            "name": "(주)한빛소프트",
            "brn": "220-81-62517",
            "website": "https://www.hanbit.co.kr",
            "owner": alice.pk,
            "parent": foreign.pk,
            "version": world["account"].version,
        },
    )
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors
    # an account cannot be its own parent
    response = client.post(
        f"/accounts/{world['account'].pk}/edit/",
        {
            "name": "(주)한빛소프트",
            "owner": alice.pk,
            "parent": world["account"].pk,
            "version": world["account"].version,
        },
    )
    assert response.status_code == 400


def test_edit_account_conflict(client, alice, bob, world):
    account = world["account"]
    data = {
        "name": "(주)한빛소프트",
        "brn": "220-81-62517",
        "website": "https://www.hanbit.co.kr",
        "owner": alice.pk,
        "industry": "it",
        "version": account.version,
    }
    client.force_login(alice)
    assert client.post(f"/accounts/{account.pk}/edit/", data).status_code == 302
    client.force_login(bob)
    conflict = client.post(f"/accounts/{account.pk}/edit/", {**data, "industry": "finance"})
    assert conflict.status_code == 409
    assert "changed by someone else" in conflict.content.decode()
    account.refresh_from_db()
    assert account.industry == "it"


def test_outsider_cannot_edit_account_or_contact(client, charlie, world):
    client.force_login(charlie)
    account, contact = world["account"], world["contact"]
    assert client.post(f"/accounts/{account.pk}/edit/", {"name": "x", "owner": charlie.pk}).status_code == 404
    assert client.post(f"/contacts/{contact.pk}/edit/", {"name": "x", "owner": charlie.pk}).status_code == 404
    account.refresh_from_db()
    assert account.name == "(주)한빛소프트"


def test_contact_detail_query_count(client, alice, world, django_assert_num_queries):
    client.force_login(alice)
    # session, user, teams, contact, opportunities, history, automation runs (baton.automation's panel)
    with django_assert_num_queries(7):
        response = client.get(f"/contacts/{world['contact'].pk}/")
    body = response.content.decode()
    assert "minjun@hanbit.co.kr" in body and "한빛 ERP 교체" in body


def test_create_and_edit_contact(client, alice, charlie, world):
    foreign = create_account(actor=charlie, name="남의 회사")
    client.force_login(alice)
    page = client.get(f"/contacts/new/?account={world['account'].pk}")
    assert "(주)한빛소프트" in page.content.decode()  # the chosen account is the only option rendered
    refused = client.post("/contacts/new/", {"name": "박", "account": foreign.pk, "owner": alice.pk})
    assert refused.status_code == 400
    assert "account" in refused.context["form"].errors
    ok = client.post(
        "/contacts/new/",
        {
            "name": "박서준",
            "account": world["account"].pk,
            "email": "SJ@hanbit.co.kr",
            "phone": "0212345678",
            "owner": alice.pk,
            "buyer_role": "champion",
        },
    )
    assert ok.status_code == 302
    contact = Contact.objects.get(name="박서준")
    assert contact.email == "sj@hanbit.co.kr" and contact.phone == "+82212345678"
    stale = contact.version
    edit = client.post(
        f"/contacts/{contact.pk}/edit/",
        {
            "name": "박서준",
            "account": world["account"].pk,
            "email": "sj@hanbit.co.kr",
            "owner": alice.pk,
            "title": "CTO",
            "version": stale,
        },
    )
    assert edit.status_code == 302
    conflict = client.post(
        f"/contacts/{contact.pk}/edit/",
        {
            "name": "박서준",
            "account": world["account"].pk,
            "owner": alice.pk,
            "title": "CEO",
            "version": stale,
        },
    )
    assert conflict.status_code == 409
    contact.refresh_from_db()
    assert contact.title == "CTO"
    assert audit_rows(contact, "update").count() == 1


def test_lookups_only_return_visible_records(client, alice, charlie, world):
    create_account(actor=charlie, name="한빛 남의 회사")
    client.force_login(alice)
    body = client.get("/accounts/lookup/?lookup_q=한빛").content.decode()
    assert "(주)한빛소프트" in body and "남의 회사" not in body
    body = client.get("/contacts/lookup/?lookup_q=김").content.decode()
    assert "김민준" in body
    client.force_login(charlie)
    assert "김민준" not in client.get("/contacts/lookup/?lookup_q=김").content.decode()
