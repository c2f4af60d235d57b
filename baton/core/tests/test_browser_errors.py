"""Error pages in Chromium: a Korean reader who opens a record that is not there sees the 404 page in
the app's layout, in Korean, and gets home from it; a bad filter shows the list with a message."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from baton.core.tests.i18n import ensure_compiled_messages
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("BATON_SCREENSHOTS", "")


def test_korean_404_page_and_ignored_filter(browser_page, personas, world):
    ensure_compiled_messages()
    alice = personas["alice"]
    alice.language = "ko"
    alice.save(update_fields=["language"])
    page = browser_page
    sign_in(page, "alice")
    response = page.goto("/leads/987654321/")
    assert response is not None and response.status == 404
    expect(page.get_by_test_id("error-page")).to_be_visible()
    expect(page.locator("h1")).to_have_text("페이지를 찾을 수 없습니다")
    expect(page.get_by_test_id("nav-leads")).to_have_text("리드")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "error-404-ko.png"), full_page=True)
    page.get_by_test_id("error-home").click()
    page.wait_for_url(lambda url: url.split("/", 3)[3] == "")
    expect(page.get_by_test_id("error-page")).to_have_count(0)

    page.goto("/leads/?owner=99999999999999999999999")
    expect(page.get_by_test_id("toast").filter(has_text="owner")).to_contain_text("무시했습니다")
    expect(page.get_by_text("이서연")).to_be_visible()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "ignored-filter-ko.png"), full_page=True)
