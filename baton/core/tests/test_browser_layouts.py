"""Page layouts in Chromium: an administrator takes the phone off the reps' lead layout; a rep opens
the lead page and does not see it, while the rest of the details stay."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from baton.core.layouts.models import PageLayout
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_hides_a_field_from_reps(browser_page, personas, world):
    page = browser_page
    page.set_default_timeout(30_000)  # the live server shares a loaded machine; nothing here is timed
    lead = world["lead"]

    sign_in(page, "alice")
    page.goto(f"/leads/{lead.pk}/")
    expect(page.locator("dl.record-fields")).to_contain_text("010-1234-5678")

    sign_in(page, "root")
    page.goto("/settings/page-layouts/")
    page.get_by_test_id("layout-lead-field_sales").click()
    page.get_by_test_id("section-phone").select_option("")
    page.get_by_test_id("save-layout").click()
    expect(page.get_by_test_id("layout-state")).to_contain_text("Version 1")
    layout = PageLayout.objects.get(object="lead", role="field_sales")
    assert "phone" not in [f["name"] for s in layout.sections for f in s["fields"]]

    sign_in(page, "alice")
    page.goto(f"/leads/{lead.pk}/")
    details = page.get_by_test_id("layout-sections")
    expect(details).to_contain_text("seoyeon@saebom.kr")
    expect(details).not_to_contain_text("010-1234-5678")
    expect(page.locator("body")).not_to_contain_text("010-1234-5678")
