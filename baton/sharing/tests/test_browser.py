"""In a real browser (CSP enforced): the share panel loads on a deal's page, a share made there shows
at once (htmx swaps the panel), and revoking it empties the list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from baton.core.models import RecordShare
from conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_share_and_revoke_on_the_deal_page(browser_page, personas, world):
    page = browser_page
    opportunity = world["opportunity"]
    charlie = personas["charlie"]
    sign_in(page, "alice")
    page.goto(f"/deals/{opportunity.pk}/")
    panel = page.get_by_test_id("share-panel")
    expect(panel).to_contain_text("Not shared beyond the usual access.")
    panel.get_by_text("Share…").click()
    form = page.get_by_test_id("share-form")
    form.locator("#id_user").select_option(str(charlie.pk))
    form.locator("#id_access").select_option("edit")
    form.get_by_role("button", name="Share").click()
    expect(page.get_by_test_id("share-list")).to_contain_text("Charlie", timeout=10_000)
    share = RecordShare.objects.get()
    assert (
        share.user_id == charlie.pk and share.access == "edit" and share.created_by_id == personas["alice"].pk
    )
    page.get_by_test_id(f"revoke-{share.pk}").click()
    expect(page.get_by_test_id("share-list")).to_contain_text("Not shared beyond", timeout=10_000)
    assert not RecordShare.objects.exists()
