"""In a real browser: "/" focuses the top bar's search, results appear as you type (Korean and
initial consonants), a result opens its record, and quick create prefills the typed name."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_type_to_search_open_and_quick_create(browser_page, personas, world):
    page = browser_page
    sign_in(page, "alice")
    page.goto("/leads/")
    page.locator("body").press("/")
    box = page.get_by_test_id("global-search")
    expect(box).to_be_focused()
    box.press_sequentially("한빛")
    results = page.get_by_test_id("global-search-results")
    expect(results.get_by_test_id("search-group-account")).to_be_visible()
    expect(results.get_by_text("한빛 ERP 교체")).to_be_visible()
    expect(results.get_by_text("김민준")).to_be_visible()

    # Initial consonants find the lead 이서연 (ㅇㅅㅇ).
    box.fill("ㅇㅅㅇ")
    expect(results.get_by_text("이서연")).to_be_visible()
    box.press("Escape")
    expect(results.get_by_test_id("search-hit")).to_have_count(0)

    page.keyboard.press("Control+k")
    expect(box).to_be_focused()
    box.fill("한빛")
    results.get_by_text("한빛 ERP 교체").click()
    page.wait_for_url(f"**/deals/{world['opportunity'].pk}/")

    box = page.get_by_test_id("global-search")
    box.fill("누리소프트")
    expect(results.get_by_test_id("search-empty")).to_be_visible()
    results.get_by_test_id("quick-create-account").click()
    page.wait_for_url("**/accounts/new/**")
    expect(page.locator("input[name=name]")).to_have_value("누리소프트")
