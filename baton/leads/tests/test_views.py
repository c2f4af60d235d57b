"""Lead pages: personas, query counts, forms, conflicts, status actions, interactions, conversion."""

from __future__ import annotations

import pytest

from baton.accounts.models import Account, Contact
from baton.core.testing import assert_audited, audit_rows
from baton.deals.models import Opportunity, Stage
from baton.leads.models import Lead, LeadInteraction, LeadStatus
from baton.leads.services import create_lead

pytestmark = pytest.mark.django_db

VISIBLE = {"alice": 200, "bob": 200, "charlie": 404, "mina": 200, "dana": 200, "root": 200}


@pytest.mark.parametrize(("who", "status"), VISIBLE.items())
def test_lead_detail_by_persona(client, personas, world, who, status):
    client.force_login(personas[who])
    response = client.get(f"/leads/{world['lead'].pk}/")
    assert response.status_code == status


@pytest.mark.parametrize(("who", "status"), VISIBLE.items())
def test_lead_list_by_persona(client, personas, world, who, status):
    client.force_login(personas[who])
    response = client.get("/leads/")
    assert response.status_code == 200
    ids = [lead.pk for lead in response.context["page"].items]
    assert (world["lead"].pk in ids) == (status == 200)


@pytest.mark.parametrize("who", ["charlie", "bob"])
def test_lead_pages_of_invisible_or_missing_records_404(client, personas, world, who):
    client.force_login(personas[who])
    expected = 404 if who == "charlie" else 200
    lead = world["lead"]
    assert client.get(f"/leads/{lead.pk}/edit/").status_code == expected
    assert client.get(f"/leads/{lead.pk}/convert/").status_code == expected
    assert client.get("/leads/999999/").status_code == 404


def test_outsider_cannot_post_to_lead_actions(client, charlie, world):
    lead = world["lead"]
    client.force_login(charlie)
    v = lead.version
    assert client.post(f"/leads/{lead.pk}/edit/", {"name": "x", "version": v}).status_code == 404
    assert client.post(f"/leads/{lead.pk}/status/", {"status": "working", "version": v}).status_code == 404
    assert client.post(f"/leads/{lead.pk}/interactions/", {"kind": "call"}).status_code == 404
    assert client.post(f"/leads/{lead.pk}/convert/", {"version": v}).status_code == 404
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW and lead.version == v


def test_lead_list_query_count_is_fixed(client, alice, world, django_assert_num_queries):
    for i in range(30):
        create_lead(actor=alice, name=f"리드 {i}", company=f"회사 {i}")
    client.force_login(alice)
    # session, user, teams, count, page, campaigns (filter), owners (filter)
    with django_assert_num_queries(7):
        response = client.get("/leads/")
    assert response.status_code == 200
    assert len(response.context["page"].items) == 31
    # htmx swaps only the table: no filter choices queried
    with django_assert_num_queries(5):
        partial = client.get("/leads/?status=new&ordering=name", headers={"HX-Request": "true"})
    assert b"<html" not in partial.content
    assert b'data-testid="lead-table"' in partial.content
    assert partial["Vary"].find("HX-Request") >= 0


def test_lead_list_search_filter_sort_and_page(client, alice, world, settings):
    settings.BATON_PAGE_SIZE = 5
    for i in range(12):
        create_lead(actor=alice, name=f"Lead {i:02d}", company="Acme" if i % 2 else "Other", status="working")
    client.force_login(alice)
    searched = client.get("/leads/?search=acme")
    assert searched.context["page"].count == 6
    assert all(lead.company == "Acme" for lead in searched.context["page"].items)
    filtered = client.get("/leads/?status=new")
    assert [lead.pk for lead in filtered.context["page"].items] == [world["lead"].pk]
    ordered = client.get("/leads/?ordering=name&status=working")
    assert [lead.name for lead in ordered.context["page"].items] == [f"Lead {i:02d}" for i in range(5)]
    page3 = client.get("/leads/?ordering=name&status=working&page=3")
    assert [lead.name for lead in page3.context["page"].items] == ["Lead 10", "Lead 11"]
    body = client.get("/leads/?ordering=name").content.decode()
    assert "13 results" in body
    assert "ordering=-name" in body  # the active column's header flips the direction
    # bad parameters are ignored by pages (strict=False), never a 500
    assert client.get("/leads/?status=bogus&ordering=evil&page=abc&owner=x").status_code == 200


def test_lead_list_shows_capped_count(client, alice, world, monkeypatch):
    from baton.core import listing

    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    monkeypatch.setattr(listing.capped_count, "__defaults__", (3,))
    for i in range(5):
        create_lead(actor=alice, name=f"L{i}")
    client.force_login(alice)
    body = client.get("/leads/").content.decode()
    assert "3+ results" in body


def test_lead_detail_query_count_and_content(client, alice, world, django_assert_num_queries):
    from baton.leads.services import log_interaction

    lead = world["lead"]
    for kind in ("web_visit", "seminar", "call"):
        log_interaction(lead, actor=alice, kind=kind, note=f"note {kind}")
    client.force_login(alice)
    # session, user, teams, lead, interactions, history (the content type is cached)
    with django_assert_num_queries(6):
        response = client.get(f"/leads/{lead.pk}/")
    body = response.content.decode()
    assert "새봄물산 주식회사" in body
    assert "010-1234-5678" in body
    assert "Seminar attended" in body
    assert 'data-testid="convert-button"' in body
    assert 'data-testid="history"' in body


def test_create_lead_through_the_form(client, alice, bob):
    client.force_login(alice)
    page = client.get("/leads/new/")
    assert page.status_code == 200
    response = client.post(
        "/leads/new/",
        {
            "name": "박지훈",
            "company": "(주)누리텍",
            "email": "JH@nuritech.co.kr",
            "source": "event",
            "status": "new",
            "owner": bob.pk,
            "brn": "2208162517",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lead = Lead.objects.get(name="박지훈")
    assert response["Location"] == f"/leads/{lead.pk}/"
    assert lead.owner == bob and lead.team_id == bob.team_id
    assert lead.email == "jh@nuritech.co.kr" and lead.brn == "220-81-62517"
    assert_audited(lead, "create", actor=alice)


def test_lead_form_field_errors(client, alice):
    client.force_login(alice)
    response = client.post(
        "/leads/new/",
        {"name": "", "email": "not-an-email", "source": "web_form", "status": "new", "owner": alice.pk},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "name" in form.errors and "email" in form.errors
    # a model-level validator (BRN checksum) comes back from the service as a field error
    response = client.post(
        "/leads/new/",
        {"name": "X", "brn": "123-45-67890", "source": "web_form", "status": "new", "owner": alice.pk},
    )
    assert response.status_code == 400
    assert "brn" in response.context["form"].errors
    assert 'data-testid="error-brn"' in response.content.decode()
    assert not Lead.objects.filter(name="X").exists()


def test_lead_form_refuses_converted_status_and_invisible_campaign_owner(client, alice):
    client.force_login(alice)
    response = client.post(
        "/leads/new/", {"name": "Y", "source": "web_form", "status": "converted", "owner": alice.pk}
    )
    assert response.status_code == 400
    assert "status" in response.context["form"].errors


def test_edit_lead_and_stale_version_conflict(client, alice, bob, world):
    lead = world["lead"]
    client.force_login(alice)
    page = client.get(f"/leads/{lead.pk}/edit/")
    assert page.context["form"]["version"].value() == lead.version
    stale_version = lead.version
    data = {
        "name": "이서연",
        "company": "새봄물산 주식회사",
        "email": "seoyeon@saebom.kr",
        "phone": "010-1234-5678",
        "source": "web_form",
        "status": "working",
        "owner": alice.pk,
        "title": "과장",
        "version": stale_version,
    }
    ok = client.post(f"/leads/{lead.pk}/edit/", data)
    assert ok.status_code == 302
    lead.refresh_from_db()
    assert lead.title == "과장" and lead.version == stale_version + 1
    # bob submits the form he loaded before alice saved: 409, a clear message, nothing saved
    client.force_login(bob)
    conflict = client.post(f"/leads/{lead.pk}/edit/", {**data, "title": "부장"})
    assert conflict.status_code == 409
    assert "changed by someone else" in conflict.content.decode()
    lead.refresh_from_db()
    assert lead.title == "과장"
    assert audit_rows(lead, "update").count() == 1


def test_status_buttons_and_disqualify_needs_reason(client, alice, world):
    lead = world["lead"]
    client.force_login(alice)
    assert client.get(f"/leads/{lead.pk}/status/").status_code == 405
    response = client.post(f"/leads/{lead.pk}/status/", {"status": "qualified", "version": lead.version})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED
    refused = client.post(f"/leads/{lead.pk}/status/", {"status": "disqualified", "version": lead.version})
    assert refused.status_code == 400
    assert "Say why" in refused.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED
    stale = client.post(
        f"/leads/{lead.pk}/status/",
        {"status": "disqualified", "disqualify_reason": "x", "version": lead.version - 1},
    )
    assert stale.status_code == 409
    done = client.post(
        f"/leads/{lead.pk}/status/",
        {"status": "disqualified", "disqualify_reason": "No budget this year", "version": lead.version},
    )
    assert done.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DISQUALIFIED and lead.disqualify_reason == "No budget this year"
    # a disqualified lead cannot be converted from the page
    page = client.get(f"/leads/{lead.pk}/")
    assert 'data-testid="convert-button"' not in page.content.decode()


def test_log_interaction(client, alice, world):
    lead = world["lead"]
    client.force_login(alice)
    response = client.post(f"/leads/{lead.pk}/interactions/", {"kind": "call", "note": "Asked for a demo"})
    assert response.status_code == 302
    item = LeadInteraction.objects.get(lead=lead)
    assert item.actor == alice and item.note == "Asked for a demo"
    assert_audited(item, "create")
    bad = client.post(f"/leads/{lead.pk}/interactions/", {"kind": "nonsense"})
    assert bad.status_code == 400
    assert "kind" in bad.context["interaction_form"].errors


def test_conversion_page_shows_matches_with_reasons(client, alice, world):
    from baton.accounts.services import create_account, create_contact

    account = create_account(actor=alice, name="새봄물산(주)", website="saebom.kr")
    create_contact(actor=alice, account=account, name="이서연", email="seoyeon@saebom.kr")
    client.force_login(alice)
    response = client.get(f"/leads/{world['lead'].pk}/convert/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-testid="account-match-{account.pk}"' in body
    assert "same company name" in body and "same web domain" in body
    assert "same email" in body
    assert 'data-testid="convert-submit"' in body


def test_conversion_matches_exclude_records_the_user_cannot_see(client, charlie, bob, world):
    from baton.accounts.services import create_account

    create_account(actor=charlie, name="새봄물산")
    client.force_login(bob)
    response = client.get(f"/leads/{world['lead'].pk}/convert/")
    assert response.context["account_matches"] == []


def test_convert_through_the_page_creates_account_contact_and_opportunity(client, alice, world):
    lead = world["lead"]
    stage = Stage.objects.get(key="evaluating")
    client.force_login(alice)
    response = client.post(
        f"/leads/{lead.pk}/convert/",
        {
            "account_choice": "new",
            "contact_choice": "new",
            "create_opportunity": "on",
            "opportunity_name": "새봄 CRM 도입",
            "amount": "50000000",
            "currency": "KRW",
            "expected_close_date": "2026-12-31",
            "stage": stage.pk,
            "version": lead.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    lead.refresh_from_db()
    assert lead.is_converted
    opp = lead.converted_opportunity
    assert response["Location"] == f"/deals/{opp.pk}/"
    assert opp.name == "새봄 CRM 도입" and opp.amount == 50_000_000 and opp.stage == stage
    assert lead.converted_account.name == "새봄물산 주식회사"
    assert lead.converted_contact.account == lead.converted_account
    assert_audited(lead, "convert")

    # the second attempt is refused with a clear message and creates nothing
    counts = (Account.objects.count(), Contact.objects.count(), Opportunity.objects.count())
    again = client.post(
        f"/leads/{lead.pk}/convert/",
        {
            "account_choice": "new",
            "contact_choice": "new",
            "currency": "KRW",
            "stage": stage.pk,
            "version": lead.version,
        },
        follow=True,
    )
    assert "already converted" in again.content.decode()
    assert (Account.objects.count(), Contact.objects.count(), Opportunity.objects.count()) == counts
    get_again = client.get(f"/leads/{lead.pk}/convert/", follow=True)
    assert "already converted" in get_again.content.decode()
    # converted leads are read-only and link to what they became
    detail = client.get(f"/leads/{lead.pk}/").content.decode()
    assert 'data-testid="converted-links"' in detail
    assert f"/deals/{opp.pk}/" in detail
    assert 'data-testid="edit-button"' not in detail
    edit = client.get(f"/leads/{lead.pk}/edit/")
    assert edit.status_code == 302


def test_convert_attaching_existing_account_and_contact_without_opportunity(client, alice, world):
    lead = world["lead"]
    account, contact = world["account"], world["contact"]
    client.force_login(alice)
    response = client.post(
        f"/leads/{lead.pk}/convert/",
        {
            "account_choice": str(account.pk),
            "contact_choice": str(contact.pk),
            "currency": "KRW",
            "version": lead.version,
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.converted_account == account and lead.converted_contact == contact
    assert lead.converted_opportunity is None
    assert Account.objects.count() == 1 and Contact.objects.count() == 1


def test_convert_refuses_an_account_the_user_cannot_see(client, alice, charlie, world):
    from baton.accounts.services import create_account

    foreign = create_account(actor=charlie, name="남의 회사")
    lead = world["lead"]
    client.force_login(alice)
    response = client.post(
        f"/leads/{lead.pk}/convert/",
        {
            "account_choice": str(foreign.pk),
            "contact_choice": "new",
            "currency": "KRW",
            "version": lead.version,
        },
    )
    assert response.status_code == 404
    lead.refresh_from_db()
    assert not lead.is_converted


def test_convert_with_stale_version_is_a_conflict(client, alice, world):
    lead = world["lead"]
    client.force_login(alice)
    response = client.post(
        f"/leads/{lead.pk}/convert/",
        {
            "account_choice": "new",
            "contact_choice": "new",
            "currency": "KRW",
            "version": lead.version - 1 + 5,
        },
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    lead.refresh_from_db()
    assert not lead.is_converted
    assert Account.objects.count() == 1
