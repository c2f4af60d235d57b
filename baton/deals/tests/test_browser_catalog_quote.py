"""In a real browser: operations set up a price list in the catalogue pages, the rep quotes from it in
Korean, and the printable quote reads as a Korean 견적서 (공급가액, 부가세, 합계, amount in words)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from baton.core.models import Role, User
from baton.deals.models import PriceList, Product, ProductFamily
from conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    folder = os.environ.get("BATON_SCREENSHOTS")
    if folder:
        page.evaluate("document.fonts.ready.then(() => true)")
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_catalogue_to_korean_quote(browser_page, personas, world, settings):
    settings.BATON_COMPANY_NAME = "(주)바톤테스트"
    settings.BATON_COMPANY_REGISTRATION_NO = "123-45-67890"
    settings.BATON_COMPANY_REPRESENTATIVE = "박대표"
    settings.BATON_VAT_PERCENT = 10
    page = browser_page
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(30_000)
    User.objects.create_user(username="olga", password=PASSWORD, role=Role.OPERATIONS, display_name="Olga")
    family = ProductFamily.objects.create(name="보안", name_en="Security")
    product = Product.objects.create(
        code="sec-fw", name="차세대 방화벽", name_en="Firewall", family=family, unit_cost=9_000_000
    )

    sign_in(page, "olga")
    page.goto("/deals/price-lists/")
    page.fill("#id_name", "2026 표준 가격표")
    page.check("#id_is_default")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/deals/price-lists/*/")
    page.select_option("#id_product", str(product.pk))
    page.fill("#id_unit_price", "60000000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("prices")).to_contain_text("₩60,000,000")
    _shot(page, "price-list.png")
    assert PriceList.objects.get(name="2026 표준 가격표").entries.count() == 1

    opp = world["opportunity"]
    sign_in(page, "alice")
    page.goto(f"/deals/{opp.pk}/offer/")
    page.select_option("#id_product", str(product.pk))
    page.fill("#id_quantity", "2")
    page.get_by_test_id("add-line").click()
    page.wait_for_url(f"**/deals/{opp.pk}/offer/")
    page.select_option("#id_language", "ko")
    page.get_by_test_id("create-quote").click()
    page.wait_for_url("**/deals/quotes/*/")
    page.get_by_test_id("quote-print").click()
    page.wait_for_url("**/print/")
    sheet = page.get_by_test_id("quote-sheet")
    expect(sheet).to_contain_text("견 적 서")
    expect(page.get_by_test_id("quote-subtotal")).to_have_text("₩120,000,000")
    expect(page.get_by_test_id("quote-vat")).to_have_text("₩12,000,000")
    expect(page.get_by_test_id("quote-total")).to_have_text("₩132,000,000")
    expect(page.get_by_test_id("quote-amount")).to_contain_text("금 일억삼천이백만원정")
    expect(page.get_by_test_id("quote-seller")).to_contain_text("123-45-67890")
    expect(page.get_by_test_id("quote-buyer")).to_contain_text("김민준 IT팀장 귀하")
    expect(sheet).not_to_contain_text("Customer:")
    _shot(page, "quote-print.png")
