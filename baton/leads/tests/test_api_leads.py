"""Leads through the API: create, update, conversion, duplicates, interactions, lists."""

from __future__ import annotations

import pytest

from baton.accounts.models import Account, Contact
from baton.accounts.services import create_account
from baton.core.models import ChangeLog
from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import errors_of, make_api
from baton.deals.models import Opportunity, Stage
from baton.leads.models import Lead, LeadInteraction
from baton.leads.services import create_campaign, create_lead


@pytest.fixture
def api(personas):
    return make_api(personas)


def test_create_lead_defaults_and_output(api, alice):
    response = api("alice").post(
        "/leads",
        {
            "name": " 최지우 ",
            "company": "가온테크 주식회사",
            "email": "JIWOO@Gaon.kr",
            "phone": "01098765432",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "최지우"
    assert body["email"] == "jiwoo@gaon.kr"
    assert body["phone"] == "+821098765432"
    assert body["source"] == "api"
    assert body["status"] == "new"
    assert body["owner"] == {"id": alice.pk, "name": "Alice"}
    assert body["team_id"] == alice.team_id
    assert body["version"] == 1
    assert body["campaign"] is None
    assert {"created_at", "updated_at", "converted_at", "converted_account_id"} <= set(body)
    lead = Lead.objects.get(pk=body["id"])
    assert_audited(lead, "create", actor=alice)


def test_create_lead_for_a_teammate_with_a_campaign(api, alice, bob):
    campaign = create_campaign(actor=alice, name="AI 세미나")
    response = api("alice").post("/leads", {"name": "x", "owner_id": bob.pk, "campaign_id": campaign.pk})
    assert response.status_code == 201
    body = response.json()
    assert body["owner"]["id"] == bob.pk
    assert body["campaign"] == {"id": campaign.pk, "name": "AI 세미나"}


def test_create_lead_rejects_bad_input(api):
    client = api("alice")
    assert "name" in errors_of(client.post("/leads", {"company": "x"}))
    assert "name" in errors_of(client.post("/leads", {"name": "   "}))
    assert "status" in errors_of(client.post("/leads", {"name": "x", "status": "converted"}))
    assert "email" in errors_of(client.post("/leads", {"name": "x", "email": "not-an-email"}))
    assert "brn" in errors_of(client.post("/leads", {"name": "x", "brn": "220-81-62518"}))
    assert "campaign_id" in errors_of(client.post("/leads", {"name": "x", "campaign_id": 999999}))
    assert "company" in errors_of(client.post("/leads", {"name": "x", "company": "\ufdfa" * 20}))
    assert Lead.objects.count() == 0


def test_patch_lead_needs_the_current_version(api, world):
    lead = world["lead"]
    client = api("bob")
    assert "version" in errors_of(client.patch(f"/leads/{lead.pk}", {"title": "대리"}))
    ok = client.patch(f"/leads/{lead.pk}", {"title": "대리", "version": lead.version})
    assert ok.status_code == 200
    assert ok.json()["title"] == "대리"
    assert ok.json()["version"] == lead.version + 1
    stale = client.patch(f"/leads/{lead.pk}", {"title": "과장", "version": lead.version})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == lead.version + 1
    lead.refresh_from_db()
    assert lead.title == "대리"


def test_patch_lead_rejects_null_for_non_nullable_fields_and_allows_clearing_the_campaign(api, world, alice):
    lead = world["lead"]
    client = api("alice")
    assert "name" in errors_of(client.patch(f"/leads/{lead.pk}", {"version": lead.version, "name": None}))
    assert "owner_id" in errors_of(
        client.patch(f"/leads/{lead.pk}", {"version": lead.version, "owner_id": None})
    )
    campaign = create_campaign(actor=alice, name="웨비나")
    response = client.patch(f"/leads/{lead.pk}", {"version": lead.version, "campaign_id": campaign.pk})
    assert response.json()["campaign"]["id"] == campaign.pk
    response = client.patch(f"/leads/{lead.pk}", {"version": lead.version + 1, "campaign_id": None})
    assert response.status_code == 200
    assert response.json()["campaign"] is None


def test_disqualifying_needs_a_reason(api, world):
    lead = world["lead"]
    response = api("alice").patch(f"/leads/{lead.pk}", {"version": lead.version, "status": "disqualified"})
    assert errors_of(response) == {"disqualify_reason": ["Say why the lead is disqualified."]}
    response = api("alice").patch(
        f"/leads/{lead.pk}",
        {"version": lead.version, "status": "disqualified", "disqualify_reason": "예산 없음"},
    )
    assert response.status_code == 200
    # A disqualified lead cannot be converted: a domain refusal, 409.
    assert api("alice").post(f"/leads/{lead.pk}/convert", {}).status_code == 409


def test_changing_the_owner_to_someone_outside_your_teams_is_422(api, world, charlie):
    lead = world["lead"]
    response = api("bob").patch(f"/leads/{lead.pk}", {"version": lead.version, "owner_id": charlie.pk})
    assert "owner_id" in errors_of(response)
    response = api("root").patch(f"/leads/{lead.pk}", {"version": lead.version, "owner_id": charlie.pk})
    assert response.status_code == 200
    assert response.json()["team_id"] == charlie.team_id
    # Now alice no longer sees it.
    assert api("alice").get(f"/leads/{lead.pk}").status_code == 404


# --- conversion -------------------------------------------------------------------------------


def test_convert_creates_account_contact_opportunity_then_refuses_a_second_time(api, world, alice):
    lead = world["lead"]
    stage = Stage.objects.get(key="evaluating")
    response = api("alice").post(
        f"/leads/{lead.pk}/convert",
        {
            "opportunity_name": "새봄 CRM 도입",
            "amount": 50000000,
            "expected_close_date": "2027-03-31",
            "stage_id": stage.pk,
            "version": lead.version,
        },
    )
    assert response.status_code == 200, response.content
    ids = response.json()
    account = Account.objects.get(pk=ids["account_id"])
    contact = Contact.objects.get(pk=ids["contact_id"])
    opportunity = Opportunity.objects.get(pk=ids["opportunity_id"])
    assert account.name == "새봄물산 주식회사"
    assert contact.account == account
    assert contact.email == "seoyeon@saebom.kr"
    assert opportunity.name == "새봄 CRM 도입"
    assert opportunity.amount == 50_000_000
    assert opportunity.stage == stage
    assert str(opportunity.expected_close_date) == "2027-03-31"
    assert_audited(lead, "convert", actor=alice)
    lead_body = api("alice").get(f"/leads/{lead.pk}").json()
    assert lead_body["status"] == "converted"
    assert lead_body["converted_opportunity_id"] == opportunity.pk

    again = api("alice").post(f"/leads/{lead.pk}/convert", {})
    assert again.status_code == 409
    assert "already converted" in again.json()["detail"]
    # A converted lead is read-only.
    patch = api("alice").patch(f"/leads/{lead.pk}", {"version": lead_body["version"], "title": "x"})
    assert patch.status_code == 409
    assert Account.objects.filter(name="새봄물산 주식회사").count() == 1


def test_convert_attaches_to_an_existing_account_without_an_opportunity(api, world):
    lead = world["lead"]
    account = world["account"]
    response = api("bob").post(
        f"/leads/{lead.pk}/convert", {"account_id": account.pk, "create_opportunity": False}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["account_id"] == account.pk
    assert body["opportunity_id"] is None
    assert Contact.objects.get(pk=body["contact_id"]).account_id == account.pk


def test_convert_validates_its_input_and_saves_nothing_on_error(api, world, charlie):
    lead = world["lead"]
    theirs = create_account(actor=charlie, name="남의회사")
    client = api("alice")
    counts = (Account.objects.count(), Contact.objects.count(), Opportunity.objects.count())
    assert errors_of(client.post(f"/leads/{lead.pk}/convert", {"account_id": theirs.pk})) == {
        "account_id": ["No such account."]
    }
    assert "amount" in errors_of(client.post(f"/leads/{lead.pk}/convert", {"amount": "100.50"}))
    assert "amount" in errors_of(client.post(f"/leads/{lead.pk}/convert", {"amount": -1}))
    assert "amount" in errors_of(client.post(f"/leads/{lead.pk}/convert", {"amount": 10**30}))
    assert "expected_close_date" in errors_of(
        client.post(f"/leads/{lead.pk}/convert", {"expected_close_date": 20270331})
    )
    assert "expected_close_date" in errors_of(
        client.post(f"/leads/{lead.pk}/convert", {"expected_close_date": "2027-02-30"})
    )
    assert "create_opportunity" in errors_of(
        client.post(f"/leads/{lead.pk}/convert", {"create_opportunity": "no"})
    )
    stale = client.post(f"/leads/{lead.pk}/convert", {"version": lead.version + 5})
    assert stale.status_code == 409
    assert (Account.objects.count(), Contact.objects.count(), Opportunity.objects.count()) == counts
    lead.refresh_from_db()
    assert not lead.is_converted


def test_usd_amounts_keep_cents(api, world):
    lead = world["lead"]
    response = api("alice").post(f"/leads/{lead.pk}/convert", {"amount": 1234.56, "currency": "USD"})
    assert response.status_code == 200
    opportunity = Opportunity.objects.get(pk=response.json()["opportunity_id"])
    assert str(opportunity.amount) == "1234.56"
    assert opportunity.currency == "USD"


# --- duplicates -------------------------------------------------------------------------------


def test_duplicates_find_the_account_whatever_the_legal_form(api, world, alice):
    lead = create_lead(actor=alice, name="김민준", company="한빛소프트 주식회사", email="minjun@hanbit.co.kr")
    response = api("alice").get(f"/leads/{lead.pk}/duplicates")
    assert response.status_code == 200
    body = response.json()
    assert body["accounts"][0]["id"] == world["account"].pk
    assert body["accounts"][0]["name"] == "(주)한빛소프트"
    assert "same company name" in body["accounts"][0]["reasons"]
    assert "same web domain" in body["accounts"][0]["reasons"]
    assert body["contacts"][0]["id"] == world["contact"].pk
    assert body["contacts"][0]["account"] == {"id": world["account"].pk, "name": "(주)한빛소프트"}


def test_duplicates_only_show_what_the_caller_may_see(api, world, charlie):
    lead = create_lead(
        actor=charlie, name="김민준", company="한빛소프트 주식회사", email="minjun@hanbit.co.kr"
    )
    body = api("charlie").get(f"/leads/{lead.pk}/duplicates").json()
    assert body == {"accounts": [], "contacts": []}


# --- interactions -----------------------------------------------------------------------------


def test_log_and_list_interactions(api, world, bob):
    lead = world["lead"]
    client = api("bob")
    first = client.post(
        f"/leads/{lead.pk}/interactions",
        {"kind": "seminar", "occurred_at": "2026-05-01T10:00:00+09:00", "note": "AI 세미나 참석"},
    )
    assert first.status_code == 201, first.content
    assert first.json()["actor"] == {"id": bob.pk, "name": "Bob"}
    second = client.post(f"/leads/{lead.pk}/interactions", {"kind": "call"})
    assert second.status_code == 201
    listed = client.get(f"/leads/{lead.pk}/interactions").json()
    assert [i["id"] for i in listed["items"]] == [second.json()["id"], first.json()["id"]]
    only_seminars = client.get(f"/leads/{lead.pk}/interactions", {"kind": "seminar"}).json()
    assert [i["kind"] for i in only_seminars["items"]] == ["seminar"]
    assert ChangeLog.objects.filter(action="create", object_id=first.json()["id"]).exists()


def test_interactions_reject_bad_input(api, world):
    lead = world["lead"]
    client = api("alice")
    assert "kind" in errors_of(client.post(f"/leads/{lead.pk}/interactions", {"kind": "telepathy"}))
    assert "occurred_at" in errors_of(
        client.post(f"/leads/{lead.pk}/interactions", {"kind": "call", "occurred_at": 1700000000})
    )
    assert "occurred_at" in errors_of(
        client.post(
            f"/leads/{lead.pk}/interactions", {"kind": "call", "occurred_at": "9999-12-31T23:59:59-23:59"}
        )
    )
    assert LeadInteraction.objects.count() == 0


# --- lists ------------------------------------------------------------------------------------


@pytest.fixture
def many_leads(alice, bob):
    leads = []
    for i in range(11):
        # Repeated names and companies, so the id tie-break is exercised.
        leads.append(
            create_lead(
                actor=alice if i % 2 else bob, name=f"리드{i % 3}", company=f"회사{i % 4}", status="working"
            )
        )
    return leads


@pytest.mark.parametrize(
    "ordering", ["created", "-created", "name", "-name", "company", "-company", "updated"]
)
def test_cursor_pagination_walks_every_row_once(api, many_leads, ordering):
    items = api("alice").walk("/leads", {"ordering": ordering, "limit": 3})
    ids = [item["id"] for item in items]
    assert sorted(ids) == sorted(lead.pk for lead in many_leads)
    key = ordering.lstrip("-")
    field = {"created": "created_at", "updated": "updated_at"}.get(key, key)
    expected = sorted(
        Lead.objects.all(), key=lambda lead: (getattr(lead, field), lead.pk), reverse=ordering.startswith("-")
    )
    assert ids == [lead.pk for lead in expected]


def test_filters_and_search(api, many_leads, world, bob):
    client = api("alice")
    assert len(client.walk("/leads", {"status": "working"})) == 11
    assert {i["owner"]["id"] for i in client.walk("/leads", {"owner": bob.pk})} == {bob.pk}
    assert [i["id"] for i in client.walk("/leads", {"search": "새봄"})] == [world["lead"].pk]


def test_invalid_filter_ordering_and_cursor_are_422(api, many_leads):
    client = api("alice")
    assert "status" in errors_of(client.get("/leads", {"status": "sleeping"}))
    assert "ordering" in errors_of(client.get("/leads", {"ordering": "-email"}))
    assert "limit" in errors_of(client.get("/leads", {"limit": "0"}))
    assert "colour" in errors_of(client.get("/leads", {"colour": "red"}))
    assert "cursor" in errors_of(client.get("/leads", {"cursor": "garbage!"}))
    first = client.get("/leads", {"ordering": "name", "limit": 2}).json()
    # A cursor made for one ordering is refused by another.
    assert "cursor" in errors_of(client.get("/leads", {"ordering": "-created", "cursor": first["next"]}))


@pytest.mark.parametrize(
    "payload",
    [
        {"o": "-created", "v": {"t": "dt", "v": "not a date"}, "id": 1},
        {"o": "-created", "v": "2026-01-01", "id": 1},
        {"o": "-created", "v": {"t": "dt", "v": "2026-01-01T00:00:00+00:00"}, "id": 10**30},
        {"o": "name", "v": 10**30, "id": 1},
        {"o": "name", "v": "x" * 500, "id": 1},
        {"o": "name", "v": "a\x00", "id": 1},
        {"o": "name", "v": "a", "id": "1"},
        [1, 2, 3],
    ],
)
def test_forged_cursors_are_422(api, many_leads, payload):
    import base64
    import json

    ordering = payload["o"] if isinstance(payload, dict) else "-created"
    cursor = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    assert "cursor" in errors_of(api("alice").get("/leads", {"ordering": ordering, "cursor": cursor}))


def test_list_query_count_does_not_grow_with_rows(api, many_leads, django_assert_max_num_queries, alice):
    client = api("alice")
    client.get("/me")  # token's last_used_at written once, outside the measured calls
    with django_assert_max_num_queries(3):
        # token lookup, team ids for visibility, the page itself (owner and campaign joined)
        response = client.get("/leads", {"limit": 50})
    assert len(response.json()["items"]) == 11
