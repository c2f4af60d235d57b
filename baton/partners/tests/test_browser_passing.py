"""In a real browser: the rep passes a lead to a partner from the lead page, the partner accepts it in
the portal before its deadline, and opens the price list published to its tier (screenshots kept in
var/screenshots for a look)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from baton.deals.models import PriceList, PriceListEntry, Product, ProductFamily
from baton.leads.services import create_lead
from baton.partners import resources
from baton.partners.models import LeadPass
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def patient_page(browser_page):
    browser_page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    yield browser_page
    expect.set_options(timeout=5_000)


def _shot(page, name: str) -> None:
    folder = Path(settings.BASE_DIR).parent / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"partners14-{name}.png"), full_page=True)


def test_pass_accept_and_price_list(patient_page, channel):
    page = patient_page
    lead = create_lead(actor=channel["alice"], name="최유진", company="미래식품", region="busan")
    family = ProductFamily.objects.create(name="ERP 제품군")
    prices = PriceList.objects.create(name="실버 단가표", currency="KRW")
    product = Product.objects.create(code="erp", name="ERP 표준", family=family)
    PriceListEntry.objects.create(price_list=prices, product=product, unit_price=Decimal("1000000"))
    resources.publish_price_list(actor=channel["pat"], price_list=prices, tiers=["silver"])

    sign_in(page, "alice")
    page.goto(f"/leads/{lead.pk}/")
    form = page.get_by_test_id("lead-pass-form")
    form.locator("input[value=partner]").check()
    form.locator("#id_partner").select_option(label=str(channel["nuri"]))
    form.get_by_test_id("lead-pass-submit").click()
    expect(page.get_by_test_id("lead-pass")).to_contain_text("누리시스템")
    _shot(page, "lead-passed")
    assert LeadPass.objects.get(lead=lead).status == "offered"

    sign_in(page, "paul")
    page.goto("/portal/leads/")
    page.get_by_text("미래식품").click()
    _shot(page, "portal-offer")
    page.get_by_test_id("lead-accept").click()
    expect(page.get_by_test_id("lead-pass-status")).to_have_text("Accepted")
    assert LeadPass.objects.get(lead=lead).status == "accepted"

    page.goto("/portal/resources/")
    page.get_by_role("link", name="Open").click()
    expect(page.get_by_test_id("price-table")).to_contain_text("ERP 표준")
    _shot(page, "portal-price-list")
