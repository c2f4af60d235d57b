"""In a real browser: build a quote that needs approval, approve it as the approver, hand the deal off
to delivery, and see the delivery project on the account's 360° page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from baton.core.models import Role, User
from baton.deals import approvals
from baton.deals.models import Quote
from baton.deals.tests.factories import make_catalog
from baton.delivery.models import ChecklistItem, DeliveryProject, HandoffPackage
from conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_quote_approval_and_handoff(browser_page, personas, world, root):
    page = browser_page
    # The machine is shared with other test runs; give each navigation time to finish under load.
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(30_000)
    cat = make_catalog()
    fin = User.objects.create_user(username="fin", password=PASSWORD, role=Role.APPROVER, display_name="Fin")
    dave = User.objects.create_user(
        username="dave", password=PASSWORD, role=Role.DELIVERY, display_name="Dave"
    )
    approvals.save_rule(
        actor=root,
        approvers=[fin],
        name="Discount over 15%",
        field="discount_percent",
        operator="gt",
        threshold=Decimal(15),
    )
    item = ChecklistItem.objects.create(
        product_family=cat["families"]["erp"], text="데이터 이관 범위", text_en="Data migration scope"
    )
    opp = world["opportunity"]

    # The rep builds the offer and a quote with 20 % off.
    sign_in(page, "alice")
    page.goto(f"/deals/{opp.pk}/")
    page.get_by_test_id("offer-link").click()
    page.select_option("#id_product", str(cat["erp"].pk))
    page.fill("#id_quantity", "2")
    page.fill("#id_discount_percent", "20")
    page.get_by_test_id("add-line").click()
    page.wait_for_url(f"**/deals/{opp.pk}/offer/")
    expect(page.get_by_test_id("net-total")).to_contain_text("₩16,000,000")
    page.select_option("#id_role", "delivery")
    page.fill("#id_person_days", "15")
    page.fill("#id_day_rate", "600000")
    page.get_by_role("button", name="Add estimate").click()
    page.wait_for_url(f"**/deals/{opp.pk}/offer/")
    page.select_option("#id_language", "en")
    page.get_by_test_id("create-quote").click()
    page.wait_for_url("**/deals/quotes/*/")
    page.get_by_test_id("submit-quote").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("quote-status")).to_have_text("Pending approval")
    quote = Quote.objects.get()
    assert quote.status == "pending" and quote.is_primary

    # The approver finds it in the queue and approves.
    sign_in(page, "fin")
    page.goto("/deals/approvals/")
    page.get_by_test_id("queue-item").click()
    page.get_by_test_id("approve").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("quote-status")).to_have_text("Approved")
    quote.refresh_from_db()
    assert quote.status == "approved"

    # The rep prepares the hand-off and gives it to delivery.
    sign_in(page, "alice")
    page.goto(f"/deals/{opp.pk}/")
    page.get_by_test_id("handoff-link").click()
    page.get_by_test_id("start-handoff").click()
    page.wait_for_url("**/delivery/packages/*/")
    page.select_option("#id_delivery_lead", str(dave.pk))
    for name, text in {
        "scope_summary": "ERP core, two sites",
        "pains_goals": "Month-end close takes 3 days; goal 1 day",
        "stakeholders": "김민준 IT팀장",
        "commitments": "Go-live in June",
        "risks": "Data quality",
        "timeline": "3 months",
    }.items():
        page.fill(f"#id_{name}", text)
    page.get_by_test_id("save-package").click()
    page.wait_for_url("**/delivery/packages/*/")
    page.locator(f"form[action$='/items/{item.pk}/'] input[name=evidence]").fill(
        "3 years of vouchers, minutes 5/2"
    )
    page.get_by_test_id(f"answer-{item.pk}").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("readiness")).to_have_text("100%")
    page.get_by_test_id("submit-package").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("package-status")).to_have_text("Handed to delivery")

    # Delivery accepts it; the project appears on the account's 360° page.
    sign_in(page, "dave")
    page.goto("/delivery/")
    page.get_by_test_id("handed-to-me").get_by_role("link").click()
    page.get_by_test_id("accept").click()
    page.wait_for_url("**/delivery/projects/*/")
    expect(page.get_by_test_id("project-pm")).to_have_text("Dave")
    assert HandoffPackage.objects.get().status == "accepted"
    project = DeliveryProject.objects.get()
    sign_in(page, "alice")
    page.goto(f"/accounts/{world['account'].pk}/")
    expect(page.get_by_test_id("panel-delivery-projects")).to_contain_text(project.name)
