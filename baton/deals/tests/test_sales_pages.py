"""Offer, team, quote and approval pages: personas, pinned query counts, bad input → 400, nothing saved."""

import datetime as dt
from decimal import Decimal

import pytest

from baton.core.models import Role, User
from baton.deals import approvals, catalog, quoting
from baton.deals.models import LineItem, Quote, TeamRequest
from baton.deals.tests.factories import add_lines, make_catalog

pytestmark = pytest.mark.django_db

VISIBLE = {"alice": 200, "bob": 200, "charlie": 404, "mina": 200, "dana": 200, "root": 200}


@pytest.fixture
def cat(db):
    return make_catalog()


@pytest.fixture
def fin(personas):
    return User.objects.create_user(username="fin", password="x", role=Role.APPROVER, display_name="Fin")


@pytest.fixture
def pending(world, alice, root, cat, fin):
    approvals.save_rule(
        actor=root,
        approvers=[fin],
        name="할인 15% 초과",
        field="discount_percent",
        operator="gt",
        threshold=Decimal(15),
        mode="sequential",
    )
    add_lines(world["opportunity"], alice, cat, discount="20")
    quote = quoting.create_quote(world["opportunity"], actor=alice)
    approvals.submit_quote(quote, actor=alice)
    return quote


@pytest.mark.parametrize(("who", "status"), VISIBLE.items())
def test_pages_by_persona(client, personas, world, cat, who, status):
    add_lines(world["opportunity"], personas["alice"], cat)
    quote = quoting.create_quote(world["opportunity"], actor=personas["alice"])
    client.force_login(personas[who])
    pk = world["opportunity"].pk
    for url in (
        f"/deals/{pk}/offer/",
        f"/deals/{pk}/team/",
        f"/deals/quotes/{quote.pk}/",
        f"/deals/quotes/{quote.pk}/pdf/",
    ):
        assert client.get(url).status_code == status, url
    assert client.post(
        f"/deals/{pk}/quotes/new/", {"language": "ko", "payment_terms_days": 30}
    ).status_code in ((302,) if status == 200 else (404,))


def test_approver_sees_the_quote_and_their_queue_but_not_the_deal(client, world, pending, fin, charlie):
    client.force_login(fin)
    queue = client.get("/deals/approvals/")
    assert pending.number in queue.content.decode()
    page = client.get(f"/deals/quotes/{pending.pk}/")
    assert page.status_code == 200 and 'data-testid="approve"' in page.content.decode()
    # The approver reads the deal they are asked to approve (issue 9), but does not change it.
    assert client.get(f"/deals/{world['opportunity'].pk}/").status_code == 200
    # Deciding only: recalling is refused (the page says so) and the quote stays pending.
    assert client.post(f"/deals/quotes/{pending.pk}/recall/").status_code in (302, 403, 404)
    pending.refresh_from_db()
    assert pending.status == "pending"
    client.force_login(charlie)
    assert pending.number not in client.get("/deals/approvals/").content.decode()
    step = approvals.queue_for(fin).get()
    assert client.post(f"/deals/approvals/{step.pk}/decide/", {"decision": "approve"}).status_code == 404
    client.force_login(fin)
    response = client.post(f"/deals/approvals/{step.pk}/decide/", {"decision": "reject", "reason": ""})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Quote.Status.PENDING  # a rejection needs a reason
    client.post(f"/deals/approvals/{step.pk}/decide/", {"decision": "approve"})
    pending.refresh_from_db()
    assert pending.status == Quote.Status.APPROVED


def test_offer_page_queries_do_not_grow_with_lines(client, world, alice, cat, django_assert_num_queries):
    opp = world["opportunity"]
    add_lines(opp, alice, cat)
    quoting.create_quote(opp, actor=alice)
    client.force_login(alice)
    # session, user, teams, opportunity, lines (with product and family), efforts, quotes, products (form)
    with django_assert_num_queries(8):
        client.get(f"/deals/{opp.pk}/offer/")
    for _ in range(5):
        catalog.add_line_item(opp, actor=alice, product=cat["cloud"])
    catalog.add_effort(opp, actor=alice, role="delivery", person_days=3, day_rate=500_000)
    quoting.create_quote(opp, actor=alice)
    with django_assert_num_queries(8):
        response = client.get(f"/deals/{opp.pk}/offer/")
    assert "₩18,199,993" in response.content.decode()  # 10,699,993 + 5 × 1,500,000


def test_quote_and_queue_query_counts(client, pending, fin, alice, django_assert_num_queries):
    client.force_login(fin)
    with django_assert_num_queries(4):  # session, user, steps (joined), recent decisions
        client.get("/deals/approvals/")
    client.force_login(alice)
    # session, user, quote, visibility, teams, requests, steps, lines, can_edit, history
    with django_assert_num_queries(9):
        response = client.get(f"/deals/quotes/{pending.pk}/")
    assert 'data-testid="recall-quote"' in response.content.decode()


def test_bad_input_is_a_400_and_saves_nothing(client, world, alice, bob, cat):
    client.force_login(alice)
    pk = world["opportunity"].pk
    response = client.post(
        f"/deals/{pk}/offer/lines/", {"product": cat["erp"].pk, "quantity": "0", "discount_percent": "150"}
    )
    assert response.status_code == 400
    assert 'data-testid="error-quantity"' in response.content.decode()
    response = client.post(f"/deals/{pk}/offer/lines/", {"product": "nope", "quantity": "x"})
    assert response.status_code == 400
    assert not LineItem.objects.exists()
    response = client.post(f"/deals/{pk}/quotes/new/", {"language": "ko", "payment_terms_days": 30})
    assert response.status_code == 400 and not Quote.objects.exists()  # no lines yet
    response = client.post(
        f"/deals/{pk}/team/requests/",
        {"assignee": bob.pk, "subject": "RFP", "due_date": "2025-10-11", "customer_deadline": "2025-10-10"},
    )
    assert response.status_code == 400 and not TeamRequest.objects.exists()


def test_team_request_through_the_page_flags_late(client, world, alice, bob):
    client.force_login(alice)
    deadline = dt.date.today() + dt.timedelta(days=1)
    response = client.post(
        f"/deals/{world['opportunity'].pk}/team/requests/",
        {
            "assignee": bob.pk,
            "subject": "계약 검토",
            "pain_point": "법무 검토 지연",
            "due_date": deadline.isoformat(),
            "customer_deadline": deadline.isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert TeamRequest.objects.get().is_late
    assert 'data-testid="late"' in response.content.decode()


def test_pdf_response(client, world, alice, cat):
    add_lines(world["opportunity"], alice, cat)
    quote = quoting.create_quote(world["opportunity"], actor=alice, language="en")
    client.force_login(alice)
    response = client.get(f"/deals/quotes/{quote.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_admin_pages(client, alice, root, fin):
    client.force_login(alice)
    assert client.get("/deals/approval-rules/").status_code == 403
    client.force_login(root)
    response = client.post(
        "/deals/approval-rules/",
        {
            "name": "x",
            "field": "nonstandard_clauses",
            "operator": "gt",
            "mode": "parallel",
            "approvers": [fin.pk],
        },
    )
    assert response.status_code == 400
    response = client.post(
        "/deals/approval-rules/",
        {
            "name": "결제 60일 초과",
            "field": "payment_terms_days",
            "operator": "gt",
            "threshold": "60",
            "mode": "parallel",
            "approvers": [fin.pk],
        },
    )
    assert response.status_code == 302
    assert client.get("/deals/products/").status_code == 200


def test_catalog_admin_page(client, alice, root, cat):
    client.force_login(alice)
    assert 'data-testid="catalog-product"' not in client.get("/deals/products/").content.decode()
    assert client.post("/deals/products/", {"form": "family", "name": "보안"}).status_code == 403
    client.force_login(root)
    assert (
        client.post("/deals/products/", {"form": "family", "name": "보안", "name_en": "Security"}).status_code
        == 302
    )
    family = cat["families"]["erp"]
    bad = client.post(
        "/deals/products/",
        {
            "form": "product",
            "code": "erp-addon",
            "name": "애드온",
            "family": family.pk,
            "unit_cost": "10.5",
            "cost_currency": "KRW",
        },
    )
    assert bad.status_code == 400 and 'data-testid="error-unit_cost"' in bad.content.decode()
    ok = client.post(
        "/deals/products/",
        {
            "form": "product",
            "code": "erp-addon",
            "name": "애드온",
            "family": family.pk,
            "unit_cost": "10000",
            "cost_currency": "KRW",
        },
    )
    assert ok.status_code == 302
    from baton.deals.models import Product

    addon = Product.objects.get(code="erp-addon")
    priced = client.post(
        "/deals/products/",
        {"form": "price", "price_list": cat["price_list"].pk, "product": addon.pk, "unit_price": "30000"},
    )
    assert priced.status_code == 302
    assert catalog.list_price_for(addon, "KRW") == Decimal(30_000)
    assert client.post("/deals/products/", {"form": "nope"}).status_code == 404


def test_rule_toggle(client, root, pending):
    from baton.deals.models import ApprovalRule

    rule = ApprovalRule.objects.get()
    client.force_login(root)
    assert client.post(f"/deals/approval-rules/{rule.pk}/toggle/").status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active


def test_requests_overview_counts_late_per_requester(
    client, world, alice, bob, mina, django_assert_num_queries
):
    from baton.deals import team

    opp = world["opportunity"]
    for asked, deadline in (
        (dt.date(2025, 10, 1), dt.date(2025, 10, 10)),
        (dt.date(2025, 9, 1), dt.date(2025, 9, 30)),
    ):
        team.create_team_request(
            opp,
            actor=alice,
            assignee=bob,
            subject=f"요청 {asked}",
            due_date=deadline,
            customer_deadline=deadline,
            asked_on=asked,
        )
    client.force_login(mina)  # the manager sees alice's count
    with django_assert_num_queries(5):  # session, user, teams, rows, counts
        response = client.get("/deals/requests/")
    assert response.context["late_counts"][0]["requester__username"] == "alice"
    assert (response.context["late_counts"][0]["total"], response.context["late_counts"][0]["late"]) == (2, 1)
    client.force_login(bob)  # the assignee sees the requests made to him
    assert len(client.get("/deals/requests/").context["rows"]) == 2


def test_quote_sheet_in_the_quote_language(client, world, alice, cat):
    add_lines(world["opportunity"], alice, cat)
    quote = quoting.create_quote(world["opportunity"], actor=alice, language="ko")
    client.force_login(alice)
    body = client.get(f"/deals/quotes/{quote.pk}/", headers={"Accept-Language": "en"}).content.decode()
    sheet = body.split('data-testid="quote-sheet"')[1]
    assert "ERP 코어" in sheet and 'lang="ko"' in body


def test_team_page_adds_and_removes(client, world, alice, bob, charlie):
    from baton.deals.models import BuyerTeamMember, DealTeamMember

    pk = world["opportunity"].pk
    client.force_login(alice)
    assert (
        client.post(f"/deals/{pk}/team/members/", {"user": bob.pk, "role": "solution_architect"}).status_code
        == 302
    )
    duplicate = client.post(f"/deals/{pk}/team/members/", {"user": bob.pk, "role": "solution_architect"})
    assert duplicate.status_code == 400 and DealTeamMember.objects.count() == 1
    response = client.post(
        f"/deals/{pk}/team/buyers/",
        {"contact": world["contact"].pk, "buying_role": "economic_buyer", "buying_step": "deciding"},
    )
    assert response.status_code == 302
    page = client.get(f"/deals/{pk}/team/").content.decode()
    assert "Solution architect" in page and "Economic buyer" in page
    member = DealTeamMember.objects.get()
    client.force_login(charlie)
    assert client.post(f"/deals/{pk}/team/member/{member.pk}/remove/").status_code == 404
    client.force_login(alice)
    assert client.post(f"/deals/{pk}/team/other/{member.pk}/remove/").status_code == 404
    assert client.post(f"/deals/{pk}/team/member/{member.pk}/remove/").status_code == 302
    assert not DealTeamMember.objects.exists() and BuyerTeamMember.objects.count() == 1


def test_pending_quote_locks_the_opportunity(client, world, pending, alice, personas):
    from baton.core.tests.test_api_support import make_api

    pk = world["opportunity"].pk
    client.force_login(alice)
    response = client.get(f"/deals/{pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/deals/{pk}/"
    assert client.post(f"/deals/{pk}/edit/", {"name": "x"}).status_code == 302
    world["opportunity"].refresh_from_db()
    assert world["opportunity"].name == "한빛 ERP 교체"
    api = make_api(personas)
    patched = api("alice").patch(
        f"/opportunities/{pk}", {"version": world["opportunity"].version, "name": "x"}
    )
    assert patched.status_code == 409
    approvals.recall(pending, actor=alice)
    assert client.get(f"/deals/{pk}/edit/").status_code == 200
