"""The foundation end to end in Chromium: sign in, create a lead, convert it, drag the new deal on the
pipeline board, see it stay moved after a reload, and switch the language (Korean ↔ English)."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from baton.core.testing import assert_audited
from baton.core.tests.i18n import ensure_compiled_messages
from baton.deals.models import Opportunity
from baton.leads.models import Lead
from conftest import sign_in

# Transactional (live server): conftest puts the data migrations' rows back before each test.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


SHOTS = os.environ.get("BATON_SCREENSHOTS", "")  # a directory: save screenshots of the key steps


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def drag(page: Page, source, target) -> None:
    """A real mouse drag (press, move in steps, release): SortableJS listens to the native events."""
    source.scroll_into_view_if_needed()
    start = source.bounding_box()
    end = target.bounding_box()
    assert start and end
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 10, start["y"] + start["height"] / 2, steps=3)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + min(end["height"] / 2, 40), steps=15)
    page.mouse.up()


def test_lead_to_board_move_and_language_switch(browser_page, personas):
    ensure_compiled_messages()
    page = browser_page
    alice = personas["alice"]

    # Korean first (the product's language), chosen on the sign-in page before signing in.
    page.goto("/login/")
    page.get_by_test_id("language-ko").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Baton 로그인")
    shot(page, "01-login-ko")
    sign_in(page, "alice")
    expect(page.get_by_test_id("nav-leads")).to_have_text("리드")

    # Create a lead through the form.
    page.get_by_test_id("nav-leads").click()
    page.get_by_test_id("create-button").click()
    page.wait_for_url("**/leads/new/")
    page.fill("#id_name", "김하늘")
    page.fill("#id_company", "(주)새봄테크")
    page.fill("#id_email", "haneul@saebomtech.co.kr")
    shot(page, "02-lead-form")
    page.get_by_test_id("save-button").click()
    page.wait_for_url(re.compile(r"/leads/\d+/$"))
    lead = Lead.objects.get(email="haneul@saebomtech.co.kr")
    assert lead.company == "(주)새봄테크" and lead.owner == alice
    expect(page.locator("h1")).to_contain_text("김하늘")
    shot(page, "03-lead-detail")

    # Convert it: new account, new contact and an opportunity in KRW.
    page.get_by_test_id("convert-button").click()
    page.wait_for_url(f"**/leads/{lead.pk}/convert/")
    expect(page.get_by_test_id("account-new")).to_be_checked()
    expect(page.get_by_test_id("contact-new")).to_be_checked()
    expect(page.get_by_test_id("create-opportunity")).to_be_checked()
    page.fill("#id_opportunity_name", "새봄테크 그룹웨어 도입")
    page.fill("#id_amount", "45000000")
    page.select_option("#id_currency", "KRW")
    shot(page, "04-convert")
    page.get_by_test_id("convert-submit").click()
    page.wait_for_url(re.compile(r"/deals/\d+/$"))
    opportunity = Opportunity.objects.select_related("account", "stage").get(name="새봄테크 그룹웨어 도입")
    assert opportunity.account.name == "(주)새봄테크" and opportunity.amount == 45_000_000
    assert opportunity.stage.key == "considering" and opportunity.currency == "KRW"
    lead.refresh_from_db()
    assert lead.is_converted
    expect(page.get_by_test_id("opportunity-amount")).to_have_text("₩45,000,000")
    shot(page, "05-opportunity")

    # The board: the new deal's card is in the first column.
    page.get_by_test_id("nav-board").click()
    page.wait_for_url("**/deals/board/")
    card = page.get_by_test_id(f"card-{opportunity.pk}")
    considering = page.get_by_test_id("column-considering")
    evaluating = page.get_by_test_id("column-evaluating")
    expect(considering.get_by_test_id(f"card-{opportunity.pk}")).to_be_visible()
    expect(card).to_contain_text("₩45,000,000")
    page.wait_for_function("() => window.Sortable !== undefined")
    shot(page, "06-board-before")

    # Drag it to the next column with the mouse; the server answers the move.
    with page.expect_response(lambda r: f"/deals/{opportunity.pk}/move/" in r.url) as moved:
        drag(page, card, evaluating.locator(".cards"))
    assert moved.value.ok, moved.value.text()
    expect(evaluating.get_by_test_id(f"card-{opportunity.pk}")).to_be_visible()
    expect(card).not_to_have_class(re.compile(r"opacity-50"))
    shot(page, "07-board-after")

    page.reload()
    expect(page.get_by_test_id("column-evaluating").get_by_test_id(f"card-{opportunity.pk}")).to_be_visible()
    expect(page.get_by_test_id("column-considering").get_by_test_id(f"card-{opportunity.pk}")).to_have_count(
        0
    )
    opportunity.refresh_from_db()
    assert opportunity.stage.key == "evaluating"
    assert_audited(opportunity, "move", actor=alice)

    # Switch to English and back: the navigation follows, and the choice is saved on the user.
    page.get_by_test_id("language-en").click()
    expect(page.get_by_test_id("nav-leads")).to_have_text("Leads")
    expect(page.get_by_test_id("nav-board")).to_have_text("Board")
    expect(page.locator("h1")).to_have_text("Pipeline board")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("column-evaluating").get_by_test_id(f"card-{opportunity.pk}")).to_be_visible()
    shot(page, "08-board-en")
    alice.refresh_from_db()
    assert alice.language == "en"
    page.get_by_test_id("language-ko").click()
    expect(page.get_by_test_id("nav-leads")).to_have_text("리드")
    expect(page.locator("h1")).to_have_text("파이프라인 보드")


def test_outsider_gets_404_for_a_record_of_another_team(browser_page, personas, world):
    page = browser_page
    sign_in(page, "charlie")  # Field Sales 2: alice's records are not theirs
    for url in (f"/deals/{world['opportunity'].pk}/", f"/leads/{world['lead'].pk}/"):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
        expect(page.locator("body")).not_to_contain_text("한빛 ERP 교체")
    response = page.goto("/deals/board/")
    assert response is not None and response.status == 200
    expect(page.get_by_test_id(f"card-{world['opportunity'].pk}")).to_have_count(0)
